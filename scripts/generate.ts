/** npm run generate -- --scale tiny|small|medium|civil-service [--seed N]: the synthetic graph (generate/generate.ts). */
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.js";
import { ensureNeo4j } from "../lib/local-neo4j.js";
import { assertNeo4jReady, createDriver, Neo4jUnavailableError } from "../lib/neo4j.js";
import { migrate } from "../lib/migrate.js";
import { generate, scales, type Scale } from "../generate/generate.js";
import { graphIsEmpty, seedDemoData } from "../seed/seed.js";

const { values } = parseArgs({ options: { scale: { type: "string", default: "small" }, seed: { type: "string", default: "2026" } } });
if (!(values.scale in scales)) {
  console.error(`--scale must be one of ${Object.keys(scales).join(", ")}`);
  process.exit(2);
}
const seed = Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error("--seed must be a whole number");
  process.exit(2);
}

const config = loadConfig();
const neo4j = await ensureNeo4j(config, (line) => console.error(line));
const driver = createDriver(config, neo4j.uri);
try {
  await assertNeo4jReady(driver, neo4j.uri);
  await migrate(driver, config.NEO4J_DATABASE);
  // The generated graph stands on the real organisations and professions.
  if (await graphIsEmpty(driver, config.NEO4J_DATABASE)) await seedDemoData(driver, config.NEO4J_DATABASE);
  const summary = await generate({
    driver, database: config.NEO4J_DATABASE, scale: values.scale as Scale, seed,
    onProgress: (stage, done) => { if (process.stderr.isTTY) process.stderr.write(`\r${stage}: ${done.toLocaleString("en-GB")}      `); },
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(JSON.stringify(summary));
} catch (error) {
  console.error(error instanceof Neo4jUnavailableError ? error.message : error);
  process.exitCode = 1;
} finally {
  await driver.close();
  await neo4j.stop();
}
