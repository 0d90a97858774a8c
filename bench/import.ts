/**
 * npm run bench:import: records and relationships per second and the import process's peak memory,
 * for each real file and for the civil-service-scale graph, our batched import side by side with a
 * naive one (one record per transaction), each run starting from the same graph. Runs on a Neo4j of
 * its own (port 7689, data in .neo4j/bench), wiped between runs. Writes docs/benchmarks/import.{json,md}.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseConfig } from "../platform/config.js";
import { startLocalNeo4j } from "../graph/local-neo4j.js";
import { createDriver } from "../graph/neo4j.js";
import { emptyGraph } from "./empty-graph.js";
import { repoRoot } from "../platform/paths.js";
import { seedOrganisations, seedProfessions } from "../data/seed/seed.js";

const shared = resolve(repoRoot, "..", "shared", "data");
const cases: { name: string; mode: "import" | "generate"; what: string; files: string[]; base: "empty" | "reference"; naive: boolean }[] = [
  {
    name: "GOV.UK organisations 2026-07-20",
    mode: "import",
    what: "govuk-organisations",
    files: [resolve(repoRoot, "data/seed/data/govuk-organisations-2026-07-20.json")],
    base: "empty",
    naive: true,
  },
  {
    name: "GOV.UK step-by-steps",
    mode: "import",
    what: "step-by-step",
    files: [resolve(repoRoot, "data/seed/data/step-by-steps-2024-11.json")],
    base: "reference",
    naive: true,
  },
  {
    name: "DWP and Defra service portfolios",
    mode: "import",
    what: "service-portfolio",
    files: [resolve(shared, "services/dwp-defra-digital-service-portfolios.json")],
    base: "reference",
    naive: true,
  },
  {
    name: "Headcount by organisation and profession 2022",
    mode: "import",
    what: "profession-statistics",
    files: [resolve(repoRoot, "data/seed/data/headcount-by-organisation-and-profession-2022.csv")],
    base: "reference",
    naive: true,
  },
  {
    name: "Senior posts, all organisations 2011-2016",
    mode: "import",
    what: "organogram",
    files: [resolve(shared, "organograms/senior-posts-all-organisations-2011-2016.csv")],
    base: "reference",
    naive: true,
  },
  { name: "Generated graph, tiny scale", mode: "generate", what: "tiny", files: [], base: "reference", naive: true },
  // One person per transaction would take most of an hour at this size: the batched run alone.
  { name: "Generated graph, civil-service scale", mode: "generate", what: "civil-service", files: [], base: "reference", naive: false },
];

interface Run {
  records: number;
  relationships: number;
  seconds: number;
  peakMemoryMB: number;
}

const config = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" });
const neo4j = await startLocalNeo4j({
  name: "bench",
  port: Number(process.env["NEO4J_BENCH_PORT"] ?? 7689),
  password: config.NEO4J_PASSWORD,
  heap: "2g",
  log: (l) => console.error(l),
});
const driver = createDriver(config, neo4j.uri);

async function reset(base: "empty" | "reference"): Promise<void> {
  await emptyGraph(driver);
  // The reference data the other sources link to; nothing of theirs.
  if (base === "reference") {
    await seedOrganisations(driver);
    await seedProfessions(driver);
  }
}

function measure(mode: string, what: string, batchSize: number, files: string[]): Run {
  const output = execFileSync(process.execPath, ["--import", "tsx", resolve(repoRoot, "bench/import-worker.ts"), mode, what, String(batchSize), ...files], {
    env: { ...process.env, NEO4J_URI: neo4j.uri, NEO4J_PASSWORD: config.NEO4J_PASSWORD },
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output.trim().split("\n").at(-1)!) as Run;
}

const results: { name: string; batched: Run; naive: Run | null }[] = [];
try {
  for (const c of cases) {
    if (c.files.some((f) => !existsSync(f))) {
      console.error(`skipped ${c.name}: ${c.files.find((f) => !existsSync(f))} is not here`);
      continue;
    }
    let naive: Run | null = null;
    if (c.naive) {
      await reset(c.base);
      naive = measure(c.mode, c.what, 1, c.files);
    }
    await reset(c.base);
    const batched = measure(c.mode, c.what, c.mode === "import" ? 1000 : 10_000, c.files);
    results.push({ name: c.name, batched, naive });
    console.error(`${c.name}: batched ${batched.seconds.toFixed(2)} s${naive ? `, naive ${naive.seconds.toFixed(2)} s` : ""}`);
  }
} finally {
  await driver.close();
  await neo4j.stop();
}

const rate = (n: number, s: number) => Math.round(n / s).toLocaleString("en-GB");
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Neo4j 5.26 Community on the same machine (heap 2 GB)`;
const rows = results.map(({ name, batched, naive }) => {
  const cells = (r: Run | null) =>
    r ? [`${r.seconds.toFixed(2)} s`, rate(r.records, r.seconds), rate(r.relationships, r.seconds), `${r.peakMemoryMB} MB`] : ["–", "–", "–", "–"];
  const speedup = naive ? `${(naive.seconds / batched.seconds).toFixed(1)}×` : "–";
  return `| ${name} | ${batched.records.toLocaleString("en-GB")} | ${cells(batched).join(" | ")} | ${cells(naive).join(" | ")} | ${speedup} |`;
});
const markdown = `# Import benchmark

\`npm run bench:import\`, ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}.
Batched: our import (1,000 records a transaction; the generator 10,000). Naive: the same code, one record a transaction.
Each run starts from the same graph (empty for the organisations; the GOV.UK organisations and the professions otherwise); peak memory is the import process's own.

| data | records | batched time | records/s | relationships/s | peak memory | naive time | records/s | relationships/s | peak memory | batched speed-up |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}
`;
mkdirSync(resolve(repoRoot, "docs/benchmarks"), { recursive: true });
writeFileSync(resolve(repoRoot, "docs/benchmarks/import.json"), JSON.stringify({ machine, date: new Date().toISOString(), results }, null, 2));
writeFileSync(resolve(repoRoot, "docs/benchmarks/import.md"), markdown);
console.log(markdown);
