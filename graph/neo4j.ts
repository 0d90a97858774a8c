import neo4j, { type Driver } from "neo4j-driver";
import type { Neo4jGraphQL } from "@neo4j/graphql";
import type { Config } from "../platform/config.js";

export class Neo4jUnavailableError extends Error {
  override name = "Neo4jUnavailableError";
  /** True when Neo4j could not be reached or was not ready yet, so that trying again later may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean } = {}) {
    super(message);
    this.retryable = options.retryable ?? false;
  }
}

export interface DriverOptions {
  /**
   * For a process that answers requests (a subgraph): each request's database work gives up soon
   * enough that the caller gets DATABASE_UNAVAILABLE before the gateway's SUBGRAPH_TIMEOUT_MS (5 s)
   * runs out. Scripts (seed, import) keep the driver's patient retries.
   */
  serving?: boolean;
}

export function createDriver(
  config: Pick<Config, "NEO4J_URI" | "NEO4J_USERNAME" | "NEO4J_PASSWORD">,
  uri = config.NEO4J_URI,
  options: DriverOptions = {},
): Driver {
  if (!uri) throw new Neo4jUnavailableError("NEO4J_URI is not set");
  const failFast = options.serving
    ? {
        // Managed transactions (@neo4j/graphql runs every operation in one) retry for 30 s by default:
        // with Neo4j down, every request ran into the gateway's 5 s timeout while the subgraph kept
        // retrying. 500 ms allows exactly one retry, after the driver's first back-off step (about 1 s):
        // enough for a stale pooled connection after a restart or a deadlock, and an unreachable Neo4j
        // is reported in about 1.2 s. A second retry would come about 2 s later.
        maxTransactionRetryTime: 500,
        // A new connection to a live Neo4j takes milliseconds; 1.5 s for the TCP connection and 2 s in
        // all (Bolt handshake and authentication included, or waiting for a pooled one) keep even two
        // attempts at a host that does not answer under the gateway's 5 s.
        connectionTimeout: 1_500,
        connectionAcquisitionTimeout: 2_000,
      }
    : {
        // Fail fast when Neo4j is gone instead of queueing requests for a minute (the default).
        connectionAcquisitionTimeout: 10_000,
        connectionTimeout: 5_000,
      };
  return neo4j.driver(uri, neo4j.auth.basic(config.NEO4J_USERNAME, config.NEO4J_PASSWORD), { ...failFast, disableLosslessIntegers: false });
}

/** True when the error says Neo4j could not be reached, or is not ready yet: trying again later may succeed. */
export function isNeo4jUnreachable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e.code === "ServiceUnavailable" || e.code === "SessionExpired" || e.code?.startsWith("Neo.TransientError.")) return true;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|Could not perform discovery|Failed to connect|Failed to establish connection|Connection acquisition timed out/i.test(
    e.message ?? "",
  );
}

/** Turns a driver error into a sentence naming what is wrong, for start-up messages. */
export function describeNeo4jError(error: unknown, uri: string): string {
  const e = error as { code?: string; message?: string };
  const detail = e.message ?? String(error);
  if (e.code === "Neo.ClientError.Security.Unauthorized" || /authentication failure|unauthorized/i.test(detail)) {
    return `Neo4j at ${uri} refused the credentials: check NEO4J_USERNAME and NEO4J_PASSWORD.`;
  }
  if (isNeo4jUnreachable(error) && !e.code?.startsWith("Neo.TransientError.")) {
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
 * (a supported version and APOC core); throws a Neo4jUnavailableError with a plain message otherwise,
 * `retryable` when Neo4j could not be reached or was not ready yet.
 */
export async function assertNeo4jReady(driver: Driver, uri: string, neoSchema?: Neo4jGraphQL): Promise<void> {
  try {
    // One connection, no retries: executeQuery would retry an unreachable server for 30 s.
    await driver.getServerInfo();
    if (neoSchema) await neoSchema.checkNeo4jCompat();
  } catch (error) {
    throw new Neo4jUnavailableError(describeNeo4jError(error, uri), { retryable: isNeo4jUnreachable(error) });
  }
}
