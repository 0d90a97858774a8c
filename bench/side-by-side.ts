/**
 * Ways of answering the same request measured side by side in one run: each round runs a short batch
 * of every way in turn, the order rotating, so a machine busy with other work slows every way alike;
 * each way's figures are over all its rounds. With the table the reports print.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { repoRoot } from "../platform/paths.js";
import { runBatch, summarise, type Batch, type CellResult, type Request } from "./load.js";

export interface Cell extends CellResult {
  operation: string;
  way: string;
}

export interface Interleaving {
  rounds: number;
  /** Requests in one batch at each concurrency measured. */
  batchSizes: Record<number, number>;
  /** Before each round: the subgraphs' tokens live two minutes. */
  beforeRound?: () => Promise<void>;
  log: (line: string) => void;
}

/** Every way once (warm-up: the first plan, a cold page cache), then the rounds, at each concurrency. */
export async function measureInterleaved(operation: string, ways: readonly [string, Request][], run: Interleaving): Promise<Cell[]> {
  for (const [, request] of ways) await runBatch(request, 1, 3, 60);
  const cells: Cell[] = [];
  for (const [concurrencyKey, size] of Object.entries(run.batchSizes)) {
    const concurrency = Number(concurrencyKey);
    const batches = new Map<string, Batch[]>(ways.map(([way]) => [way, []]));
    for (let round = 0; round < run.rounds; round++) {
      await run.beforeRound?.();
      for (let i = 0; i < ways.length; i++) {
        const [way, request] = ways[(i + round) % ways.length]!;
        batches.get(way)!.push(await runBatch(request, concurrency, size, 60));
      }
    }
    for (const [way, list] of batches) {
      const cell = { ...summarise(concurrency, list), operation, way };
      cells.push(cell);
      run.log(
        `  ${operation.padEnd(44)} ${way.padEnd(40)} c${String(concurrency).padEnd(3)} p50 ${String(cell.p50).padStart(7)} ms  p95 ${String(cell.p95).padStart(7)} ms  ${cell.requestsPerSecond} req/s${cell.errors ? `  ${cell.errors} errors: ${cell.firstError}` : ""}`,
      );
    }
  }
  return cells;
}

/** Answers with the data as JSON, or throws with what came back instead. */
export async function answer(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (!response.ok || json.errors?.length || !json.data) throw new Error(`HTTP ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
  return JSON.stringify(json.data);
}

/** Where two JSON values first differ, as a path (`services[0].stages[2].name`); undefined when they do not. */
function firstDifference(a: unknown, b: unknown, path = ""): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const found = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return a === b ? undefined : path || "the answer";
}

/**
 * How one answer (JSON, or the error it met) compares with another: byte for byte, the same data with
 * its objects' keys in another order, or different, and where.
 */
export function sameness(got: string, reference: string): string {
  if (got === reference) return `is the same, byte for byte (${reference.length.toLocaleString("en-GB")} bytes of JSON), as`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(got);
  } catch {
    return `is DIFFERENT (${got.slice(0, 200)}) from`;
  }
  const where = firstDifference(parsed, JSON.parse(reference));
  return where === undefined ? "has the same data, its objects' keys in another order, as" : `is DIFFERENT at ${where} from`;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString("en-GB", { maximumFractionDigits: 1 }) : "–");
export const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–");

/** One operation's table: each way at concurrency 1 and 10, with its ratios to the `reference` way. */
export function cellTable(cells: readonly Cell[], operation: string, ways: readonly string[], reference: string): string[] {
  const at = (way: string, c: number) => cells.find((x) => x.operation === operation && x.way === way && x.concurrency === c);
  const lines = [
    `| way | c1 p50 ms | c1 p95 ms | c1 p50 vs ${reference} | c10 p50 ms | c10 p95 ms | c10 req/s | c10 req/s vs ${reference} | errors |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const r1 = at(reference, 1);
  const r10 = at(reference, 10);
  for (const way of ways) {
    const c1 = at(way, 1);
    const c10 = at(way, 10);
    if (!c1 || !c10 || !r1 || !r10) continue;
    const firstError = c1.firstError ?? c10.firstError;
    lines.push(
      `| ${way} | ${fmt(c1.p50)} | ${fmt(c1.p95)} | ${times(c1.p50 / r1.p50)} | ${fmt(c10.p50)} | ${fmt(c10.p95)} | ${fmt(c10.requestsPerSecond)} | ${times(c10.requestsPerSecond / r10.requestsPerSecond)} | ${c1.errors + c10.errors}${firstError ? `: ${firstError.slice(0, 120)}` : ""} |`,
    );
  }
  return lines;
}

/** Against the floor: c1 p50 as a multiple of the floor's, c10 throughput as a share of the floor's. */
export function floorLines(cells: readonly Cell[], operation: string, ways: readonly string[], floor: string, floorOperation = operation): string[] {
  const at = (op: string, way: string, c: number) => cells.find((x) => x.operation === op && x.way === way && x.concurrency === c);
  const f1 = at(floorOperation, floor, 1);
  const f10 = at(floorOperation, floor, 10);
  if (!f1 || !f10) return [];
  return ways.flatMap((way) => {
    const c1 = at(operation, way, 1);
    const c10 = at(operation, way, 10);
    return c1 && c10
      ? [
          `- ${way}: c1 p50 ${times(c1.p50 / f1.p50)} the floor's; at c10 ${Math.round((100 * c10.requestsPerSecond) / f10.requestsPerSecond)}% of the floor's requests a second`,
        ]
      : [];
  });
}

/** The machine, and how busy it was: the figures are only as steady as it. */
export function machineLine(loadBefore: number[]): string {
  const load = (l: number[]) => l.map((n) => n.toFixed(1)).join(" ");
  return `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, everything on one machine; load average (1, 5, 15 min) ${load(loadBefore)} before, ${load(loadavg())} after`;
}

/** Each process's peak resident memory as a table's lines. */
export const peakMemoryTable = (peaks: Record<string, number | null>): string[] => [
  "| process | MB |",
  "| --- | ---: |",
  ...Object.entries(peaks).map(([name, mb]) => `| ${name} | ${mb ?? "–"} |`),
];

/** Writes docs/benchmarks/<name>.md and <name>.json, and prints the page. */
export function writeBenchmarkPage(name: string, lines: string[], data: unknown): void {
  const dir = resolve(repoRoot, "docs/benchmarks");
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, `${name}.md`), lines.join("\n"));
  writeFileSync(resolve(dir, `${name}.json`), JSON.stringify(data, null, 2) + "\n");
  console.error(lines.join("\n"));
}
