/** npm run seed: loads the demo data into the graph (idempotent). */
import { loadConfig } from "../lib/config.js";
import { ensureNeo4j } from "../lib/local-neo4j.js";
import { assertNeo4jReady, createDriver, Neo4jUnavailableError } from "../lib/neo4j.js";
import { migrate } from "../lib/migrate.js";
import { seedDemoData } from "../seed/seed.js";

const config = loadConfig();
const neo4j = await ensureNeo4j(config);
const driver = createDriver(config, neo4j.uri);
try {
  await assertNeo4jReady(driver, neo4j.uri);
  await migrate(driver, config.NEO4J_DATABASE);
  const summary = await seedDemoData(driver, config.NEO4J_DATABASE);
  console.log(`Seeded ${neo4j.uri}: ${Object.entries(summary).map(([k, v]) => `${v} ${k}`).join(", ")}`);
} catch (error) {
  console.error(error instanceof Neo4jUnavailableError ? error.message : error);
  process.exitCode = 1;
} finally {
  await driver.close();
  await neo4j.stop();
}
