/**
 * npm run bench:soak [-- --seconds 120] [-- --requests 50000] [-- --concurrency 4] [-- --write-every 10]
 *                    [-- --sample-ms 1000] [-- --flat-within 10] [-- --neo4j-port 7697]
 *
 * A steady load on the whole stack, each server its own process on loopback, over the demo graph on
 * a Neo4j of its own (port 7697, data in .neo4j/bench-soak): the journey map, search and hand-offs
 * examples, and every `--write-every`th request a mutation (a community created, then changed). It
 * stops at `--requests` measured requests or after `--seconds`, whichever comes first, after a
 * warm-up that is not measured. Each process's resident memory (VmRSS) is sampled throughout.
 *
 * Writes docs/benchmarks/soak.md: error rate, p50 and p95 latency per operation, and each process's
 * memory at the start, middle and end of the run. Memory counts as flat when the second half of the
 * run grows it by less than `--flat-within` per cent: reported, not asserted.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { signClientToken } from "../platform/demo-tokens.js";
import type { LocalNeo4j } from "../graph/local-neo4j.js";
import { repoRoot } from "../platform/paths.js";
import { serverNodeFlags } from "../platform/server-process.js";
import { percentile } from "./load.js";
import { type StackMember, startDemoNeo4j, startProcessStack, stopAll } from "./processes.js";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "120" },
    requests: { type: "string", default: "50000" },
    concurrency: { type: "string", default: "4" },
    "write-every": { type: "string", default: "10" },
    "warmup-seconds": { type: "string", default: "10" },
    "sample-ms": { type: "string", default: "1000" },
    "flat-within": { type: "string", default: "10" },
    "neo4j-port": { type: "string", default: "7697" },
  },
});
const settings = {
  seconds: Number(args.seconds),
  requests: Number(args.requests),
  concurrency: Number(args.concurrency),
  writeEvery: Number(args["write-every"]),
  warmupSeconds: Number(args["warmup-seconds"]),
  sampleMs: Number(args["sample-ms"]),
  flatWithinPercent: Number(args["flat-within"]),
  neo4jPort: Number(args["neo4j-port"]),
};
for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: not a number ≥ 0`);
}
const subgraphTimeoutMs = 5_000;
const password = "service-graph-soak";
const log = (line: string) => console.error(line);

// ── Operations ─────────────────────────────────────────────────────────────────────────────────────

interface Operation {
  name: string;
  query: string;
  variables(n: number): Record<string, unknown>;
}

const example = (file: string) => readFileSync(resolve(repoRoot, "gateway/examples", file), "utf8");
const searchTexts = ["pens reg", "companies", "tax", "business", "revenue", "trade", "education", "work"];
/** This run's ids, so that what it writes is told apart from the demo data and deleted afterwards. */
const runId = `soak-${Date.now().toString(36)}`;
const communityId = (n: number) => `${runId}-community-${n}`;

const reads: Operation[] = [
  { name: "journey map", query: example("journey-map.graphql"), variables: () => ({ serviceId: "starting-a-business" }) },
  { name: "search", query: example("search.graphql"), variables: (n) => ({ text: searchTexts[n % searchTexts.length] }) },
  { name: "hand-offs and gaps", query: example("handoffs-and-gaps.graphql"), variables: () => ({ serviceId: "starting-a-business" }) },
];
const writeName = "mutation";
let created = 0;
/** Every other write creates a community; the others rename the one created last. */
function nextWrite(n: number): { query: string; variables: Record<string, unknown> } {
  if (created === 0 || n % 2 === 0) {
    const id = communityId(created++);
    return {
      query: `mutation ($input: [CommunityCreateInput!]!) { createCommunities(input: $input) { communities { id } } }`,
      variables: { input: [{ id, name: `Soak test community ${created}`, kind: "COMMUNITY_OF_PRACTICE" }] },
    };
  }
  return {
    query: `mutation ($id: ID!, $name: String!) { updateCommunities(where: { id: { eq: $id } }, update: { name: { set: $name } }) { communities { id } } }`,
    variables: { id: communityId(created - 1), name: `Soak test community ${created}, renamed at request ${n}` },
  };
}

// ── The stack ──────────────────────────────────────────────────────────────────────────────────────

async function startStack(neo4jUri: string): Promise<{ gatewayUrl: string; members: StackMember[]; token: string }> {
  const stack = await startProcessStack({
    neo4jUri,
    password,
    // One client sends the whole load: the per-client rate limit would refuse most of it.
    env: { SUBGRAPH_TIMEOUT_MS: String(subgraphTimeoutMs), GATEWAY_RATE_LIMIT_PER_SECOND: "0" },
  });
  const { auth } = stack;
  const token = await signClientToken(auth.secret, { sub: "bench-soak", roles: ["admin"], issuer: auth.issuer, audience: auth.audience, expiresAt: "2h" });
  return { gatewayUrl: stack.gatewayUrl, members: stack.members, token };
}

