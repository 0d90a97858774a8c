/**
 * What the gateway tells its operators: a JSON log line per request (pino) under a request id that
 * follows the request to every subgraph, and Prometheus metrics at /metrics: requests, errors and
 * latency per operation and per subgraph.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { GatewayConfigContext, GatewayPlugin } from "@graphql-hive/gateway-runtime";
import useMeshPrometheus, { createCounter, createHistogram } from "@graphql-mesh/plugin-prometheus";
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult } from "graphql";
import type { Logger } from "pino";
import { Counter, Registry } from "prom-client";
import type { GatewayRequest } from "../platform/caller.js";
import { boundedLabel, latencyBuckets } from "../platform/metrics.js";

export const requestIdHeader = "x-request-id";

/** A client's request id is kept only if it is short and plain: it goes into logs as it is. */
export const isValidRequestId = (value: string | null): value is string => value !== null && /^[A-Za-z0-9._:-]{1,64}$/.test(value);

/**
 * The request's ids: the gateway's own, new for every request, which the logs, the subgraphs and the
 * audit trail know it by, and the client's, when valid, kept apart. A client's id is never the
 * request's: any client may send any id, an admin's request's among them.
 */
export const requestIdsFor = (request: { headers: { get(name: string): string | null } }): GatewayRequest => {
  const given = request.headers.get(requestIdHeader);
  return { requestId: randomUUID(), ...(isValidRequestId(given) ? { clientRequestId: given } : {}) };
};

// Module-wide, so the plugin that signs each subgraph call (gateway/auth.ts) finds a request's ids.
const requestIds = new WeakMap<Request, GatewayRequest>();

/** The ids useRequestLogging gave a request; undefined for a request it has not seen. */
export const requestIdsOf = (request: Request): GatewayRequest | undefined => requestIds.get(request);

/** The most names one planned document is kept under: a client inventing names gets a new copy each time beyond them. */
const namesPerDocument = 16;
const namedDocuments = new WeakMap<DocumentNode, Map<string, DocumentNode>>();

/** The document with its anonymous operation named, the same object for the same document and name (the transport memoises its text by it). */
function namedOperation(document: DocumentNode, name: string): DocumentNode {
  let byName = namedDocuments.get(document);
  const known = byName?.get(name);
  if (known) return known;
  const named: DocumentNode = {
    ...document,
    definitions: document.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && !definition.name ? { ...definition, name: { kind: Kind.NAME, value: name } } : definition,
    ),
  };
  if (!byName) namedDocuments.set(document, (byName = new Map<string, DocumentNode>()));
  if (byName.size < namesPerDocument) byName.set(name, named);
  return named;
}

export interface RequestRecord {
  id: string;
  clientId?: string | undefined;
  started: number;
  operationNames: Set<string>;
  errors?: number;
}

const errorCount = (result: unknown): number => {
  if (Array.isArray(result)) return result.reduce((sum: number, each) => sum + errorCount(each), 0);
  return (result as ExecutionResult | undefined)?.errors?.length ?? 0;
};

/**
 * Gives each GraphQL request its id (in place of the runtime's own, which takes any header as it
 * comes), sends it to every subgraph (signed, in the gateway token, and as x-request-id for proxies'
 * logs) and back in the response, and logs one line, with the client's id beside it, when answered.
 * First among the plugins, so that requests refused early are logged under their id too.
 */
export function useRequestLogging(logger: Logger, graphqlEndpoint: string): GatewayPlugin {
  const records = new WeakMap<Request, RequestRecord>();
  return {
    onRequest({ request, url }) {
      if (url.pathname !== graphqlEndpoint) return;
      const ids = requestIdsFor(request);
      requestIds.set(request, ids);
      records.set(request, { id: ids.requestId, clientId: ids.clientRequestId, started: performance.now(), operationNames: new Set() });
    },
    onParams({ request, params }) {
      if (typeof params.operationName === "string") records.get(request)?.operationNames.add(params.operationName);
    },
    onParse({ context }) {
      return ({ result }) => {
        const record = records.get(context.request);
        if (!record || record.operationNames.size > 0 || result instanceof Error) return;
        const name = getOperationAST(result as DocumentNode)?.name?.value;
        if (name) record.operationNames.add(name);
      };
    },
    onSubgraphExecute({ executionRequest, setExecutionRequest }) {
      // Hive Router's planner sends the subgraphs anonymous operations: named as the client's, as the runtime's
      // own planner names them, the gateway's per-subgraph metrics and the subgraphs' own say which operation called.
      if (executionRequest.operationName) return;
      const context = executionRequest.context as { request?: Request } | undefined;
      const record = context?.request ? records.get(context.request) : undefined;
      const name = record?.operationNames.size === 1 ? [...record.operationNames][0]! : undefined;
      if (!name) return;
      setExecutionRequest({ ...executionRequest, operationName: name, document: namedOperation(executionRequest.document, name) });
    },
    onFetch({ context, options, setOptions }) {
      // A fetch outside a request (loading the supergraph) has no request to follow.
      const record = context && "request" in context ? records.get(context.request) : undefined;
      if (record) setOptions({ ...options, headers: { ...options.headers, [requestIdHeader]: record.id } });
    },
    onResultProcess({ request, result }) {
      const record = records.get(request);
      if (record) record.errors = errorCount(result);
    },
    onResponse({ request, response }) {
      const record = records.get(request);
      if (!record) return;
      response.headers.set(requestIdHeader, record.id);
      logAnswer(logger, record, response.status);
    },
  };
}

