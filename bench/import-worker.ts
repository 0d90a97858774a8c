/**
 * One measured run in its own process, so its peak memory is its own:
 *   import-worker.ts import <source> <batchSize> <file…>
 *   import-worker.ts generate <scale> <batchSize>
 * Prints one JSON line: what it did, its seconds and its peak resident memory.
 */
import { generate, type Scale } from "../data/generate/generate.js";
import { runImport } from "../data/import/run-import.js";
import { importSources } from "../data/import/sources/index.js";
import { createDriver } from "../graph/neo4j.js";

const [mode, what, batch, ...files] = process.argv.slice(2);
const driver = createDriver({
  NEO4J_URI: process.env["NEO4J_URI"],
  NEO4J_USERNAME: process.env["NEO4J_USERNAME"] ?? "neo4j",
  NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "",
});
const batchSize = Number(batch);
const started = performance.now();
try {
  let records = 0;
  let relationships = 0;
  if (mode === "import") {
    const summary = await runImport(importSources[what!]!, files, { driver, batchSize });
    records = summary.read;
    relationships = summary.relationshipsCreated;
  } else {
    const summary = await generate({ driver, scale: what as Scale, batchSize });
    records = summary.people + summary.stages + summary.services + summary.communities;
    relationships = summary.created - records;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ records, relationships, seconds, peakMemoryMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
} finally {
  await driver.close();
}
