/**
 * npm run bench:seed [-- --runs N]: how long the demo takes to load on an empty graph (what
 * `npm start` does on its first run), the demo of before every real source was in it (organisations,
 * professions, Starting a Business and the step-by-steps) side by side with today's (also headcounts,
 * organograms, the services list and the portfolios), and a second seed over a seeded graph (what the
 * test set-up pays on every run). Goal: the demo loads in under 60 s. Runs on a Neo4j of its own
 * (port 7690, data in .neo4j/bench-seed), or the one `--neo4j bolt://…` names, emptied before each
 * run. Writes docs/benchmarks/seed.md.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../platform/config.js";
import { startLocalNeo4j } from "../graph/local-neo4j.js";
import { createDriver } from "../graph/neo4j.js";
import { repoRoot } from "../platform/paths.js";
import { runImport } from "../data/import/run-import.js";
import { stepByStepSource } from "../data/import/sources/step-by-step.js";
import { emptyGraph } from "./empty-graph.js";
import { seedDemoData, seedOrganisations, seedProfessions, seedStartingABusiness } from "../data/seed/seed.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, neo4j: { type: "string" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error("--runs must be a whole number from 1 to 20");

const config = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" });
// `--neo4j bolt://…` measures on a Neo4j already running (it is emptied: give it one of your own).
const neo4j = values.neo4j
  ? { uri: values.neo4j, stop: async () => {} }
  : await startLocalNeo4j({
      name: "bench-seed",
      port: Number(process.env["NEO4J_BENCH_PORT"] ?? 7690),
      password: config.NEO4J_PASSWORD,
      log: (l) => console.error(l),
    });
const driver = createDriver(config, neo4j.uri);

/** The demo as it was before the real sources joined it. */
async function earlierDemo(): Promise<void> {
  await seedOrganisations(driver);
  await seedProfessions(driver);
  await seedStartingABusiness(driver);
  await runImport(stepByStepSource, [resolve(repoRoot, "data/seed/data/step-by-steps-2024-11.json")], { driver });
}

const seconds = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
};
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const times = { earlier: [] as number[], today: [] as number[], again: [] as number[] };
let loaded = "";
try {
  // Alternating, so that a busy moment of the machine falls on both.
  for (let run = 1; run <= runs; run++) {
    await emptyGraph(driver);
    times.earlier.push(await seconds(earlierDemo));
    await emptyGraph(driver);
    times.today.push(await seconds(async () => (loaded = JSON.stringify(await seedDemoData(driver)))));
    times.again.push(await seconds(() => seedDemoData(driver)));
    console.error(
      `run ${run}: earlier ${times.earlier.at(-1)!.toFixed(1)} s, today ${times.today.at(-1)!.toFixed(1)} s, again ${times.again.at(-1)!.toFixed(1)} s`,
    );
  }
} finally {
  await driver.close();
  await neo4j.stop();
}

const row = (name: string, xs: number[]) => `| ${name} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(1)).join(", ")} |`;
const goal = median(times.today) < 60;
const report = `# Loading the demo

\`npm run bench:seed\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${runs} runs, alternating; Neo4j 5.26 of its own, emptied before each run).

| load | median (s) | runs (s) |
| --- | --- | --- |
${row("earlier demo, empty graph (organisations, professions, Starting a Business, step-by-steps)", times.earlier)}
${row("today's demo, empty graph (also headcounts, organograms, the services list, the portfolios, derived stage owners)", times.today)}
${row("today's demo again, over itself (the test set-up's cost)", times.again)}

Today's demo takes ${(median(times.today) / median(times.earlier)).toFixed(2)}× the earlier one's time. Goal, the demo loads in under 60 s: **${goal ? "met" : "missed"}** (median ${median(times.today).toFixed(1)} s).

What it loaded: \`${loaded}\`
`;
writeFileSync(resolve(repoRoot, "docs/benchmarks/seed.md"), report);
console.log(report);
