/**
 * Builds one subgraph: its SDL from schema/<name>.graphql, @neo4j/graphql over the shared Neo4j, an
 * Apollo Server on express with /graphql, /healthcheck and /readiness. Listening is separate
 * (`listen`), so tests start subgraphs on port 0 in-process.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { schemaDir } from "./paths.js";
import express from "express";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { unwrapResolverError } from "@apollo/server/errors";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { GraphQLError, parse, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import { Neo4jError, type Driver } from "neo4j-driver";
import type { Logger } from "pino";
import type { SubgraphName } from "./config.js";
import { batchEntityResolution } from "./batched-entities.js";
import { completePartialEntities, nodeTypeNames } from "./partial-entities.js";
import { hideStubRootFields, refreshServiceSdl, renameStubInputTypes, restoreShareableFields, shareAggregateSelections, stubTypeNames } from "./federation.js";

/** schema/<name>.graphql, with the types all subgraphs share (schema/shared.graphql). */
export function subgraphTypeDefs(name: SubgraphName): string {
  return [`${name}.graphql`, "shared.graphql"].map((file) => readFileSync(resolve(schemaDir, file), "utf8")).join("\n");
}

export interface SubgraphContext {
  requestId: string;
  logger: Logger;
  /** Read by @neo4j/graphql: which database to use. */
  sessionConfig?: { database?: string };
}

export interface SubgraphOptions {
  name: SubgraphName;
  driver: Driver;
  logger: Logger;
  database?: string | undefined;
  /** Resolvers of this subgraph's own, merged over the generated ones. */
  resolvers?: Record<string, unknown>;
  /** Runs this subgraph's own queries once, so that Neo4j has compiled them before users ask; only logged if it fails. */
  warmUp?: () => Promise<void>;
}

/** The executable subgraph schema, with stub input types renamed (see lib/federation.ts). */
export async function buildSubgraphSchema(options: Pick<SubgraphOptions, "name" | "driver" | "resolvers">): Promise<{ schema: GraphQLSchema; neoSchema: Neo4jGraphQL }> {
  const typeDefs = subgraphTypeDefs(options.name);
  const neoSchema = new Neo4jGraphQL({
    typeDefs,
    driver: options.driver,
    // A new API: only the current filter and mutation syntax, none of the deprecated aliases.
    features: {
      excludeDeprecatedFields: {
        mutationOperations: true,
        aggregationFilters: true,
        aggregationFiltersOutsideConnection: true,
        relationshipFilters: true,
        attributeFilters: true,
      },
    },
    ...(options.resolvers ? { resolvers: options.resolvers as never } : {}),
  });
  const generated = await neoSchema.getSubgraphSchema();
  const prefix = options.name[0]!.toUpperCase() + options.name.slice(1);
  const document = parse(typeDefs);
  const stubs = stubTypeNames(document);
  const federated = hideStubRootFields(restoreShareableFields(shareAggregateSelections(generated), document), stubs);
  const schema = completePartialEntities(
    batchEntityResolution(refreshServiceSdl(renameStubInputTypes(federated, stubs, prefix))),
    nodeTypeNames(document),
  );
  return { schema, neoSchema };
}

/** What a client may learn from an error of @neo4j/graphql, by its class: these describe the request, not the server. */
const neo4jGraphQLErrorCodes: Record<string, { code: string; message?: string }> = {
  // Neo4j's own message names the node's internal id; the client needs to know only which rule it broke.
  Neo4jGraphQLConstraintValidationError: { code: "CONFLICT", message: "An id given is already taken by another node of that type; nothing was changed." },
  Neo4jGraphQLRelationshipValidationError: { code: "BAD_USER_INPUT" },
  Neo4jGraphQLForbiddenError: { code: "FORBIDDEN" },
  Neo4jGraphQLAuthenticationError: { code: "UNAUTHENTICATED" },
};

/** Database and unexpected errors say too much (Cypher, addresses, stacks): log them, send a plain message. */
function maskingFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const path = formatted.path ? { path: formatted.path } : {};
    const known = original instanceof Error ? neo4jGraphQLErrorCodes[original.name] : undefined;
    if (known) return { message: known.message ?? formatted.message, extensions: { code: known.code }, ...path };
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

function requestLogging(): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors?.length ?? 0 : 0;
          contextValue.logger.debug({ operationName, errors, ms: Math.round(performance.now() - started) }, "operation");
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
  /** Serves the subgraph on the port (0: any free one) of 127.0.0.1 unless a host is given; callable again after close. */
  listen(port: number, host?: string): Promise<RunningServer>;
}

export async function createSubgraphServer(options: SubgraphOptions): Promise<SubgraphServer> {
  const { name, driver, database } = options;
  const logger = options.logger.child({ subgraph: name });
  const { schema, neoSchema } = await buildSubgraphSchema(options);

  return {
    name,
    neoSchema,
    async listen(port, host = "127.0.0.1") {
      const app = express();
      app.disable("x-powered-by");
      app.get("/healthcheck", (_req, res) => { res.json({ status: "ok", subgraph: name }); });
      app.get("/readiness", async (_req, res) => {
        try {
          // One connection, no retries: a readiness probe must answer at once, not after 30 s of retrying.
          await driver.getServerInfo({ database });
          res.json({ status: "ready", subgraph: name });
        } catch {
          res.status(503).json({ status: "unavailable", subgraph: name, reason: "the graph database does not answer" });
        }
      });
      const httpServer: Server = createServer(app);
      const apollo = new ApolloServer<SubgraphContext>({
        schema,
        introspection: true,
        includeStacktraceInErrorResponses: false,
        formatError: maskingFormatError(logger),
        plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled(), requestLogging()],
      });
      await apollo.start();
      app.use(
        "/graphql",
        express.json({ limit: "1mb" }),
        expressMiddleware(apollo, {
          context: async ({ req }) => {
            const requestId = req.get("x-request-id") ?? randomUUID();
            return { requestId, logger: logger.child({ requestId }), ...(database ? { sessionConfig: { database } } : {}) };
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
      // In the background: it takes seconds on a large graph, and the subgraph serves meanwhile.
      const started = performance.now();
      const warmedUp = (options.warmUp?.() ?? Promise.resolve()).then(
        () => logger.info({ ms: Math.round(performance.now() - started) }, "queries compiled"),
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
