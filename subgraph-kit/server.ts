/**
 * Builds one subgraph: its schema (schema.ts) over the shared Neo4j, an
 * Apollo Server on express with /graphql, /healthcheck and /readiness. Listening is separate
 * (`listen`), so tests start subgraphs on port 0 in-process.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import express from "express";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Neo4jGraphQL } from "@neo4j/graphql";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { Neo4jError, type Driver } from "neo4j-driver";
import type { Logger } from "pino";
import type { SubgraphName } from "../platform/config.js";
import { createSubgraphMetrics } from "../platform/metrics.js";
import { GatewayTokenError, gatewayTokenHeader, neo4jJwt, verifyGatewayCall, type GatewayRequest, type Viewer } from "../platform/caller.js";
import type { SubgraphContext } from "./context.js";
import { personalFilterGuard } from "./personal-filters.js";
import { requestTransactions } from "./mutations/audit.js";
import { InvalidTemporalError } from "../platform/dates.js";
import { boundOperations, ResultTooLargeError, SubgraphBusyError, type OperationBoundsOptions } from "./operation-bounds.js";
import { buildSubgraphSchema, type SubgraphResolvers } from "./schema.js";
import type { SubgraphPolicy } from "./policy.js";
import { exportRoute, type SubgraphExport } from "./export.js";
import { boundedDocumentStore } from "./document-store.js";

export interface SubgraphOptions {
  name: SubgraphName;
  driver: Driver;
  logger: Logger;
  database?: string | undefined;
  /** Only requests signed with it by the gateway are answered (platform/caller.ts). */
  gatewaySecret: string;
  /**
   * The longest Neo4j may run one generated query (4 s unless given; the processes get a second less
   * than SUBGRAPH_TIMEOUT_MS, so the client hears why rather than the gateway's timeout): a small
   * document that fans out over nested lists would otherwise keep Neo4j and the subgraph busy long
   * after the gateway has given up on it.
   */
  queryTimeoutMs?: number;
  /** Resolvers of this subgraph's own, merged over the generated ones. */
  resolvers?: SubgraphResolvers;
  /** What the subgraph decides for its domain: its field rules, personal input types and refusal message. */
  policy: SubgraphPolicy;
  /** What one request's generated queries may read and hold, and how many run at once (subgraph-kit/operation-bounds.ts). */
  operationBounds?: OperationBoundsOptions;
  /** Its part of the graph export, served on GET /export to the gateway (subgraph-kit/export.ts). */
  exported?: SubgraphExport;
  /** Runs this subgraph's own queries once, so that Neo4j has compiled them before users ask; only logged if it fails. */
  warmUp?: () => Promise<void>;
}

const unauthenticatedMessage = "This needs a signed-in caller: send a bearer token (people's names and every change do).";

/** What a client may learn from an error of @neo4j/graphql, by its class: these describe the request, not the server. */
const neo4jGraphQLErrorCodes: Record<string, { code: string; message?: string }> = {
  // Neo4j's own message names the node's internal id; the client needs to know only which rule it broke.
  Neo4jGraphQLConstraintValidationError: { code: "CONFLICT", message: "An id given is already taken by another node of that type; nothing was changed." },
  Neo4jGraphQLRelationshipValidationError: { code: "BAD_USER_INPUT" },
  // Its message is the subgraph's own (its policy's forbiddenMessage).
  Neo4jGraphQLForbiddenError: { code: "FORBIDDEN" },
  Neo4jGraphQLAuthenticationError: { code: "UNAUTHENTICATED", message: unauthenticatedMessage },
};

/** The error, or the first of its original errors, of the class. */
function causeOfClass<T extends Error>(error: unknown, errorClass: new (...args: never[]) => T): T | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { originalError?: unknown }).originalError, depth++) {
    if (e instanceof errorClass) return e;
  }
  return undefined;
}

