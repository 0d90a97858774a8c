/**
 * node --import tsx bench/cpu-profile.ts <file.cpuprofile> [--top 25]
 *
 * Where a CPU profile's time went (`node --cpu-prof`): self time by module (a package under
 * node_modules, a file of this project, Node's internals) and by function, over the whole profile or
 * over a window of it (`summariseProfile`'s `window`, in the monotonic clock's microseconds that both
 * V8's profiler and `process.hrtime` read, so a benchmark can leave out a process's start-up).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds sampled in the window, idle included. */
  totalMs: number;
  /** Milliseconds the process was idle (waiting for I/O). */
  idleMs: number;
  byModule: { name: string; ms: number }[];
  byFunction: { name: string; ms: number }[];
}

/** The module a frame belongs to: a package (`@neo4j/graphql`), a project file (`subgraph-kit/paging.ts`), or what V8 calls it. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return url.startsWith("node:internal/") ? `node:${url.split("/")[1] ?? "internal"}` : url;
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packaged) return packaged[1]!;
  const project = /\/(?:wt-[^/]+|main|[^/]+)\/((?:bench|gateway|graph|platform|subgraph-kit|subgraphs|data|export|schema)\/.+)$/.exec(url);
  return project ? project[1]! : basename(url);
}

export function summariseProfile(path: string, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let idle = 0;
  // Each sample is charged the time until the next one.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const next = profile.timeDeltas[i + 1] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const node = nodes.get(profile.samples[i]!);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += next;
    if (functionName === "(idle)") {
      idle += next;
      continue;
    }
    const module = moduleOf(url, functionName);
    modules.set(module, (modules.get(module) ?? 0) + next);
    const fn = `${functionName || "(anonymous)"} ${module}${url ? `:${lineNumber + 1}` : ""}`;
    functions.set(fn, (functions.get(fn) ?? 0) + next);
  }
  const sorted = (m: Map<string, number>) => [...m].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, idleMs: idle / 1000, byModule: sorted(modules), byFunction: sorted(functions) };
}

/** The summary as Markdown: busy time, then the top modules and functions with their share of the busy time. */
export function profileTables(summary: ProfileSummary, top = 20, perRequest?: number): string[] {
  const busy = summary.totalMs - summary.idleMs;
  const ms = (value: number) => (perRequest ? `${(value / perRequest).toFixed(2)} ms a request` : `${value.toFixed(0)} ms`);
  const share = (value: number) => `${((100 * value) / busy).toFixed(1)}%`;
  return [
    `Busy ${ms(busy)} (${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle).`,
    "",
    "| module | self | share of busy |",
    "| --- | ---: | ---: |",
    ...summary.byModule.slice(0, top).map((m) => `| ${m.name} | ${ms(m.ms)} | ${share(m.ms)} |`),
    "",
    "| function | self | share of busy |",
    "| --- | ---: | ---: |",
    ...summary.byFunction.slice(0, top).map((f) => `| \`${f.name}\` | ${ms(f.ms)} | ${share(f.ms)} |`),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values, positionals } = parseArgs({ options: { top: { type: "string", default: "25" } }, allowPositionals: true });
  for (const file of positionals) {
    console.log(`## ${file}\n`);
    console.log(profileTables(summariseProfile(file), Number(values.top)).join("\n"), "\n");
  }
}