// ── Load and memory ────────────────────────────────────────────────────────────────────────────────

interface Sample {
  operation: string;
  ms: number;
  error: string | null;
}
interface MemorySample {
  atMs: number;
  rssMB: Record<string, number | null>;
}

/** VmRSS of a running process, in MB; null once it has gone. */
function residentMB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** One request; resolves with its error (a non-200 status, `errors`, or a null field), null when right. */
async function send(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<string | null> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(4 * subgraphTimeoutMs),
  });
  const text = await response.text();
  if (!response.ok) return `HTTP ${response.status}: ${text.slice(0, 300)}`;
  const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (body.errors?.length) return JSON.stringify(body.errors).slice(0, 300);
  if (!body.data || Object.values(body.data).some((value) => value === null)) return `no data: ${text.slice(0, 300)}`;
  return null;
}

async function runLoad(url: string, token: string, members: StackMember[], processes: Record<string, number | undefined>) {
  let n = 0;
  const pick = (i: number): { operation: string; query: string; variables: Record<string, unknown> } => {
    if (settings.writeEvery > 0 && i % settings.writeEvery === settings.writeEvery - 1) return { operation: writeName, ...nextWrite(i) };
    const op = reads[i % reads.length]!;
    return { operation: op.name, query: op.query, variables: op.variables(i) };
  };
  const attempt = async (i: number): Promise<Sample> => {
    const { operation, query, variables } = pick(i);
    const started = performance.now();
    const error = await send(url, token, query, variables).catch((e: unknown) => (e as Error).message);
    return { operation, ms: performance.now() - started, error };
  };

  log(`Warming up for ${settings.warmupSeconds} s…`);
  const warmupEnd = performance.now() + settings.warmupSeconds * 1000;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (performance.now() < warmupEnd) await attempt(n++);
    }),
  );

  log(`Measuring for ${settings.seconds} s or ${settings.requests} requests, ${settings.concurrency} at a time…`);
  const samples: Sample[] = [];
  const memory: MemorySample[] = [];
  const begin = performance.now();
  const sampleMemory = () =>
    memory.push({ atMs: performance.now() - begin, rssMB: Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, residentMB(pid)])) });
  sampleMemory();
  const sampler = setInterval(sampleMemory, settings.sampleMs);
  const deadline = begin + settings.seconds * 1000;
  let started = 0;
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (started < settings.requests && performance.now() < deadline) {
        started++;
        samples.push(await attempt(n++));
      }
    }),
  );
  clearInterval(sampler);
  sampleMemory();
  const stopped = members.filter((m) => m.child.exitCode !== null || m.child.signalCode !== null).map((m) => m.name);
  return { samples, memory, seconds: (performance.now() - begin) / 1000, stopped };
}

// ── Report ─────────────────────────────────────────────────────────────────────────────────────────

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toLocaleString("en-GB", { maximumFractionDigits: digits }) : "–");
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** The median of a process's samples taken between two fractions of the run, so that one collection does not decide. */
function windowMB(memory: MemorySample[], name: string, from: number, to: number): number {
  const total = memory.at(-1)!.atMs;
  const values = memory.filter((s) => s.atMs >= from * total && s.atMs <= to * total).flatMap((s) => (s.rssMB[name] == null ? [] : [s.rssMB[name]]));
  return values.length ? median(values) : Number.NaN;
}

