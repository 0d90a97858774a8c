/** docs/benchmarks/analysis.json and docs/benchmarks.md from the analysis benchmark's results, with the issue's goals checked. */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { repoRoot } from "../platform/paths.js";
import type { Cell, GraphResult, Way } from "./analysis.js";
import type { LoadBudget } from "./load.js";

export interface RunInfo {
  quick: boolean;
  budgets: LoadBudget[];
  subgraphTimeoutMs: number;
}

interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString("en-GB", { maximumFractionDigits: 1 }) : "–");
const ratio = (a: number, b: number) => a / b;
const x = (n: number) => `${fmt(Math.round(n * 100) / 100)}×`;

function cell(graph: GraphResult | undefined, operation: string, way: Way, concurrency: number): Cell | undefined {
  return graph?.cells.find((c) => c.operation === operation && c.way === way && c.concurrency === concurrency);
}

function goals(small: GraphResult | undefined, large: GraphResult | undefined): Goal[] {
  const out: Goal[] = [];
  const journey = cell(large, "journey", "our gateway", 10);
  if (journey)
    out.push({ goal: "Journey trace p95 ≤ 50 ms at concurrency 10 through our gateway", measured: `p95 ${fmt(journey.p95)} ms`, met: journey.p95 <= 50 });

  const floorRatios = [1, 10].flatMap((c) => {
    const ours = cell(large, "journey", "our gateway", c);
    const floor = cell(large, "journey", "floor", c);
    return ours && floor ? [{ c, r: ratio(ours.p50, floor.p50), ours, floor }] : [];
  });
  if (floorRatios.length)
    out.push({
      goal: "Journey p50 within 3× the raw-Cypher floor",
      measured: floorRatios.map(({ c, r, ours, floor }) => `c${c}: ${fmt(ours.p50)} vs ${fmt(floor.p50)} ms = ${x(r)}`).join("; "),
      met: floorRatios.every(({ r }) => r <= 3),
    });

  const generated = "journey (generated fields)";
  const [ours, peer, floor] = (["our gateway", "single server", "floor"] as const).map((way) => cell(large, generated, way, 1));
  if (ours && peer && floor) {
    const toFloor = ratio(ours.p50, floor.p50);
    const toPeer = ratio(ours.p50, peer.p50);
    out.push({
      goal: "Generated-fields journey across three subgraphs through our gateway, c1 p50 ≤ 2× the floor and ≤ 1.3× the single-server peer",
      measured: `${fmt(ours.p50)} ms: ${x(toFloor)} the floor's ${fmt(floor.p50)} ms, ${x(toPeer)} the single server's ${fmt(peer.p50)} ms`,
      met: toFloor <= 2 && toPeer <= 1.3,
    });
  }

  const versus = (large?.cells ?? [])
    .filter((c) => c.way === "our gateway")
    .flatMap((ours) => {
      const apollo = cell(large, ours.operation, "@apollo/gateway", ours.concurrency);
      return apollo ? [{ ours, apollo }] : [];
    });
  if (versus.length) {
    const slower = versus.filter(({ ours, apollo }) => ours.p50 > apollo.p50);
    out.push({
      goal: "Our gateway never slower than @apollo/gateway (p50 per operation and concurrency)",
      measured:
        slower.length === 0
          ? `faster or equal in all ${versus.length} comparisons`
          : `slower in ${slower.length} of ${versus.length}: ${slower.map(({ ours, apollo }) => `${ours.operation} c${ours.concurrency} ${fmt(ours.p50)} vs ${fmt(apollo.p50)} ms`).join("; ")}`,
      met: slower.length === 0,
    });
  }

  const growth = growthRows(small, large).filter((g) => g.way === "our gateway" && g.concurrency === 1);
  if (growth.length) {
    const over = growth.filter((g) => !(g.growth < 1.5));
    out.push({
      goal: "Latency growth < 1.5× from the 10k graph to civil-service (our gateway, p50, concurrency 1)",
      measured:
        over.length === 0
          ? `at most ${x(Math.max(...growth.map((g) => g.growth)))}`
          : `above in ${over.length} of ${growth.length}: ${over.map((g) => `${g.operation} ${x(g.growth)}`).join("; ")}`,
      met: over.length === 0,
    });
  }

  const servers = [small, large].flatMap((g) =>
    Object.entries(g?.peakMemoryMB ?? {})
      .filter(([name]) => name.endsWith("subgraph") || name === "our gateway")
      .map(([name, mb]) => ({ name: `${name} (${g!.label})`, mb: mb ?? Number.NaN })),
  );
  if (servers.length) {
    const over = servers.filter((s) => !(s.mb < 250));
    out.push({
      goal: "Each subgraph and the gateway under 250 MB resident under load (peak, VmHWM)",
      measured: over.length === 0 ? `at most ${Math.max(...servers.map((s) => s.mb))} MB` : over.map((s) => `${s.name} ${s.mb} MB`).join("; "),
      met: over.length === 0,
    });
  }
  return out;
}

interface Growth {
  operation: string;
  way: Way;
  concurrency: number;
  small: number;
  large: number;
  growth: number;
}

function growthRows(small: GraphResult | undefined, large: GraphResult | undefined): Growth[] {
  return (small?.cells ?? []).flatMap((s) => {
    const l = cell(large, s.operation, s.way, s.concurrency);
    return l ? [{ operation: s.operation, way: s.way, concurrency: s.concurrency, small: s.p50, large: l.p50, growth: ratio(l.p50, s.p50) }] : [];
  });
}

