/**
 * What the gateway refuses before it spends anything on a request: documents too deep, too wide
 * (aliases, tokens) or too costly, bodies too large, batches, content types a browser sends from any
 * web site without asking, and clients that ask too often. Each refusal is a GraphQL error whose
 * HTTP status and message say why.
 */
import type { IncomingMessage } from "node:http";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { maxAliasesPlugin, maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin, maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin, MaxTokensParserWLexer } from "@escape.tech/graphql-armor-max-tokens";
import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { DocumentCache, useDocumentCache } from "./document-cache.js";
import { documentCostRule, useDocumentCost } from "./document-cost.js";
import { executionListItems, listItemsRefusals, useMaxListItems } from "./list-items.js";
import { GraphQLError, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema, type ValidationContext } from "graphql";
import type { Config } from "../platform/config.js";

export interface GatewayLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxListItems: number;
  maxBodyBytes: number;
  /** Variables: how deep they may nest, and how many values (list items, object fields) they may hold in all. */
  maxVariablesDepth: number;
  maxVariableValues: number;
  /** Estimated bytes of parsed and validated documents kept (gateway/document-cache.ts); 0 keeps none. */
  documentCacheBytes: number;
  /** Operations in one batched request (a JSON array); 0 refuses batches. */
  maxBatch: number;
  /** A bucket of `burst` tokens per client, refilled at `perSecond`; a request takes one per 1,000 list items, at least one. Undefined: no rate limit. */
  rateLimit: { burst: number; perSecond: number } | undefined;
  /** Reverse proxies in front of the gateway whose X-Forwarded-For names the client. */
  trustedProxies: number;
}

export function limitsFromConfig(config: Config): GatewayLimits {
  return {
    maxDepth: config.GATEWAY_MAX_DEPTH,
    maxAliases: config.GATEWAY_MAX_ALIASES,
    maxTokens: config.GATEWAY_MAX_TOKENS,
    maxCost: config.GATEWAY_MAX_COST,
    maxListItems: config.GATEWAY_MAX_LIST_ITEMS,
    maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
    maxVariablesDepth: config.GATEWAY_MAX_VARIABLES_DEPTH,
    maxVariableValues: config.GATEWAY_MAX_VARIABLE_VALUES,
    documentCacheBytes: config.GATEWAY_DOCUMENT_CACHE_BYTES,
    maxBatch: config.GATEWAY_MAX_BATCH,
    rateLimit:
      config.GATEWAY_RATE_LIMIT_PER_SECOND > 0 ? { burst: config.GATEWAY_RATE_LIMIT_BURST, perSecond: config.GATEWAY_RATE_LIMIT_PER_SECOND } : undefined,
    trustedProxies: config.GATEWAY_TRUSTED_PROXIES,
  };
}

/** A refusal as the runtime sends it: the message and code to the client, the status and headers to HTTP. */
export function refusal(status: number, code: string, message: string, headers?: Record<string, string>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status, ...(headers ? { headers } : {}) } } });
}

/** The same, for a request answered before the GraphQL pipeline runs (from onRequest). */
export function refusalResponse(fetchAPI: { Response: typeof Response }, error: GraphQLError): Response {
  const { http, ...extensions } = error.extensions as { http: { status: number; headers?: Record<string, string> } };
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
    status: http.status,
    headers: { "content-type": "application/json; charset=utf-8", ...http.headers },
  });
}

// graphql-armor words its refusals as syntax errors ("Syntax Error: Query depth limit of 12 exceeded,
// found 30."); reported through the validation context instead, they read as what they are.
const reportAsValidationError = (context: ValidationContext | null, error: GraphQLError) =>
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, "")));

/** The armor rules' options: the plugins below and documentLimitViolations use the same. */
function armorOptions(limits: GatewayLimits) {
  const rejection = { propagateOnRejection: false, onReject: [reportAsValidationError] };
  return {
    // Fragments are reuse, not nesting: a spread adds no depth of its own.
    depth: { n: limits.maxDepth, flattenFragments: true, ...rejection },
    // Aliased __typename counts too: its default exemption would let a flood of them through.
    aliases: { n: limits.maxAliases, allowList: [], ...rejection },
    tokens: { n: limits.maxTokens },
  };
}

