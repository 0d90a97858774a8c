import neo4j, { type Driver } from "neo4j-driver";
import type { Neo4jGraphQL } from "@neo4j/graphql";
import type { Config } from "./config.js";

export class Neo4jUnavailableError extends Error {
  override name = "Neo4jUnavailableError";
}

export function createDriver(config: Pick<Config, "NEO4J_URI" | "NEO4J_USERNAME" | "NEO4J_PASSWORD">, uri = config.NEO4J_URI): Driver {
  if (!uri) throw new Neo4jUnavailableError("NEO4J_URI is not set");
  return neo4j.driver(uri, neo4j.auth.basic(config.NEO4J_USERNAME, config.NEO4J_PASSWORD), {
    // Fail fast when Neo4j is gone instead of queueing requests for a minute (the default).
    connectionAcquisitionTimeout: 10_000,
    connectionTimeout: 5_000,
    disableLosslessIntegers: false,
  });
}

/** Turns a driver error into a sentence naming what is wrong, for start-up messages. */
export function describeNeo4jError(error: unknown, uri: string): string {
  const e = error as { code?: string; message?: string };
  const detail = e.message ?? String(error);
  if (e.code === "Neo.ClientError.Security.Unauthorized" || /authentication failure|unauthorized/i.test(detail)) {
    return `Neo4j at ${uri} refused the credentials: check NEO4J_USERNAME and NEO4J_PASSWORD.`;
  }
  if (e.code === "ServiceUnavailable" || e.code === "SessionExpired" || /ECONNREFUSED|ENOTFOUND|Could not perform discovery|Failed to connect/i.test(detail)) {
    return `Cannot reach Neo4j at ${uri}: is it running, and is NEO4J_URI right? (${detail.split("\n")[0]})`;
  }
  const issues = detail.split("\n").slice(1).join("; ");
  if (/Missing APOC/i.test(detail)) {
    return `Neo4j at ${uri} lacks APOC core, which @neo4j/graphql requires (${issues}): install APOC core in its plugins folder.`;
  }
  if (/compatiblility issues/.test(detail)) {
    return `Neo4j at ${uri} cannot serve @neo4j/graphql: ${issues}`;
  }
  return `Neo4j at ${uri} is not usable: ${detail.split("\n")[0]}`;
}

/**
 * Checks that the database answers with these credentials and has what @neo4j/graphql needs
 * (a supported version and APOC core); throws a Neo4jUnavailableError with a plain message otherwise.
 */
export async function assertNeo4jReady(driver: Driver, uri: string, neoSchema?: Neo4jGraphQL): Promise<void> {
  try {
    // One connection, no retries: executeQuery would retry an unreachable server for 30 s.
    await driver.getServerInfo();
    if (neoSchema) await neoSchema.checkNeo4jCompat();
  } catch (error) {
    throw new Neo4jUnavailableError(describeNeo4jError(error, uri));
  }
}
