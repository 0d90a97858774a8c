/**
 * The gateway: Hive Gateway runtime over the committed supergraph (schema/supergraph.graphql),
 * with a timeout on every subgraph call, masked errors, health endpoints and a GraphiQL whose
 * assets are served from here (no CDN), preloaded with the example operations. What makes it safe
 * to open to the public (limits, production mode, trusted documents, retries) is in public-api.ts,
 * its request logs and metrics in observability.ts.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createGatewayRuntime, type GatewayRuntime } from "@graphql-hive/gateway-runtime";
import { unifiedGraphHandler as rustQueryPlanner } from "@graphql-hive/router-runtime";
import { GraphQLError } from "graphql";
import type { DashboardSignIn, SubgraphName } from "../platform/config.js";
import { createDashboardHandler } from "./dashboard-route.js";
import { useAuthentication, type TokenVerifier } from "./auth.js";
import { useStrictDates } from "./dates.js";
import { useLiteralsRefusedAsVariables } from "./literal-errors.js";
import { useGraphExport } from "./export-route.js";
import { useAnalysisCsv } from "./analysis-csv-route.js";
import { useThenAliases } from "./then-alias.js";
import { useQuestionsFirstInDocs } from "./ide-docs.js";
import { useCsvResults } from "./csv-results.js";
import pino, { type Logger } from "pino";
import { createGatewayMetrics, logAnswer, requestIdsFor, useRequestLogging } from "./observability.js";
import { useOneMutationField } from "./mutations.js";
import { defaultPublicApiSettings, publicApiPlugins, publicApiRuntimeOptions, type PublicApiSettings } from "./public-api.js";
import { ideWithContentSecurityPolicy, setSecurityHeaders } from "./browser-access.js";
import { normaliseMediaTypes, useMalformedRequestStatus } from "./http-semantics.js";
import { useResponseCache, type GraphVersion, type ServerAnswer } from "./response-cache.js";
import { createRateLimit } from "./limits.js";

const examplesDir = resolve(import.meta.dirname, "examples");

export interface ExampleOperation {
  name: string;
  query: string;
}

/** The example operations in gateway/examples, the journey trace first. */
export function exampleOperations(): ExampleOperation[] {
  const files = readdirSync(examplesDir)
    .filter((f) => f.endsWith(".graphql"))
    .sort();
  // The journey first: it is what most people come to see.
  const first = ["journey-map.graphql", "journey-trace.graphql"];
  const ordered = [...first.filter((f) => files.includes(f)), ...files.filter((f) => !first.includes(f))];
  return ordered.map((file) => ({ name: file.replace(/\.graphql$/, ""), query: readFileSync(resolve(examplesDir, file), "utf8") }));
}

/** Points each subgraph of the supergraph at the URL given for it (the composed file holds the defaults). */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<SubgraphName, string>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([a-z]+)", url: "[^"]*"\)/g, (match, name: string) => {
    const url = urls[name as SubgraphName];
    return url ? `@join__graph(name: "${name}", url: "${url}")` : match;
  });
}

/** Error codes whose message is about the request or a known state, written for clients; anything else is masked. */
const publicErrorCodes = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "CONFLICT",
  "FORBIDDEN",
  "UNAUTHENTICATED",
  "GATEWAY_TIMEOUT",
  "DATABASE_UNAVAILABLE",
  "QUERY_TIMEOUT",
  "PERSISTED_QUERY_NOT_FOUND",
]);

/** The runtime's codes for a subgraph that could not be reached or failed to answer (RESPONSE_VALIDATION_FAILED: not with GraphQL; its message quotes the body). */
const subgraphFailureCodes = new Set(["SUBREQUEST_HTTP_ERROR", "DOWNSTREAM_SERVICE_ERROR", "RESPONSE_VALIDATION_FAILED"]);

/**
 * Keeps the message and code of errors about the request (GraphQL's own, whose cause if any is a
 * GraphQL error too, or with a public code) and masks the rest; drops every other extension, since the runtime's own
 * errors carry the subgraph's URL and request (extensions.request) and subgraphs may send stacks.
 */
