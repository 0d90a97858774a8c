/**
 * What every one-shot command (seed, import, generate) does around its work: the configured or local
 * Neo4j, checked and migrated; a plain message and an exit code when it fails; everything closed after.
 */
import type { Driver } from "neo4j-driver";
import { loadConfig, type Config } from "../platform/config.js";
import { ensureNeo4j } from "./local-neo4j.js";
import { createDriver } from "./neo4j.js";
import { checkAndMigrate } from "./migrate.js";

export interface Graph {
  driver: Driver;
  database: string | undefined;
  uri: string;
  config: Config;
}

/**
 * Runs `work` against the graph. An error of a class in `plainErrors` (and Neo4jUnavailableError,
 * ConfigError and the like, whose message is written for people) is printed without a stack trace.
 */
export async function withGraph<T>(
  work: (graph: Graph) => Promise<T>,
  options: { failureExitCode?: number; plainErrors?: (new (...args: never[]) => Error)[] } = {},
): Promise<T | undefined> {
  const config = loadConfig();
  const neo4j = await ensureNeo4j(config, (line) => console.error(line));
  const driver = createDriver(config, neo4j.uri);
  try {
    await checkAndMigrate(driver, neo4j.uri, config.NEO4J_DATABASE);
    return await work({ driver, database: config.NEO4J_DATABASE, uri: neo4j.uri, config });
  } catch (error) {
    const plain = error instanceof Error && (error.name === "Neo4jUnavailableError" || (options.plainErrors ?? []).some((c) => error instanceof c));
    console.error(plain ? error.message : error);
    process.exitCode = options.failureExitCode ?? 1;
    return undefined;
  } finally {
    await driver.close();
    await neo4j.stop();
  }
}
