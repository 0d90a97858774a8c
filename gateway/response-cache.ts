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
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Viewer } from "../platform/caller.js";
import type { TokenVerifier } from "./auth.js";
import type { RateLimit } from "./limits.js";
import { executionListItems } from "./list-items.js";

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

/** An answer as the gateway sent it (status 200), to send again from the HTTP server with a new request id. */
interface SentAnswer {
  headers: [string, string][];
  body: Buffer;
  /** The list items the document may ask for, which a request pays the rate limit for (gateway/limits.ts). */
  listItems: number;
  operationName: string | undefined;
}

interface Entry {
  result: ExecutionResult;
  bytes: number;
  /** By the request's Accept header: its answer as sent, once the runtime has sent it. */
  sent?: Map<string, SentAnswer>;
}

/** The most ways (Accept headers) one answer is kept as sent. */
const sentWaysPerEntry = 4;
/** Headers each answer has its own of, or that the HTTP server sets. */
const ownHeaders = new Set(["x-request-id", "content-length", "date", "connection", "keep-alive", "transfer-encoding"]);

/** The graph's version read by the HTTP server for a request it then passed on (read after the request arrived, so the runtime may use it). */
const versionReadAtServer = Symbol("graph version read at the server");
type ServerRequest = IncomingMessage & { [versionReadAtServer]?: string; body?: Buffer };

interface CacheContext {
  viewer?: Viewer | undefined;
  params?: { query?: string | undefined; variables?: unknown; extensions?: unknown } | undefined;
  request?: Request;
  req?: ServerRequest;
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

/** An answer's key: the graph's version, who may see what, and the request as the client sent it (its variables as sent: finer than as coerced, never coarser). */
function keyOf(version: string, viewer: Viewer | undefined, text: string, operationName: string | null | undefined, variables: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([version, visibilityOf(viewer, text), operationName ?? "", variables ?? {}, text]))
    .digest("base64url");
}

/** What the HTTP server needs to answer a kept query itself, as the runtime would. */
export interface ServerAnswerOptions {
  graphqlEndpoint: string;
  verify: TokenVerifier;
  payForKeptAnswer: RateLimit["payForKeptAnswer"];
  maxBodyBytes: number;
  /** Logs and counts the answer as the runtime's plugins do (gateway/observability.ts); the response carries the request id it returns. */
  answered(req: IncomingMessage, started: number, operationName: string | undefined): string;
}

/** Answers a request from the cache and returns true, or returns false, having left the request for the runtime. */
export type ServerAnswer = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface ResponseCache {
  plugin: GatewayPlugin;
  /** Given ServerAnswerOptions: kept answers sent by the HTTP server before the runtime sees the request. */
  serverAnswer?: ServerAnswer;
}

/** The body, whole; on an error, what came. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolveBody(Buffer.concat(chunks)));
    req.once("error", () => resolveBody(Buffer.concat(chunks)));
  });
}

interface RequestParams {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** A request of one query document by its text, nothing else that could change its answer (no extensions, no documentId, no batch). */
function plainParams(value: unknown): RequestParams | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { query, operationName, variables, ...rest } = value as Record<string, unknown>;
  if (typeof query !== "string" || Object.keys(rest).length > 0) return undefined;
  if (operationName != null && typeof operationName !== "string") return undefined;
  if (variables != null && (typeof variables !== "object" || Array.isArray(variables))) return undefined;
  return value as RequestParams;
}

/**
 * The cache as a plugin, after authentication and after the limits and the rate limit (which a hit
 * pays as a miss does): at execution, a query's answer is looked up, and on a miss kept once
 * answered without errors. Hits and misses are counted in the gateway's registry.
 *
 * With `server`, the answer the runtime sent for a kept query (status 200, by the request's Accept
 * header) is kept beside it, and the HTTP server sends it again itself for the same request (a POST
 * of the same JSON fields, the same caller's visibility, the same version of the graph) without the
 * runtime's request pipeline: after verifying the token and paying the rate limit as the runtime
 * would, logged and counted as the runtime's plugins do. The limits need not run again: the kept
 * answer's request, the same document and variables, passed them. Anything else (another content
 * type, an Origin, which CORS answers, a body over 64 KB, a token refused) goes to the runtime.
 */
