/**
 * The past-date questions beside today's (bench/analysis.ts measures each pair interleaved): p50 and
 * p95 of both and their ratio per way and concurrency, against the goal of within 1.3× of today's.
 * Writes docs/benchmarks/as-at.md and as-at.json, or as-at-<graph>.md and .json for a run of one graph.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { repoRoot } from "../platform/paths.js";
import type { GraphResult } from "./analysis.js";
import type { LoadBudget } from "./load.js";
import { codeVersion } from "./report.js";
import { operations } from "./operations.js";
import { times } from "./side-by-side.js";

/** The goal of the issue on the graph over time: a question as on a past date within 1.3× of today's. */
export const asAtGoal = 1.3;

export interface AsAtRow {
  graph: string;
  operation: string;
  way: string;
  concurrency: number;
  todayP50: number;
  pastP50: number;
  todayP95: number;
  pastP95: number;
  ratio: number;
  errors: number;
  firstError: string | null;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString("en-GB", { maximumFractionDigits: 1 }) : "–");

export function asAtRows(results: readonly GraphResult[]): AsAtRow[] {
  return results.flatMap((graph) => {
    const pairs = operations(graph.subjects).filter((op) => op.todayOf);
    return pairs.flatMap((past) =>
      graph.cells
        .filter((today) => today.operation === past.todayOf && today.way !== "floor")
        .flatMap((today) => {
          const then = graph.cells.find((c) => c.operation === past.name && c.way === today.way && c.concurrency === today.concurrency);
          return then
            ? [
                {
                  graph: graph.label,
                  operation: today.operation,
                  way: today.way,
                  concurrency: today.concurrency,
                  todayP50: today.p50,
                  pastP50: then.p50,
                  todayP95: today.p95,
                  pastP95: then.p95,
                  ratio: then.p50 / today.p50,
                  errors: today.errors + then.errors,
                  firstError: today.firstError ?? then.firstError,
                },
              ]
            : [];
        }),
    );
  });
}

/** What the cells with errors were refused with: their latencies are mostly of the refusals, not of answers. */
function errorNotes(rows: readonly AsAtRow[]): string {
  const failed = rows.filter((r) => r.errors > 0);
  if (failed.length === 0) return "";
  return `\nCells with errors (their figures are mostly of the refusals, not of answers):\n${failed
    .map((r) => `- ${r.operation}, ${r.way}, c${r.concurrency}: ${r.errors} errors, the first: ${(r.firstError ?? "").slice(0, 160)}`)
    .join("\n")}\n`;
}

export function writeAsAtReport(
  results: readonly GraphResult[],
  run: { command: string; pastDate: string; rounds: number; budgets: readonly LoadBudget[]; loadBefore: number[] },
  /** The file's name without its extension. */
  file = "as-at",
): void {
  const rows = asAtRows(results);
  const date = new Date().toISOString();
  const code = codeVersion();
  writeFileSync(resolve(repoRoot, `docs/benchmarks/${file}.json`), `${JSON.stringify({ date, code, run, goal: asAtGoal, rows }, null, 2)}\n`);
  const over = rows.filter((r) => r.ratio > asAtGoal);
  const load = (l: readonly number[]) => l.map((n) => n.toFixed(1)).join(" ");
  const graphs = results.map((g) => `${g.label} (${g.people.toLocaleString("en-GB")} people; service \`${g.subjects.serviceId}\`)`).join("; ");
  const markdown = `# Questions as on a past date beside today's

\`${run.command}\`, ${date.slice(0, 10)}, code at ${code}, on the ${graphs}.
Each operation is asked today and as on ${run.pastDate} (before the 7 February 2023 machinery-of-government changes,
docs/adr/0008), through each way, in ${run.rounds} alternating rounds per concurrency (bench/side-by-side.ts), the order
rotating, so that a machine busy with other work slows both alike; ${run.budgets.map((b) => `concurrency ${b.concurrency}: ${Math.max(1, Math.round(b.requests / run.rounds))} requests a round`).join(", ")}.
Load average (1, 5, 15 min) ${load(run.loadBefore)} before, ${load(loadavg())} after, on a machine shared with other work: the figures are noisy.
A past-date read walks the ended links too (\`WAS_PART_OF\`, \`WORKED_FOR\`, \`WORKED_ON\`), tests each interval and
reads each organisation's version of the day; today's reads the links that hold now.

**Goal: within ${asAtGoal}× of today's (p50).** ${rows.length === 0 ? "Nothing measured." : over.length === 0 ? `Met in all ${rows.length} cells.` : `Above it in ${over.length} of ${rows.length} cells: ${over.map((r) => `${r.operation} ${r.way} c${r.concurrency} ${times(r.ratio)}`).join("; ")}.`}

| graph | operation | way | concurrency | today p50 ms | past p50 ms | ratio | today p95 ms | past p95 ms | errors |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.map((r) => `| ${r.graph} | ${r.operation} | ${r.way} | ${r.concurrency} | ${fmt(r.todayP50)} | ${fmt(r.pastP50)} | ${times(r.ratio)} | ${fmt(r.todayP95)} | ${fmt(r.pastP95)} | ${r.errors} |`).join("\n")}
${errorNotes(rows)}`;
  writeFileSync(resolve(repoRoot, `docs/benchmarks/${file}.md`), markdown);
}
