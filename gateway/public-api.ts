/**
 * The gateway as a public API: production mode (no IDE, no introspection), trusted documents, the
 * limits of gateway/limits.ts, and subgraph queries retried within the subgraph timeout.
 */
import {
  getRetryInfo,
  isRetryExecutionRequest,
  useUpstreamRetry,
  useUpstreamTimeout,
  type GatewayConfigBase,
  type GatewayPlugin,
} from "@graphql-hive/gateway-runtime";
import { OperationTypeNode } from "graphql";
import { parseConfig, type Config } from "../platform/config.js";
import { readPersistedDocuments } from "../dashboard/persisted-documents.js";
import { corsFor } from "./browser-access.js";
import type { DocumentCache } from "./document-cache.js";
import type { ResponseCacheSettings } from "./response-cache.js";
import {
  documentLimitPlugins,
  limitsFromConfig,
  refusal,
  refusalResponse,
  useNoSuggestions,
  createRateLimit,
  useRequestBodyLimits,
  type GatewayLimits,
  type RateLimit,
} from "./limits.js";

export interface PublicApiSettings {
  limits: GatewayLimits;
  /** The parsed documents kept (gateway/document-cache.ts); one of `limits.documentCacheBytes` when left out. Tests read its size. */
  documentCache?: DocumentCache;
  introspection: boolean;
  graphiql: boolean;
  /** On: only the manifest's documents run (dashboard/persisted-documents.ts). */
  trustedDocuments: boolean;
  /** Retries of a subgraph query that could not be reached. */
  subgraphQueryRetries: number;
  /** Set: /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Without a token: whether /metrics answers anyone (development) or no one (production: 404). */
  metricsWithoutToken: boolean;
  /** Other sites' origins whose pages may call the API (gateway/browser-access.ts). */
  corsOrigins: string[];
  /** The cache of read answers (gateway/response-cache.ts); it runs only when the gateway is given the graph's version. */
  responseCache: ResponseCacheSettings;
}

export function publicApiSettings(config: Config): PublicApiSettings {
  const development = config.SERVICE_GRAPH_ENV === "development";
  return {
    limits: limitsFromConfig(config),
    introspection: config.GATEWAY_INTROSPECTION ?? development,
    graphiql: config.GATEWAY_GRAPHIQL ?? development,
    trustedDocuments: config.GATEWAY_TRUSTED_DOCUMENTS,
    subgraphQueryRetries: config.SUBGRAPH_QUERY_RETRIES,
    metricsToken: config.METRICS_TOKEN,
    // In production /metrics would tell anyone each operation's traffic and errors.
    metricsWithoutToken: development,
    corsOrigins: config.GATEWAY_CORS_ORIGINS,
    responseCache: {
      enabled: config.GATEWAY_RESPONSE_CACHE,
      maxEntries: config.GATEWAY_RESPONSE_CACHE_ENTRIES,
      maxBytes: config.GATEWAY_RESPONSE_CACHE_BYTES,
    },
  };
}

/** The settings of an environment with nothing set: development's. */
export const defaultPublicApiSettings = (): PublicApiSettings => publicApiSettings(parseConfig({}));

/**
 * The runtime's own options for the settings. The manifest's documents are accepted by id in every
 * mode, so the dashboard sends ids alone; trusted documents mode refuses everything else.
 */
export function publicApiRuntimeOptions(
  settings: PublicApiSettings,
): Pick<GatewayConfigBase<Record<string, unknown>>, "persistedDocuments" | "disableIntrospection" | "batching" | "requestId" | "cors"> {
  const documents = readPersistedDocuments();
  return {
    persistedDocuments: {
      getPersistedOperation: (id) => documents.get(id) ?? null,
      allowArbitraryDocuments: !settings.trustedDocuments,
      customErrors: {
        notFound: () => refusal(400, "PERSISTED_QUERY_NOT_FOUND", "This API runs only its trusted documents, and the documentId sent is not one of them."),
        persistedQueryOnly: () =>
          refusal(400, "PERSISTED_QUERY_ONLY", "This API runs only its trusted documents: send the documentId of one instead of a query."),
        keyNotFound: () => refusal(400, "BAD_REQUEST", "The request has neither a query nor the documentId of a trusted document."),
      },
    },
    ...(settings.introspection ? {} : { disableIntrospection: {} }),
    // Without a limit the runtime refuses a JSON array body ("Batching is not supported.").
    ...(settings.limits.maxBatch > 0 ? { batching: { limit: settings.limits.maxBatch } } : {}),
    // Replaced by gateway/observability.ts, which checks a client's id before using it.
    requestId: false,
    // The runtime's default echoes any Origin, with credentials.
    cors: corsFor(settings.corsOrigins),
  };
}