export function useResponseCache(settings: ResponseCacheSettings, graphVersion: GraphVersion, registry: Registry, server?: ServerAnswerOptions): ResponseCache {
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

  /** Requests whose answer comes from (or goes to) the cache under this key; null when a request runs more than one operation (a batch). */
  const marked = new WeakMap<Request, { key: string; listItems: number; operationName: string | undefined } | null>();
  const mark = (context: CacheContext, key: string, args: ExecutionArgs) => {
    const request = context.request;
    if (!server || !request || request.method !== "POST" || context.params?.extensions !== undefined) return;
    const operationName = getOperationAST(args.document, args.operationName)?.name?.value ?? args.operationName ?? undefined;
    marked.set(request, marked.has(request) ? null : { key, listItems: executionListItems(args).items, operationName });
  };

  const plugin: GatewayPlugin = {
    async onExecute({ args, setResultAndStopExecution }) {
      const { document, operationName, variableValues } = args as ExecutionArgs;
      if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.QUERY) return undefined;
      const context = (args as ExecutionArgs).contextValue as CacheContext;
      let version: string;
      try {
        version = context.req?.[versionReadAtServer] ?? (await graphVersion());
      } catch {
        // Unknown: a kept answer could be stale, and one kept now could not be told from it.
        lookups.inc({ result: "skipped" });
        return undefined;
      }
      const text = documentText(document, context);
      const key = keyOf(version, context.viewer, text, operationName, context.params ? context.params.variables : variableValues);
      const kept = entries.get(key);
      if (kept) {
        lookups.inc({ result: "hit" });
        mark(context, key, args);
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
          mark(context, key, args);
        },
      };
    },
    async onResponse({ request, response }) {
      const kept = marked.get(request);
      if (!kept || response.status !== 200 || response.headers.has("set-cookie") || response.headers.has("content-encoding")) return;
      const entry = entries.peek(kept.key);
      const accept = request.headers.get("accept") ?? "";
      if (!entry || entry.sent?.has(accept) || (entry.sent?.size ?? 0) >= sentWaysPerEntry) return;
      const headers: [string, string][] = [];
      response.headers.forEach((value, name) => void (ownHeaders.has(name) ? undefined : headers.push([name, value])));
      const body = Buffer.from(await response.clone().arrayBuffer());
      const sent = new Map(entry.sent).set(accept, {
        headers,
        body,
        listItems: kept.listItems,
        operationName: kept.operationName,
      });
      // Counted in the same bound: set again, the entry is sized again (and dropped if it no longer fits).
      if (entries.peek(kept.key) === entry) entries.set(kept.key, { ...entry, sent, bytes: entry.bytes + body.length + entryOverheadBytes });
    },
  };
  return { plugin, ...(server ? { serverAnswer: serverAnswerOf(server) } : {}) };

  function serverAnswerOf(options: ServerAnswerOptions): ServerAnswer {
    return async (req: ServerRequest, res) => {
      if (entries.size === 0 || req.method !== "POST" || req.url !== options.graphqlEndpoint) return false;
      const { headers } = req;
      const type = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      const declared = headers["content-length"] ?? "";
      if (type !== "application/json" || headers.origin !== undefined || headers["content-encoding"] !== undefined || !/^\d+$/.test(declared)) return false;
      const length = Number(declared);
      if (length === 0 || length > Math.min(options.maxBodyBytes, 65_536)) return false;
      const started = performance.now();
      const body = await readBody(req);
      // The runtime reads the body from here when the request goes on to it (@whatwg-node/server).
      req.body = body;
      let params: RequestParams | undefined;
      try {
        params = plainParams(JSON.parse(body.toString("utf8")));
      } catch {
        return false;
      }
      if (!params || /^\s*mutation\b/.test(params.query)) return false;
      let viewer: Viewer | undefined;
      let version: string;
      try {
        viewer = await options.verify(typeof headers.authorization === "string" ? headers.authorization : null);
        version = await graphVersion();
      } catch {
        return false;
      }
      req[versionReadAtServer] = version;
      let key: string;
      try {
        key = keyOf(version, viewer, params.query, params.operationName, params.variables);
      } catch {
        // Variables nested past what JSON.stringify can walk (thousands deep): the runtime's limits refuse them by name.
        return false;
      }
      const entry = entries.get(key);
      const sent = entry?.sent?.get(headers.accept ?? "");
      if (!sent || !options.payForKeptAnswer(viewer, req, sent.listItems)) return false;
      lookups.inc({ result: "hit" });
      const requestId = options.answered(req, started, sent.operationName);
      res.writeHead(200, { ...Object.fromEntries(sent.headers), "x-request-id": requestId, "content-length": String(sent.body.length) });
      res.end(sent.body);
      return true;
    };
  }
}