/** The request's log line, once answered. */
export function logAnswer(logger: Logger, record: RequestRecord, status: number): void {
  logger.info(
    {
      requestId: record.id,
      ...(record.clientId ? { clientRequestId: record.clientId } : {}),
      operationName: [...record.operationNames].join(",") || undefined,
      status,
      ms: Math.round(performance.now() - record.started),
      // A request refused before GraphQL ran (rate limit) carries one error.
      errors: record.errors ?? (status >= 400 ? 1 : 0),
    },
    "request",
  );
}

/**
 * Prometheus metrics in the gateway's own registry: per operation, requests, errors (by phase) and
 * latency; per subgraph and operation, calls, errors and latency; and every HTTP answer of the API by
 * status, refusals included. Subgraph URLs (the runtime's fetch metric) are left out.
 */
export function createGatewayMetrics() {
  const registry = new Registry();
  const responses = new Counter({
    name: "graphql_gateway_http_responses_total",
    help: "Answers of the GraphQL endpoint by HTTP status, refusals included",
    labelNames: ["status"],
    registers: [registry],
  });
  const operationLabel = boundedLabel();
  const operationLabels = (params: { operationName?: string; operationType?: string }) => ({
    operationName: operationLabel(params.operationName),
    operationType: params.operationType ?? "unknown",
  });
  const subgraphLabels = ({
    subgraphName,
    executionRequest,
  }: {
    subgraphName: string;
    executionRequest: { operationName?: string; operationType?: string };
  }) => ({
    subgraphName,
    ...operationLabels(executionRequest),
  });
  const operationLabelNames = ["operationName", "operationType"] as const;
  const subgraphLabelNames = ["subgraphName", "operationName", "operationType"] as const;

  const operations = createCounter<"execute" | "subscribe", (typeof operationLabelNames)[number], { operationName?: string; operationType?: string }>({
    registry,
    counter: { name: "graphql_envelop_request", help: "Operations executed", labelNames: operationLabelNames },
    fillLabelsFn: operationLabels,
  });

  const plugin = (context: GatewayConfigContext): GatewayPlugin =>
    useMeshPrometheus({
      log: context.log,
      registry,
      // Served by metricsEndpoint, which may require a token.
      endpoint: false,
      metrics: {
        graphql_envelop_request: operations,
        graphql_envelop_request_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_envelop_request_duration",
            help: "Time to execute an operation",
            labelNames: operationLabelNames,
            buckets: latencyBuckets,
          },
          fillLabelsFn: operationLabels,
        }),
        graphql_envelop_error_result: createCounter({
          registry,
          counter: {
            name: "graphql_envelop_error_result",
            help: "Errors in answers, by the phase that raised them",
            labelNames: [...operationLabelNames, "phase"],
          },
          fillLabelsFn: (params) => ({ ...operationLabels(params), phase: params.errorPhase ?? "unknown" }),
        }),
        graphql_gateway_subgraph_execute_duration: createHistogram({
          registry,
          histogram: {
            name: "graphql_gateway_subgraph_execute_duration",
            help: "Time a subgraph took to answer",
            labelNames: subgraphLabelNames,
            buckets: latencyBuckets,
          },
          fillLabelsFn: subgraphLabels,
        }),
        graphql_gateway_subgraph_execute_errors: createCounter({
          registry,
          counter: { name: "graphql_gateway_subgraph_execute_errors", help: "Errors in subgraph answers", labelNames: subgraphLabelNames },
          fillLabelsFn: subgraphLabels,
        }),
        graphql_gateway_fetch_duration: false,
        graphql_yoga_http_duration: false,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
      },
    }) as GatewayPlugin;

  /**
   * GET /metrics, only with `Authorization: Bearer <token>` when a token is set; without one, open or
   * (in production) not there at all; and the status counter.
   */
  const endpoint = (graphqlEndpoint: string, token: string | undefined, withoutToken = true): GatewayPlugin => {
    const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
    const authorised = (header: string | null) => {
      if (!expected) return true;
      const given = Buffer.from(header ?? "");
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    return {
      onRequest({ url, request, endResponse, fetchAPI }) {
        if (url.pathname !== "/metrics") return undefined;
        if (!expected && !withoutToken) {
          endResponse(new fetchAPI.Response("Not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } }));
          return undefined;
        }
        if (!authorised(request.headers.get("authorization"))) {
          endResponse(new fetchAPI.Response("Unauthorized\n", { status: 401, headers: { "www-authenticate": "Bearer" } }));
          return undefined;
        }
        return registry.metrics().then((text) => endResponse(new fetchAPI.Response(text, { headers: { "content-type": registry.contentType } })));
      },
      onResponse({ request, response }) {
        if (new URL(request.url).pathname === graphqlEndpoint) responses.inc({ status: String(response.status) });
      },
    };
  };

  /** A query answered from the response cache by the HTTP server, before the runtime (gateway/response-cache.ts): counted as the runtime counts one. */
  const countServerAnswer = (operationName: string | undefined) => {
    operations.counter.inc(operationLabels({ ...(operationName ? { operationName } : {}), operationType: "query" }));
    responses.inc({ status: "200" });
  };

  return { registry, plugin, endpoint, countServerAnswer };
}