/**
 * What the variables hold, walked without recursion: a problem's message, or undefined. Deeply nested
 * variables overflowed the stack of the recursive code downstream (graphql-js's coercion, the
 * subgraph call), which answered a masked error, retried, as a 504.
 */
export function variablesProblem(variables: unknown, maxDepth: number, maxValues: number): string | undefined {
  const pending: [unknown, number][] = [[variables, 0]];
  let values = 0;
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= maxDepth) return `The variables are nested more than ${maxDepth} levels deep, more than this API accepts.`;
    const children = Array.isArray(value) ? value : Object.values(value);
    values += children.length;
    if (values > maxValues)
      return `The variables hold more than ${maxValues.toLocaleString("en-GB")} values (list items and object fields), more than this API accepts.`;
    for (const child of children) pending.push([child, depth + 1]);
  }
  return undefined;
}

/** Refuses, before anything is parsed, variables nested too deep or holding too many values (400, BAD_USER_INPUT). */
export function useVariablesLimits(limits: GatewayLimits): GatewayPlugin {
  return {
    onParams({ params }) {
      const problem = variablesProblem(params.variables, limits.maxVariablesDepth, limits.maxVariableValues);
      if (problem) throw refusal(400, "BAD_USER_INPUT", problem);
    },
  };
}

/**
 * The byte-bounded document cache in the place of yoga's, then graphql-armor's limits on the
 * document: tokens while parsing, then depth and aliases while validating, and the document's cost
 * (gateway/document-cost.ts); the variables and
 * the list items a request may ask for.
 */
export function documentLimitPlugins(limits: GatewayLimits, cache = new DocumentCache(limits.documentCacheBytes)): GatewayPlugin[] {
  const options = armorOptions(limits);
  return [
    useDocumentCache(cache),
    useVariablesLimits(limits),
    maxTokensPlugin(options.tokens),
    maxDepthPlugin(options.depth),
    maxAliasesPlugin(options.aliases),
    useDocumentCost(limits.maxCost),
    // Without a mask: the message just ends where the suggestion was.
    blockFieldSuggestionsPlugin({ mask: "" }),
    useMaxListItems(limits.maxListItems),
  ] as GatewayPlugin[];
}

/** Why the document would be refused under the limits, as the gateway would say it; empty when it passes. */
export function documentLimitViolations(schema: GraphQLSchema, text: string, limits: GatewayLimits, variables: Record<string, unknown> = {}): string[] {
  const options = armorOptions(limits);
  let document: DocumentNode;
  try {
    document = new MaxTokensParserWLexer(text, options.tokens).parseDocument();
  } catch (error) {
    return [(error as Error).message];
  }
  const rules = [maxDepthRule(options.depth), maxAliasesRule(options.aliases), documentCostRule(limits.maxCost)];
  const invalid = validate(schema, document, [...specifiedRules, ...rules]);
  return (invalid.length > 0 ? invalid : listItemsRefusals(schema, document, limits.maxListItems, variables)).map((error) => error.message);
}

/** graphql-js suggests names it knows ("Did you mean "services"?", "… the enum value "FRONTSTAGE"?"): they map the schema for a client that may not see it. */
export const withoutSuggestions = (message: string): string => message.replace(/\s*Did you mean [^?]*\?/g, "");

/**
 * Removes suggestions from every error the gateway sends, whichever phase raised it. armor's plugin
 * covers validation; variable values, enum values and the runtime's own errors suggest names too.
 */
export function useNoSuggestions(): GatewayPlugin {
  const clean = (result: ExecutionResult) => {
    for (const error of result.errors ?? []) {
      // A GraphQLError's message is an own, writable property; the result is serialised after this hook.
      (error as { message: string }).message = withoutSuggestions(error.message);
    }
  };
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result)) result.forEach(clean);
      else if (!(Symbol.asyncIterator in result)) clean(result as ExecutionResult);
    },
  };
}

// What yoga parses as JSON. Anything else a browser may POST from any site without a preflight
// (text/plain, application/x-www-form-urlencoded, multipart/form-data, no type at all): refused.
const jsonContentTypes = new Set(["application/json", "application/graphql+json"]);

/** The body, counted as it streams, failing once it passes the limit (a chunked body declares no length). */
function withBodyLimit(request: Request, maxBytes: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  let received = 0;
  // A native stream must be piped through a native TransformStream (as yoga's own limit does).
  const Transform = request.body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
  const limited = request.body!.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) controller.error(bodyTooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: limited,
    duplex: "half",
  } as RequestInit);
}