/** What a proxy or a restarting server in front of a subgraph answers, with no GraphQL in the body. */
const unansweredStatuses = new Set([502, 503, 504]);

interface SubgraphError {
  extensions?: { code?: unknown; response?: { status?: unknown } };
  originalError?: { name?: unknown } | null;
}

/**
 * True when the subgraph did not answer at all: the connection was refused or reset (the runtime's
 * SUBREQUEST_HTTP_ERROR, but not its timeout's abort), or it answered 502–504 with no GraphQL body
 * (RESPONSE_VALIDATION_FAILED). Any GraphQL answer, whatever its status or code, is the subgraph's
 * word: FORBIDDEN or an internal error would only run again, and be paid for again.
 */
export function subgraphDidNotAnswer(result: unknown): boolean {
  const { data, errors } = (result ?? {}) as { data?: unknown; errors?: readonly SubgraphError[] };
  if (data != null || !errors?.length) return false;
  return errors.every((error) => {
    const code = error.extensions?.code;
    if (code === "SUBREQUEST_HTTP_ERROR") return !["AbortError", "TimeoutError"].includes(String(error.originalError?.name));
    return code === "RESPONSE_VALIDATION_FAILED" && unansweredStatuses.has(Number(error.extensions?.response?.status));
  });
}

/**
 * Retries a subgraph query (never a mutation) that did not answer, a few times, all within one
 * subgraph timeout. The runtime's `upstreamRetry` and `upstreamTimeout` options would wrap the retries
 * around the timeout, giving each attempt a whole timeout of its own (and retrying a timed-out one):
 * these plugins, in this order, put the timeout around all the attempts instead.
 */
export function subgraphRetryWithinTimeout(retries: number, timeoutMs: number): GatewayPlugin[] {
  const retry = useUpstreamRetry(({ executionRequest }) =>
    retries > 0 && executionRequest.operationType === OperationTypeNode.QUERY
      ? {
          maxRetries: retries,
          retryDelay: 100,
          retryDelayFactor: 2,
          shouldRetry: ({ executionRequest: attempt, executionResult }) => {
            // Aborted: the timeout has passed, or the client has gone.
            if (attempt.signal?.aborted) return false;
            // The runtime would wait once more after the last attempt before giving up.
            if (isRetryExecutionRequest(attempt) && getRetryInfo(attempt).attempt >= retries) return false;
            // The runtime's `response` is never set here (its map is keyed by another request object): the result says it all.
            return subgraphDidNotAnswer(executionResult);
          },
        }
      : undefined,
  );
  return [retry, useUpstreamTimeout(timeoutMs)];
}

/**
 * With the IDE off, a browser opening the endpoint would get an empty 406 (it asks for HTML, the
 * endpoint answers only GraphQL): this says why instead.
 */
function useIdeOff(graphqlEndpoint: string): GatewayPlugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const opensIde =
        request.method === "GET" && url.pathname === graphqlEndpoint && !url.search && (request.headers.get("accept") ?? "").includes("text/html");
      if (!opensIde) return;
      const message = "The GraphQL IDE is turned off on this server; send GraphQL requests as a POST with a JSON body.";
      endResponse(refusalResponse(fetchAPI, refusal(404, "NOT_FOUND", message)));
    },
  };
}

/** The plugins that enforce the settings; after authentication, whose verified caller the rate limit keys on. */
export function publicApiPlugins(
  settings: PublicApiSettings,
  graphqlEndpoint: string,
  subgraphTimeoutMs: number,
  rateLimit: RateLimit = createRateLimit(settings.limits),
): GatewayPlugin[] {
  return [
    ...(settings.graphiql ? [] : [useIdeOff(graphqlEndpoint)]),
    rateLimit.plugin as GatewayPlugin,
    useRequestBodyLimits(settings.limits),
    ...documentLimitPlugins(settings.limits, settings.documentCache),
    useNoSuggestions(),
    ...subgraphRetryWithinTimeout(settings.subgraphQueryRetries, subgraphTimeoutMs),
  ];
}