export function maskError(error: unknown, maskedMessage: string): Error {
  const graphqlError = error instanceof GraphQLError ? error : undefined;
  const original = graphqlError?.originalError instanceof GraphQLError ? graphqlError.originalError : undefined;
  const code = (graphqlError?.extensions?.["code"] ?? original?.extensions?.["code"]) as string | undefined;
  if (code !== undefined && subgraphFailureCodes.has(code)) {
    // Its message names the subgraph's address ("connect ECONNREFUSED 10.0.0.5:4001").
    return new GraphQLError("Part of the graph is unavailable right now; the rest of the answer is complete.", {
      ...(graphqlError?.path ? { path: graphqlError.path } : {}),
      extensions: { code: "SUBGRAPH_UNAVAILABLE" },
    });
  }
  const aboutTheRequest = graphqlError !== undefined && (graphqlError.originalError == null || original !== undefined) && code !== "INTERNAL_SERVER_ERROR";
  const isPublic = aboutTheRequest || (code !== undefined && publicErrorCodes.has(code));
  const http = graphqlError?.extensions?.["http"];
  return new GraphQLError(isPublic ? graphqlError!.message : maskedMessage, {
    ...(graphqlError?.nodes ? { nodes: graphqlError.nodes } : {}),
    ...(graphqlError?.path ? { path: graphqlError.path } : {}),
    extensions: { code: isPublic ? (code ?? "BAD_USER_INPUT") : "INTERNAL_SERVER_ERROR", ...(http ? { http } : {}) },
  });
}

export interface GatewayOptions {
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** The longest one subgraph call may take before the gateway gives up on it. */
  subgraphTimeoutMs: number;
  logging?: boolean | "debug" | "info" | "warn" | "error";
  /** Verifies client tokens; the subgraphs answer only calls signed with subgraphSecret (gateway/auth.ts). */
  auth: { verify: TokenVerifier; subgraphSecret: string };
  /** Production mode, trusted documents and limits (gateway/public-api.ts); development's defaults when left out. */
  publicApi?: PublicApiSettings;
  /** A JSON line per request (gateway/observability.ts); none when left out. */
  logger?: Logger;
  /** Hive Router's query planner (Rust, the default) or the runtime's own (JavaScript). */
  queryPlanner?: "rust" | "javascript";
  /** The graph's version (gateway/graph-version.ts): given, and the response cache switched on in publicApi, read answers are cached. */
  graphVersion?: GraphVersion;
  /** The CSV downloads' row limit and page size (gateway/analysis-csv-route.ts); their defaults when left out. */
  analysisCsv?: { maxRows?: number; pageSize?: number };
}

export function createGateway(options: GatewayOptions): GatewayRuntime {
  const supergraph = withSubgraphUrls(options.supergraphSdl, options.subgraphUrls);
  const publicApi = options.publicApi ?? defaultPublicApiSettings();
  const metrics = createGatewayMetrics();
  const rateLimit = createRateLimit(publicApi.limits);
  const logger = options.logger ?? pino({ level: "silent" });
  const responseCache =
    publicApi.responseCache.enabled && options.graphVersion
      ? useResponseCache(
          publicApi.responseCache,
          options.graphVersion,
          metrics.registry,
          // Trusted documents mode refuses a query by its text, which is all the server reads.
          publicApi.trustedDocuments
            ? undefined
            : {
                graphqlEndpoint: "/graphql",
                verify: options.auth.verify,
                payForKeptAnswer: rateLimit.payForKeptAnswer,
                maxBodyBytes: publicApi.limits.maxBodyBytes,
                answered(req, started, operationName) {
                  const ids = requestIdsFor({ headers: { get: (name) => (typeof req.headers[name] === "string" ? req.headers[name] : null) } });
                  logAnswer(
                    logger,
                    { id: ids.requestId, clientId: ids.clientRequestId, started, operationNames: new Set(operationName ? [operationName] : []), errors: 0 },
                    200,
                  );
                  metrics.countServerAnswer(operationName);
                  return ids.requestId;
                },
              },
        )
      : undefined;
  const ide = ideWithContentSecurityPolicy("/graphql");
  const runtime = createGatewayRuntime({
    supergraph,
    graphqlEndpoint: "/graphql",
    healthCheckEndpoint: "/healthcheck",
    readinessCheckEndpoint: "/readiness",
    landingPage: false,
    logging: options.logging ?? false,
    maskedErrors: { maskError },
    graphiql: publicApi.graphiql && {
      title: "Service Graph",
      defaultTabs: exampleOperations().map((example) => ({ query: example.query })),
    },
    renderGraphiQL: ide.render,
    ...((options.queryPlanner ?? "rust") === "rust" ? { unifiedGraphHandler: rustQueryPlanner } : {}),
    // Identical queries in flight are merged before useAuthentication signs each call with its caller:
    // merged, an anonymous caller could get a reader's answer.
    transportEntries: { "*.http": { options: { deduplicateInflightRequests: false } } },
    ...publicApiRuntimeOptions(publicApi),
    plugins: (context) => [
      useRequestLogging(logger, "/graphql"),
      metrics.endpoint("/graphql", publicApi.metricsToken, publicApi.metricsWithoutToken),
      metrics.plugin(context),
      useAuthentication(options.auth.verify, options.auth.subgraphSecret),
      useStrictDates(),
      // A literal that does not fit its argument is refused as a variable would be, naming the argument.
      useLiteralsRefusedAsVariables(),
      // Each mutation field is a subgraph request, and stored on its own: one per request (docs/adr/0006).
      useOneMutationField(),
      useThenAliases(),
      useQuestionsFirstInDocs(),
      // Neither gateway sets a subgraph timeout by default: without one a hung subgraph hangs the client.
      ...publicApiPlugins(publicApi, "/graphql", options.subgraphTimeoutMs, rateLimit),
      // After the limits and the rate limit, which a cached answer pays as any other does.
      ...(responseCache ? [responseCache.plugin] : []),
      // After the rate limit, which an export pays on arrival as any request does.
      useGraphExport({
        verify: options.auth.verify,
        subgraphSecret: options.auth.subgraphSecret,
        subgraphUrls: options.subgraphUrls,
        // A read of a whole part, on a busy Neo4j, may take longer than one query's timeout before its first batch.
        idleTimeoutMs: Math.max(options.subgraphTimeoutMs, 30_000),
      }),
      // Every matching hand-off or gap as a file, read as the caller from the services subgraph.
      useAnalysisCsv({
        verify: options.auth.verify,
        subgraphSecret: options.auth.subgraphSecret,
        servicesUrl: options.subgraphUrls.services,
        pageTimeoutMs: Math.max(options.subgraphTimeoutMs, 30_000),
        ...options.analysisCsv,
      }),
      useCsvResults(),
      ide.plugin,
      // Last: it wraps the request parser the plugins above have set.
      useMalformedRequestStatus(),
    ],
  });
  if (responseCache?.serverAnswer) serverAnswers.set(runtime, responseCache.serverAnswer);
  return runtime;
}