const bodyTooLarge = (maxBytes: number) => refusal(413, "REQUEST_ENTITY_TOO_LARGE", `The request body is larger than the ${maxBytes} bytes this API accepts.`);

/** Refuses, before anything is parsed, a POST that is not JSON and a body larger than the limit. */
export function useRequestBodyLimits(limits: GatewayLimits): GatewayPlugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (request.method === "POST") {
        const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
        if (!jsonContentTypes.has(type)) {
          throw refusal(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            `This API accepts a POST only as JSON (Content-Type: application/json), not ${type ? `as ${type}` : "without a content type"}.`,
          );
        }
      }
      const declared = request.headers.get("content-length");
      if (declared !== null && !/^\d+$/.test(declared)) throw refusal(400, "BAD_REQUEST", "The Content-Length header is not a number.");
      if (declared !== null && Number(declared) > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
      if (request.body && requestParser) {
        setRequestParser((parsed) => requestParser(withBodyLimit(parsed, limits.maxBodyBytes, fetchAPI)));
      }
    },
  };
}

/** Token buckets by key, at most maxKeys of them: the least recently used goes first (it has refilled the longest). */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  private readonly burst: number;
  private readonly perSecond: number;
  private readonly maxKeys: number;
  constructor(burst: number, perSecond: number, maxKeys = 100_000) {
    this.burst = burst;
    this.perSecond = perSecond;
    this.maxKeys = maxKeys;
  }

  /**
   * Takes `amount` tokens for the key (at most a whole bucket, so that anything allowed can run once
   * the bucket is full): undefined when it had them, otherwise the whole seconds until it has, and
   * `paidBeforeOnRetry` more: what the retry will have taken on arrival before it asks for these.
   */
  take(key: string, now = Date.now(), amount = 1, paidBeforeOnRetry = 0): number | undefined {
    const needed = Math.min(amount, this.burst);
    const tokens = this.tokensAt(key, now);
    this.buckets.delete(key);
    if (tokens < needed) {
      this.buckets.set(key, { tokens, at: now });
      return this.secondsUntil(tokens, Math.min(needed + paidBeforeOnRetry, this.burst));
    }
    this.buckets.set(key, { tokens: tokens - needed, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return undefined;
  }

  /** Like take, without taking: the whole seconds until the key has a token, or undefined when it has one. */
  wait(key: string, now = Date.now()): number | undefined {
    const tokens = this.tokensAt(key, now);
    return tokens < 1 ? this.secondsUntil(tokens, 1) : undefined;
  }

  private tokensAt(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    return bucket ? Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond) : this.burst;
  }

  private secondsUntil(tokens: number, needed: number): number {
    return Math.max(1, Math.ceil((needed - tokens) / this.perSecond));
  }
}

/** The client's address: the socket's peer, or with trusted proxies in front the address the farthest of them saw. */
export function clientAddress(peer: string | undefined, forwardedFor: string | null, trustedProxies: number): string {
  if (trustedProxies > 0 && forwardedFor) {
    const hops = forwardedFor
      .split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    const client = hops[hops.length - trustedProxies] ?? hops[0];
    if (client) return client;
  }
  return peer ?? "unknown";
}

/** Whose bucket a request takes from: the verified caller's when its token names one, otherwise its address's. */
export const rateLimitKey = (viewer: { sub?: string } | undefined, address: string): string => (viewer?.sub ? `sub:${viewer.sub}` : `ip:${address}`);

/** What a request costs the rate limit: one token per 1,000 list items it may ask for, at least one. */
export const rateLimitCost = (listItems: number): number => Math.max(1, Math.ceil(listItems / 1000));

interface RateLimitContext {
  viewer?: { sub?: string } | undefined;
  req?: IncomingMessage;
}

/**
 * A token bucket per client. A request without a token is counted as it arrives, before its body is
 * read; one with a token once the token is verified (gateway/auth.ts, which must come first among the
 * plugins), so that it is counted against its subject and not against a shared address. A request
 * with a token that never got that far (its token refused, its document not parsed or not valid) is
 * counted against its address once answered, and an address out of those is refused before its token
 * is checked: guessing tokens, or sending junk with any Authorization header, is limited too.
 *
 * Once its document is counted (gateway/list-items.ts, at execution), a request pays the rest of its
 * cost, or is refused with 429 before anything runs: ten fan-outs at once cost ten times one.
 */
