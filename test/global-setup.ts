/**
 * One Neo4j for the whole run: NEO4J_URI when set, otherwise a local one of its own (port 7688, data
 * in .neo4j/test), with the schema migrated and the demo data loaded. Tests isolate what they write
 * with unique ids (test/helpers.ts), so the database is shared and never wiped.
 */
import type { TestProject } from "vitest/node";
import { parseConfig } from "../lib/config.js";
import { startLocalNeo4j, type LocalNeo4j } from "../lib/local-neo4j.js";
import { assertNeo4jReady, createDriver } from "../lib/neo4j.js";
import { migrate } from "../lib/migrate.js";
import { seedDemoData } from "../seed/seed.js";

let local: LocalNeo4j | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = parseConfig();
  const port = Number(process.env["NEO4J_TEST_PORT"] ?? 7688);
  if (!config.NEO4J_URI) {
    local = await startLocalNeo4j({ name: "test", port, password: config.NEO4J_PASSWORD, log: () => {} });
  }
  const uri = config.NEO4J_URI ?? local!.uri;
  const driver = createDriver(config, uri);
  try {
    await assertNeo4jReady(driver, uri);
    await migrate(driver, config.NEO4J_DATABASE);
    await seedDemoData(driver, config.NEO4J_DATABASE);
  } finally {
    await driver.close();
  }
  project.provide("neo4j", { uri, username: config.NEO4J_USERNAME, password: config.NEO4J_PASSWORD, database: config.NEO4J_DATABASE ?? null });
  return async () => {
    await local?.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    neo4j: { uri: string; username: string; password: string; database: string | null };
  }
}