/** Each gateway's answers from the response cache that its HTTP server sends itself (gateway/response-cache.ts). */
const serverAnswers = new WeakMap<GatewayRuntime, ServerAnswer>();

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the gateway on the port (0: any free one); GET /graphql in a browser opens the IDE and
 * GET /dashboard the dashboard, whose files are answered before the runtime sees the request.
 * close() stops accepting, lets requests in flight finish for up to drainTimeoutMs, then closes.
 */
export async function listenGateway(
  gateway: GatewayRuntime,
  port: number,
  host = "127.0.0.1",
  drainTimeoutMs = 10_000,
  dashboardSignIn?: DashboardSignIn,
): Promise<RunningGateway> {
  const dashboard = await createDashboardHandler(dashboardSignIn);
  const serverAnswer = serverAnswers.get(gateway);
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  const server: Server = createServer((request, response) => {
    inFlight.add(response);
    response.once("close", () => inFlight.delete(response));
    // A request that comes on a kept-alive connection while draining is answered, and its connection closed.
    if (draining) response.setHeader("connection", "close");
    setSecurityHeaders(response);
    normaliseMediaTypes(request);
    dashboard(request, response)
      .then((handled) => handled || (serverAnswer?.(request, response) ?? false))
      .then(
        (handled) => (handled ? undefined : gateway(request, response)),
        () => response.writeHead(500).end(),
      );
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(port, host, () => resolveListen());
  });
  const actualPort = (server.address() as AddressInfo).port;
  // The runtime loads the supergraph on its first request: made here, so no user's request pays for it.
  await gateway.fetch(`http://${host}:${actualPort}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  return {
    url: `http://${host}:${actualPort}/graphql`,
    port: actualPort,
    async close() {
      draining = true;
      // Each answer still to come closes its connection once sent, so the server closes with the last.
      for (const response of inFlight) if (!response.headersSent) response.setHeader("connection", "close");
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolveTimeout) => {
        timer = setTimeout(() => resolveTimeout(true), drainTimeoutMs);
      });
      if (await Promise.race([closed.then(() => false), timedOut])) server.closeAllConnections();
      clearTimeout(timer);
      await closed;
      // Only now: disposing the runtime aborts the subgraph calls of requests still in flight.
      await gateway.dispose();
    },
  };
}