export function useRateLimit(limits: GatewayLimits): GatewayPlugin<RateLimitContext> {
  return createRateLimit(limits).plugin;
}

export interface RateLimit {
  plugin: GatewayPlugin<RateLimitContext>;
  /**
   * For a query answered from the response cache before the runtime sees it (gateway/response-cache.ts):
   * takes what the runtime would have taken for it (one on arrival and the rest of its cost), true when
   * the client had it. False takes nothing: the request then goes through the runtime, which refuses it as usual.
   */
  payForKeptAnswer(viewer: { sub?: string } | undefined, req: IncomingMessage, listItems: number): boolean;
}

export function createRateLimit(limits: GatewayLimits): RateLimit {
  const { rateLimit } = limits;
  if (!rateLimit) return { plugin: {}, payForKeptAnswer: () => true };
  const buckets = new TokenBuckets(rateLimit.burst, rateLimit.perSecond);
  const uncountedWithToken = new TokenBuckets(rateLimit.burst, rateLimit.perSecond);
  const counted = new WeakSet<Request>();
  const address = (req: IncomingMessage | undefined, forwardedFor: string | null) =>
    clientAddress(req?.socket.remoteAddress, forwardedFor, limits.trustedProxies);
  const tooMany = (retryAfterSeconds: number) =>
    refusal(429, "RATE_LIMITED", `Too many requests from this client: try again in ${retryAfterSeconds} s.`, { "retry-after": String(retryAfterSeconds) });
  const plugin: GatewayPlugin<RateLimitContext> = {
    onRequest({ request, serverContext, endResponse, fetchAPI }) {
      const from = rateLimitKey(undefined, address((serverContext as RateLimitContext).req, request.headers.get("x-forwarded-for")));
      const wait = request.headers.has("authorization") ? uncountedWithToken.wait(from) : buckets.take(from);
      if (wait !== undefined) endResponse(refusalResponse(fetchAPI, tooMany(wait)));
    },
    onResponse({ request, serverContext }) {
      if (request.headers.has("authorization") && !counted.has(request)) {
        uncountedWithToken.take(rateLimitKey(undefined, address((serverContext as RateLimitContext).req, request.headers.get("x-forwarded-for"))));
      }
    },
    onContextBuilding({ context }) {
      if (!context.request.headers.has("authorization")) return;
      counted.add(context.request);
      const wait = buckets.take(rateLimitKey(context.viewer, address(context.req, context.request.headers.get("x-forwarded-for"))));
      if (wait !== undefined) throw tooMany(wait);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as RateLimitContext & { request: Request };
      const { count, items, badVariables } = executionListItems(args);
      // Refused by the list-items bound (useMaxListItems), having cost nothing.
      if (badVariables.length > 0 || count.badArguments.length > 0 || items > limits.maxListItems) return;
      // The one token taken on arrival is part of the cost, and the whole cost is at most a bucket: the
      // rest capped at a bucket alone would never fit beside that token. A refused request keeps its
      // arrival token, so the retry is told to wait for the rest and its own arrival token, or every
      // retry would pay the one token the refill brought and be refused again.
      const rest = Math.min(rateLimitCost(items), rateLimit.burst) - 1;
      const wait = buckets.take(rateLimitKey(context.viewer, address(context.req, context.request.headers.get("x-forwarded-for"))), Date.now(), rest, 1);
      if (wait !== undefined) setResultAndStopExecution({ errors: [tooMany(wait)] });
    },
  };
  return {
    plugin,
    payForKeptAnswer(viewer, req, listItems) {
      const forwardedFor = req.headers["x-forwarded-for"];
      const from = address(req, Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? null));
      // A client with a token whose address is out of its tokens is refused by the runtime before its token is checked.
      if (req.headers.authorization !== undefined && uncountedWithToken.wait(rateLimitKey(undefined, from)) !== undefined) return false;
      return buckets.take(rateLimitKey(viewer, from), Date.now(), Math.min(rateLimitCost(listItems), rateLimit.burst)) === undefined;
    },
  };
}
