/**
 * A cache of read answers at the gateway, kept for what the caller may see and dropped by any change to the graph.
 *
 * Key: the document, its operation name and variables, who may see what (gateway/auth.ts verifies the
 * caller before this runs), and the graph's version. Who may see what, from the schema's rules: an
 * anonymous caller sees no one's name (schema/people.graphql, `Person @authentication`), a reader names,
 * roles and grades, an admin everyone's contact details, and a person their own (`email`, `phone`: `$jwt.sub`).
 * So callers with the same roles share answers, except that a document that names a contact field is
 * kept for each person apart; an admin sees every contact detail whoever they are.
 *
 * The graph's version is Neo4j's own: the bookmark a read transaction ends with names the last
 * transaction committed to the database, and changes with every commit, whoever made it: a mutation
 * through any gateway, an import or a seed (separate processes writing to Neo4j), cypher-shell. Read
 * before the subgraphs are asked, so an answer is kept under a version no later than the data it
 * holds, and a write committed before a read starts is seen by it (gateway/graph-version.ts). Old
 * versions' entries are never found again and leave as the least recently used.
 *
 * Why not Hive Gateway's `responseCaching` (@graphql-mesh/plugin-response-cache over
 * @graphql-yoga/plugin-response-cache over @envelop/response-cache), which takes a session and key
 * function and a store of one's own: it looks answers up when the request's parameters are read,
 * before the token is verified and the rate limit paid; it adds `__typename` and `id` to every
 * selection set of every query (sent to the subgraphs) and walks every answer to take them out
 * again; it answers `If-None-Match` with 304 from the store without asking who is calling; a miss
 * builds the key twice; and it invalidates by the entities a mutation answer names, in its own process
 * only, of no use for imports or other gateways.
 */
import { getOperationAST, OperationTypeNode, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { LRUCache } from "lru-cache";
import { createHash } from "node:crypto";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Viewer } from "../platform/caller.js";

export interface ResponseCacheSettings {
  enabled: boolean;
  /** The most answers kept. */
  maxEntries: number;
  /** The most estimated bytes of heap the answers kept may take; one answer larger than a sixteenth of it is never kept. */
  maxBytes: number;
}

/** The graph's current version; throws when it cannot be read (the answer is then neither looked up nor kept). */
export type GraphVersion = () => Promise<string>;

/**
 * The fields shown only to admins and to the person themself (`$jwt.sub` in schema/people.graphql's
 * rules; gateway/response-cache.test.ts checks this list against the schema files).
 */
export const personalFields = ["email", "phone"] as const;
const namesPersonalField = new RegExp(`\\b(${personalFields.join("|")})\\b`);

/**
 * Who may see what, for the key: anonymous, or the caller's roles, and the caller's subject when
 * the document names a contact field (any word `email` or `phone` in it, aliases and comments
 * included: a document kept apart that need not be costs only a miss) and they are not an admin.
 */
export function visibilityOf(viewer: Viewer | undefined, documentText: string): string {
  if (!viewer) return "anonymous";
  const roles = `roles:${viewer.roles.join(",")}`;
  if (viewer.roles.includes("admin") || !namesPersonalField.test(documentText)) return roles;
  return `${roles}|sub:${viewer.sub ?? ""}`;
}

/**
 * Bytes of heap per character of an answer's JSON, with the object tree it is kept as (measured on the
 * journey's answer: gateway/response-cache.e2e.test.ts checks the heap stays within the bound).
 */
export const heapBytesPerCharacter = 4;
const entryOverheadBytes = 500;

interface Entry {
  result: ExecutionResult;
  bytes: number;
}

interface CacheContext {
  viewer?: Viewer | undefined;
  params?: { query?: string | undefined };
}

const documentTexts = new WeakMap<DocumentNode, string>();
/** The document as the client sent it (a trusted document's text once looked up), or printed once when there is none. */
function documentText(document: DocumentNode, context: CacheContext): string {
  if (context.params?.query) return context.params.query;
  let text = documentTexts.get(document);
  if (text === undefined) {
    text = print(document);
    documentTexts.set(document, text);
  }
  return text;
}

/**
 * The cache as a plugin, after authentication and after the limits and the rate limit (which a hit
 * pays as a miss does): at execution, a query's answer is looked up, and on a miss kept once
 * answered without errors. Hits and misses are counted in the gateway's registry.
 */
export function useResponseCache(settings: ResponseCacheSettings, graphVersion: GraphVersion, registry: Registry): GatewayPlugin {
  const entries = new LRUCache<string, Entry>({
    max: settings.maxEntries,
    maxSize: settings.maxBytes,
    maxEntrySize: Math.max(1, Math.floor(settings.maxBytes / 16)),
    sizeCalculation: (entry) => entry.bytes,
  });
  const lookups = new Counter({
    name: "graphql_gateway_response_cache_total",
    help: "Queries looked up in the gateway's response cache, by result (hit, miss, or skipped when the graph's version could not be read)",
    labelNames: ["result"],
    registers: [registry],
  });
  new Gauge({
    name: "graphql_gateway_response_cache_entries",
    help: "Answers held in the gateway's response cache",
    registers: [registry],
    collect() {
      this.set(entries.size);
    },
  });
  new Gauge({
    name: "graphql_gateway_response_cache_bytes",
    help: "Estimated bytes of heap the answers held in the gateway's response cache take",
    registers: [registry],
    collect() {
      this.set(entries.calculatedSize);
    },
  });

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const { document, operationName, variableValues } = args as ExecutionArgs;
      if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.QUERY) return undefined;
      const context = (args as ExecutionArgs).contextValue as CacheContext;
      let version: string;
      try {
        version = await graphVersion();
      } catch {
        // Unknown: a kept answer could be stale, and one kept now could not be told from it.
        lookups.inc({ result: "skipped" });
        return undefined;
      }
      const text = documentText(document, context);
      const key = createHash("sha256")
        .update(JSON.stringify([version, visibilityOf(context.viewer, text), operationName ?? "", variableValues ?? {}, text]))
        .digest("base64url");
      const kept = entries.get(key);
      if (kept) {
        lookups.inc({ result: "hit" });
        setResultAndStopExecution(kept.result);
        return undefined;
      }
      lookups.inc({ result: "miss" });
      return {
        onExecuteDone({ result }) {
          // A streamed answer (@defer, @stream) is not kept; nor one with errors, which may be a subgraph's passing trouble.
          if (Symbol.asyncIterator in Object(result)) return;
          const answer = result as ExecutionResult;
          if (answer.errors?.length || answer.data == null) return;
          entries.set(key, { result: answer, bytes: entryOverheadBytes + JSON.stringify(answer).length * heapBytesPerCharacter });
        },
      };
    },
  };
}