function graphSection(graph: GraphResult): string {
  const s = graph.subjects;
  const rows = graph.cells.map(
    (c) =>
      `| ${c.operation} | ${c.way} | ${c.concurrency} | ${fmt(c.p50)} | ${fmt(c.p95)} | ${fmt(c.p99)} | ${fmt(c.requestsPerSecond)} | ${c.requests} | ${c.errors} |`,
  );
  const memory = Object.entries(graph.peakMemoryMB).map(([name, mb]) => `| ${name} | ${mb ?? "–"} |`);
  const errors = graph.cells.filter((c) => c.firstError).map((c) => `- ${c.operation}, ${c.way}, c${c.concurrency}: ${c.firstError!.replaceAll("\n", " ")}`);
  const incidents = graph.incidents.map((i) => `- ${i}`);
  const sameAnswers = graph.sameAnswers.map((line) => `- ${line}`);
  return `## ${graph.label[0]!.toUpperCase()}${graph.label.slice(1)} (${graph.people.toLocaleString("en-GB")} people, scale \`${graph.scale}\`)

Service \`${s.serviceId}\` (the generated service with the most stages); path from \`${s.fromPersonId}\` to \`${s.toPersonId}\`;
matrix of ${s.departmentIds.map((id) => `\`${id}\``).join(", ")}.

| operation | way | concurrency | p50 ms | p95 ms | p99 ms | req/s | requests | errors |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}
${sameAnswers.length ? `\nAnswers compared before measuring:\n\n${sameAnswers.join("\n")}\n` : ""}${errors.length ? `\nFirst error of each cell that had one:\n\n${errors.join("\n")}\n` : ""}${incidents.length ? `\nProcesses that stopped during the run:\n\n${incidents.join("\n")}\n` : ""}
Peak resident memory (VmHWM) of each process over the whole run on this graph:

| process | peak MB |
| --- | ---: |
${memory.join("\n")}
`;
}

/** The commit measured, marked when the working tree differs from it. */
export function codeVersion(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  try {
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no") ? " with uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
}

export function writeReport(results: GraphResult[], run: RunInfo, code = codeVersion()): void {
  const small = results.find((g) => g.scale === "small");
  const large = results.find((g) => g.scale === "civil-service");
  const date = new Date().toISOString();
  const machine = {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    neo4j: results[0]?.neo4jVersion ?? "unknown",
  };
  const goalList = goals(small, large);
  writeFileSync(
    resolve(repoRoot, "docs/benchmarks/analysis.json"),
    `${JSON.stringify({ date, code, machine, run, goals: goalList, graphs: results }, null, 2)}\n`,
  );

  const growth = growthRows(small, large).map((g) => `| ${g.operation} | ${g.way} | ${g.concurrency} | ${fmt(g.small)} | ${fmt(g.large)} | ${x(g.growth)} |`);
  const budgets = run.budgets
    .map((b) => `concurrency ${b.concurrency}: at most ${b.requests} requests or ${b.seconds} s after ${b.warmup} warm-up requests`)
    .join("; ");
  const markdown = `# Benchmarks

The analyses asked as on a past date beside today's, interleaved: \`npm run bench -- --graph 10k --as-at\` writes [benchmarks/as-at-10k.md](benchmarks/as-at-10k.md), \`--graph demo\` [benchmarks/as-at-demo.md](benchmarks/as-at-demo.md), a full run benchmarks/as-at.md for both graphs.

## Analysis operations

\`npm run bench${run.quick ? " -- --quick" : ""}\`, ${date.slice(0, 10)}, code at ${code}.
Machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, Neo4j ${machine.neo4j} (heap 2 GB) on the same machine.
All traffic on loopback. Per cell: ${budgets}. The machine is shared (tests may run beside it), so figures are noisy.${run.quick ? " **Quick run: too few requests for the percentiles to mean much.**" : ""}

Five ways of answering each operation:
- **our gateway**: Hive Gateway runtime (\`gateway/\`), its own process;
- **@apollo/gateway**: 2.14 (Elastic-2.0, the benchmark's peer only), its own process (\`bench/apollo-gateway.ts\`), over the same subgraph processes;
- **subgraph**: the owning subgraph called directly, for operations one subgraph answers alone, selecting only its own fields;
- **floor**: one hand-written Cypher query through neo4j-driver returning the same data (\`bench/floor-queries.ts\`);
- **single server**: for the generated-fields journey, the price of federation: one Apollo Server over one @neo4j/graphql schema of the three subgraphs' schema files together, no federation, its own process (\`bench/single-server.ts\`), its answer compared with our gateway's before it is measured.

Both gateways get a subgraph timeout of ${run.subgraphTimeoutMs / 1000} s (so slow operations are measured, not cut off); every process logs at \`warn\`.
Every request is a reader's: our gateway verifies the client's token and signs one for the subgraphs; @apollo/gateway is
sent that subgraph token and passes it on without checking a client token, and the single server reads the caller from it. At concurrency 10 all ten clients send the same
query; neither gateway merges identical subgraph calls in flight (ours would merge them before adding each caller's token, docs/adr/0005).
A request counts as an error when its HTTP status is not 200, its body has \`errors\`, or its top-level field is null.
Latencies in milliseconds, from the bench process (client side).

### Goals

| goal | measured | met |
| --- | --- | --- |
${goalList.map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? "yes" : "**no**"} |`).join("\n")}

${[...results].reverse().map(graphSection).join("\n")}
## Growth from the 10,000-person graph to the civil-service graph

p50 on each graph and the ratio.

| operation | way | concurrency | p50 10k (ms) | p50 civil service (ms) | growth |
| --- | --- | ---: | ---: | ---: | ---: |
${growth.join("\n")}

The import benchmark is in [benchmarks/import.md](benchmarks/import.md) (\`npm run bench:import\`).
`;
  writeFileSync(resolve(repoRoot, "docs/benchmarks.md"), markdown);
  console.log(markdown);
}