/** Database and unexpected errors say too much (Cypher, addresses, stacks): log them, send a plain message. */
function maskingFormatError(logger: Logger, policy: SubgraphPolicy) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const path = formatted.path ? { path: formatted.path } : {};
    // A literal the Date scalar refuses fails validation, which Apollo would name GRAPHQL_VALIDATION_FAILED.
    const invalidTemporal = causeOfClass(error, InvalidTemporalError);
    if (invalidTemporal) return { message: invalidTemporal.message, extensions: { code: "BAD_USER_INPUT" }, ...path };
    if (original instanceof ResultTooLargeError || original instanceof SubgraphBusyError) {
      logger.warn({ code: original.extensions["code"] }, original.message);
      return { message: original.message, extensions: { code: original.extensions["code"] }, ...path };
    }
    // @authentication's refusal at translation is a bare GraphQLError("Unauthenticated"), not its own class.
    const unauthenticated = original instanceof GraphQLError && original.message === "Unauthenticated" && !original.extensions["code"];
    const known = unauthenticated
      ? neo4jGraphQLErrorCodes["Neo4jGraphQLAuthenticationError"]
      : original instanceof Error
        ? neo4jGraphQLErrorCodes[original.name]
        : undefined;
    if (known) {
      const message = known.code === "FORBIDDEN" ? policy.forbiddenMessage : (known.message ?? formatted.message);
      return { message, extensions: { code: known.code }, ...path };
    }
    if (original instanceof Neo4jError && original.code.startsWith("Neo.ClientError.Transaction.TransactionTimedOut")) {
      logger.warn({ operationName: formatted.path?.[0] }, "query stopped at its timeout");
      return {
        message: "This request asked for more than the graph can answer in time, and was stopped: ask for less (smaller limits, fewer nested lists).",
        extensions: { code: "QUERY_TIMEOUT" },
        ...path,
      };
    }
    if (original instanceof Neo4jError) {
      logger.error({ err: original }, "database error");
      return { message: "The graph database could not answer this request.", extensions: { code: "DATABASE_UNAVAILABLE" }, ...path };
    }
    if (!(original instanceof GraphQLError) && formatted.extensions?.["code"] === "INTERNAL_SERVER_ERROR") {
      logger.error({ err: original }, "unexpected error");
      return { message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" }, ...path };
    }
    return formatted;
  };
}

/** Refuses, with 401 and a GraphQL error body, any request the gateway did not sign; keeps the caller it names. */
function requireGatewayToken(secret: string): express.RequestHandler {
  return (req, res, next) => {
    verifyGatewayCall(req.get(gatewayTokenHeader), secret).then(
      ({ viewer, request }) => {
        res.locals["viewer"] = viewer;
        res.locals["gatewayRequest"] = request;
        next();
      },
      (error: unknown) => {
        const message = error instanceof GatewayTokenError ? error.message : "This subgraph answers only the gateway.";
        res.status(401).json({ errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] });
      },
    );
  };
}

/** One JSON line per operation, carrying the gateway's request id (the logger is the request's child), so a request can be followed across processes. */
function requestLogging(): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors?.length ?? 0) : 0;
          contextValue.logger.info({ operationName, errors, ms: Math.round(performance.now() - started) }, "operation");
        },
      };
    },
  };
}

export interface RunningServer {
  url: string;
  port: number;
  /** Settles once the subgraph's own queries have run once (SubgraphOptions.warmUp). */
  warmedUp: Promise<void>;
  close(): Promise<void>;
}

export interface SubgraphServer {
  name: SubgraphName;
  neoSchema: Neo4jGraphQL;
  /**
   * Serves the subgraph on the port (0: any free one) of 127.0.0.1 unless a host is given; callable again after close.
   * With a start-up, it is not ready (and runs no warm-up) until the start-up has finished.
   */
  listen(port: number, host?: string, startUp?: StartUp): Promise<RunningServer>;
}

/**
 * What a subgraph process does before it is ready, while it already listens: reach Neo4j, check it
 * and migrate (subgraph-kit/run.ts). Until `finish`, /readiness answers 503 with `pending` as reason.
 */
export class StartUp {
  /** What the start-up is waiting for; null once it has finished. */
  pending: string | null = "starting";
  #resolveFinished: () => void = () => {};
  /** Settles when the start-up has finished. */
  readonly finished = new Promise<void>((resolveFinished) => {
    this.#resolveFinished = resolveFinished;
  });

  finish(): void {
    this.pending = null;
    this.#resolveFinished();
  }
}

/** GET /readiness: 503 with the reason while the start-up runs, then whether Neo4j answers now. */
function readinessHandler(name: SubgraphName, driver: Driver, database: string | undefined, startUp: StartUp | undefined): express.RequestHandler {
  return async (_req, res) => {
    if (startUp?.pending) {
      res.status(503).json({ status: "starting", subgraph: name, reason: startUp.pending });
      return;
    }
    try {
      // One connection, no retries: a readiness probe must answer at once, not after 30 s of retrying.
      await driver.getServerInfo({ database });
      res.json({ status: "ready", subgraph: name });
    } catch {
      res.status(503).json({ status: "unavailable", subgraph: name, reason: "the graph database does not answer" });
    }
  };
}

