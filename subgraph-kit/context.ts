/**
 * The one context of a subgraph request, as every resolver, plugin and schema step here reads it
 * (built per request in server.ts from the gateway's signed token).
 */
import type { Logger } from "pino";
import type { Neo4jJwt, Viewer } from "../platform/caller.js";

export interface SubgraphContext {
  /** The gateway's id of the request, from its signed token (never a client's x-request-id). */
  requestId: string;
  /** The id the client gave the gateway, if any, as the gateway signed it. */
  clientRequestId?: string | undefined;
  logger: Logger;
  /** Read by @neo4j/graphql: which database to use. */
  sessionConfig?: { database?: string };
  /** Read by @neo4j/graphql: the timeout of each transaction it runs, after which Neo4j stops the query. */
  transaction: { timeout: number };
  /** The caller, as the gateway verified it; undefined for anonymous callers. */
  viewer: Viewer | undefined;
  /** The same, as @neo4j/graphql's @authentication and @authorization rules read it. */
  jwt?: Neo4jJwt;
  /**
   * Read by @neo4j/graphql: the write transaction of the request's mutations, which it runs its Cypher
   * in and never commits (mutations/audit.ts opens and settles it).
   */
  executionContext?: unknown;
}