function report(result: Awaited<ReturnType<typeof runLoad>>, processes: string[], neo4jVersion: string): string {
  const { samples, memory, seconds, stopped } = result;
  const errors = samples.filter((s) => s.error !== null);
  const operations = [...reads.map((r) => r.name), ...(settings.writeEvery > 0 ? [writeName] : [])];
  const opRows = [...operations, "all"].map((operation) => {
    const mine = operation === "all" ? samples : samples.filter((s) => s.operation === operation);
    const sorted = mine.map((s) => s.ms).sort((a, b) => a - b);
    const failed = mine.filter((s) => s.error !== null).length;
    return `| ${operation} | ${mine.length} | ${failed} (${fmt((100 * failed) / Math.max(1, mine.length), 2)} %) | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 95))} |`;
  });
  const threshold = settings.flatWithinPercent / 100;
  const memoryRows = processes.map((name) => {
    const start = windowMB(memory, name, 0, 0.1);
    const middle = windowMB(memory, name, 0.45, 0.55);
    const end = windowMB(memory, name, 0.9, 1);
    const peak = Math.max(...memory.flatMap((s) => (s.rssMB[name] == null ? [] : [s.rssMB[name]])));
    const secondHalf = end / middle - 1;
    const flat = Number.isFinite(secondHalf) ? (secondHalf < threshold ? "yes" : "**no**") : "–";
    return `| ${name} | ${fmt(start)} | ${fmt(middle)} | ${fmt(end)} | ${fmt(peak)} | ${fmt(end / start, 2)}× | ${secondHalf >= 0 ? "+" : ""}${fmt(100 * secondHalf)} % | ${flat} |`;
  });
  const deciles = Array.from({ length: 10 }, (_, i) => i);
  const seriesRows = processes.map((name) => `| ${name} | ${deciles.map((d) => fmt(windowMB(memory, name, d / 10, (d + 1) / 10), 0)).join(" | ")} |`);
  const firstErrors = [...new Set(errors.map((e) => `${e.operation}: ${e.error}`))].slice(0, 5);
  return `# Soak: a steady load on the whole stack

Measured by \`npm run bench:soak${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` on ${new Date().toISOString().slice(0, 10)}: the three subgraphs and the gateway each
their own process (started as \`npm start\` starts them, ${serverNodeFlags.join(" ")}), on loopback, over the demo graph on a
local ${neo4jVersion}; ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30, 0)} GB. ${settings.concurrency} clients at a time, each sending its next request when the
last is answered: the journey map, search and hand-offs-and-gaps examples of \`gateway/examples\` in turn, every
${settings.writeEvery}th request a mutation through the gateway as an admin (a community created, or the last one renamed).
${settings.warmupSeconds} s of warm-up first, not measured. The run stops at ${settings.requests.toLocaleString("en-GB")} requests or after ${settings.seconds} s.

${samples.length.toLocaleString("en-GB")} requests in ${fmt(seconds)} s (${fmt(samples.length / seconds)} a second); **error rate ${fmt((100 * errors.length) / Math.max(1, samples.length), 2)} %** (${errors.length}).${stopped.length ? ` **Stopped during the run: ${stopped.join(", ")}.**` : " No process stopped."}

| operation | requests | errors | p50 (ms) | p95 (ms) |
| --- | ---: | ---: | ---: | ---: |
${opRows.join("\n")}
${firstErrors.length ? `\nFirst errors:\n\n${firstErrors.map((e) => `- \`${e.replaceAll("`", "'")}\``).join("\n")}\n` : ""}
## Resident memory (VmRSS, MB)

Sampled every ${settings.sampleMs} ms; start, middle and end are the medians of the samples in the first tenth, the tenth
around the middle and the last tenth of the run, so that one garbage collection does not decide. Memory counts as
**flat when the second half of the run grows it by less than ${settings.flatWithinPercent} %** (end against middle).
Neo4j is a JVM whose heap grows towards its maximum (1 GB) by design: shown for context.

| process | start | middle | end | peak | end / start | second half | flat |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${memoryRows.join("\n")}

Per tenth of the run (median of its samples, MB):

| process | ${deciles.map((d) => `${d * 10}–${(d + 1) * 10} %`).join(" | ")} |
| --- | ${deciles.map(() => "---:").join(" | ")} |
${seriesRows.join("\n")}
`;
}

// ── Run ────────────────────────────────────────────────────────────────────────────────────────────

let neo4jServer: LocalNeo4j | undefined;
try {
  const neo4j = await startDemoNeo4j({ name: "bench-soak", port: settings.neo4jPort, password, log });
  neo4jServer = neo4j.server;
  const { driver, neo4jVersion } = neo4j;
  try {
    log("Starting the subgraphs and the gateway…");
    const { gatewayUrl, members, token } = await startStack(neo4j.server.uri);
    const processes: Record<string, number | undefined> = {
      ...Object.fromEntries(members.map((m) => [m.name, m.child.pid])),
      "Neo4j (JVM)": neo4j.server.process.pid,
    };
    const result = await runLoad(gatewayUrl, token, members, processes);
    const markdown = report(result, Object.keys(processes), neo4jVersion);
    mkdirSync(resolve(repoRoot, "docs/benchmarks"), { recursive: true });
    writeFileSync(resolve(repoRoot, "docs/benchmarks/soak.md"), markdown);
    console.log(markdown);
    log("Wrote docs/benchmarks/soak.md");
    await driver.executeQuery("MATCH (c:Community) WHERE c.id STARTS WITH $runId DETACH DELETE c", { runId });
  } finally {
    await driver.close();
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await stopAll();
  await neo4jServer?.stop();
}