export async function createSubgraphServer(options: SubgraphOptions): Promise<SubgraphServer> {
  const { name, driver, database } = options;
  const logger = options.logger.child({ subgraph: name });
  const bounds = boundOperations(driver, options.operationBounds);
  const { schema, neoSchema } = await buildSubgraphSchema({ ...options, graphqlDriver: bounds.driver });
  // Kept across listen() calls, so a restarted subgraph keeps counting.
  const metrics = createSubgraphMetrics(name);

  return {
    name,
    neoSchema,
    async listen(port, host = "127.0.0.1", startUp) {
      const app = express();
      app.disable("x-powered-by");
      // Only the gateway calls, with POSTs no cache keeps: an ETag would be a hash of every answer, made for nothing.
      app.set("etag", false);
      app.get("/healthcheck", (_req, res) => {
        res.json({ status: "ok", subgraph: name });
      });
      app.get("/metrics", metrics.handler);
      app.get("/readiness", readinessHandler(name, driver, database, startUp));
      if (options.exported)
        app.get("/export", requireGatewayToken(options.gatewaySecret), exportRoute({ driver, database, exported: options.exported, logger }));
      const httpServer: Server = createServer(app);
      const apollo = new ApolloServer<SubgraphContext>({
        schema,
        introspection: true,
        includeStacktraceInErrorResponses: false,
        documentStore: boundedDocumentStore(),
        // Apollo's default indents the JSON: a fifth more bytes for the gateway to read, and time to write them.
        stringifyResult: (result) => JSON.stringify(result),
        formatError: maskingFormatError(logger, options.policy),
        plugins: [
          ApolloServerPluginDrainHttpServer({ httpServer }),
          ApolloServerPluginInlineTraceDisabled(),
          // Nothing here gives cache hints, and its willResolveField made Apollo wrap every field of every answer.
          ApolloServerPluginCacheControlDisabled(),
          requestLogging(),
          ...(options.policy.personalInputTypes ? [personalFilterGuard(options.policy.personalInputTypes)] : []),
          metrics.plugin,
          requestTransactions(),
        ],
        // Its own SIGTERM handler would re-raise the signal once drained, killing the process before the
        // driver is closed: the process's entry point (subgraph-kit/run.ts) orders the shutdown instead.
        stopOnTerminationSignals: false,
      });
      await apollo.start();
      app.use(
        "/graphql",
        requireGatewayToken(options.gatewaySecret),
        bounds.middleware,
        express.json({ limit: "1mb" }),
        bounds.shapeMiddleware,
        expressMiddleware(apollo, {
          context: async ({ res }) => {
            // Only the gateway's signed word: an x-request-id header could come from anyone.
            const request = res.locals["gatewayRequest"] as GatewayRequest | undefined;
            const requestId = request?.requestId ?? randomUUID();
            const clientRequestId = request?.clientRequestId;
            const viewer = res.locals["viewer"] as Viewer | undefined;
            const jwt = neo4jJwt(viewer);
            return {
              requestId,
              clientRequestId,
              logger: logger.child({ requestId, ...(clientRequestId ? { clientRequestId } : {}) }),
              viewer,
              transaction: { timeout: options.queryTimeoutMs ?? 4000 },
              ...(jwt ? { jwt } : {}),
              ...(database ? { sessionConfig: { database } } : {}),
            };
          },
        }),
      );
      await new Promise<void>((resolveListen, rejectListen) => {
        httpServer.once("error", rejectListen);
        httpServer.listen(port, host, () => resolveListen());
      });
      const actualPort = (httpServer.address() as AddressInfo).port;
      const url = `http://${host}:${actualPort}/graphql`;
      logger.info({ url }, "subgraph listening");
      // In the background, once Neo4j is there: it takes seconds on a large graph, and the subgraph serves meanwhile.
      const warmedUp = (startUp?.finished ?? Promise.resolve())
        .then(async () => {
          const started = performance.now();
          await options.warmUp?.();
          return performance.now() - started;
        })
        .then(
          (ms) => logger.info({ ms: Math.round(ms) }, "queries compiled"),
          (error: unknown) => logger.warn({ err: error }, "could not run the queries ahead; the first requests will compile them"),
        );
      return {
        url,
        port: actualPort,
        warmedUp,
        async close() {
          await apollo.stop();
        },
      };
    },
  };
}
