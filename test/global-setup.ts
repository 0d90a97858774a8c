/**
 * One Neo4j for the whole run: NEO4J_URI when set, otherwise a local one of its own (port 7688, data
 * in .neo4j/test), with the schema migrated and the demo data loaded. Tests isolate what they write
 * with unique ids (test/helpers.ts), so the database is shared and never wiped.
 */
import type { TestProject } from "vitest/node";
import { parseConfig } from "../platform/config.js";
import { startLocalNeo4j, type LocalNeo4j } from "../graph/local-neo4j.js";
import { createDriver } from "../graph/neo4j.js";
import { checkAndMigrate } from "../graph/migrate.js";
import { seedDemoData } from "../data/seed/seed.js";

type Neo4jSettings = { uri: string; username: string; password: string; database: string | null };

/**
 * The int and e2e projects, and their serial ones, each call this set-up; they run in one process, so
 * the first starts the Neo4j, the others wait for it, and the last to finish stops it.
 */
const shared = globalThis as { serviceGraphTestNeo4j?: { ready: Promise<Neo4jSettings>; users: number; local?: LocalNeo4j } };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.serviceGraphTestNeo4j ??= { ready: start(), users: 0 };
  const state = shared.serviceGraphTestNeo4j;
  state.users++;
  project.provide("neo4j", await state.ready);
  return async () => {
    if (--state.users > 0) return;
    delete shared.serviceGraphTestNeo4j;
    await state.local?.stop();
  };

  async function start(): Promise<Neo4jSettings> {
    const config = parseConfig();
    let local: LocalNeo4j | undefined;
    const port = Number(process.env["NEO4J_TEST_PORT"] ?? 7688);
    if (!config.NEO4J_URI) {
      local = await startLocalNeo4j({ name: "test", port, password: config.NEO4J_PASSWORD, log: () => {} });
      shared.serviceGraphTestNeo4j!.local = local;
    }
    const uri = config.NEO4J_URI ?? local!.uri;
    const driver = createDriver(config, uri);
    try {
      await checkAndMigrate(driver, uri, config.NEO4J_DATABASE);
      await seedDemoData(driver, config.NEO4J_DATABASE);
    } finally {
      await driver.close();
    }
    return { uri, username: config.NEO4J_USERNAME, password: config.NEO4J_PASSWORD, database: config.NEO4J_DATABASE ?? null };
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    neo4j: Neo4jSettings;
  }
}
