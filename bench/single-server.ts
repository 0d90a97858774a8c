/**
 * The benchmark's single-server peer, the price of federation: what a user would run instead of three
 * subgraphs and a gateway, one Apollo Server over one Neo4jGraphQL built from the three subgraphs'
 * schema files together (bench/single-server-schema.ts). Listens on GATEWAY_PORT over NEO4J_URI.
 *
 * Plain on purpose: none of the subgraph kit's schema steps (list bounds, partial entities, mutation
 * checks and audit), no operation bounds, no limits or cost checks. It is given what our subgraphs have
 * that is not federation, so that the difference measured is federation's: the same @neo4j/graphql
 * features, compact JSON, no cache-control or trace plugins. Like @apollo/gateway in the benchmark, it
 * verifies no client token: the caller comes in the token our gateway would sign for its subgraphs
 * (`x-gateway-token`, checked as the subgraphs check it), and goes to @neo4j/graphql's rules as the JWT.
 */
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { GraphQLError } from "graphql";
import { loadConfig } from "../platform/config.js";
import { GatewayTokenError, gatewayTokenHeader, neo4jJwt, verifyGatewayCall, type Neo4jJwt } from "../platform/caller.js";
import { assertNeo4jReady, createDriver } from "../graph/neo4j.js";
import { neo4jGraphQLFeatures } from "../subgraph-kit/schema.js";
import { singleServerTypeDefs } from "./single-server-schema.js";

const config = loadConfig();
if (!config.NEO4J_URI) throw new Error("NEO4J_URI is not set: the single-server peer runs over the benchmark's Neo4j.");
if (!config.SUBGRAPH_SECRET) throw new Error("SUBGRAPH_SECRET is not set: the single-server peer reads the caller from the token our gateway signs with it.");
const secret = config.SUBGRAPH_SECRET;
const driver = createDriver(config, config.NEO4J_URI, { serving: true });
const neoSchema = new Neo4jGraphQL({ typeDefs: singleServerTypeDefs(), driver, features: neo4jGraphQLFeatures });
await assertNeo4jReady(driver, config.NEO4J_URI, neoSchema);

interface PeerContext {
  jwt?: Neo4jJwt;
  sessionConfig?: { database?: string };
}

const server = new ApolloServer<PeerContext>({
  schema: await neoSchema.getSchema(),
  includeStacktraceInErrorResponses: false,
  // As the subgraphs answer: Apollo's default indents the JSON.
  stringifyResult: (result) => JSON.stringify(result),
  plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
});
const { url } = await startStandaloneServer(server, {
  listen: { port: config.GATEWAY_PORT, host: config.HOST },
  context: async ({ req }) => {
    const token = req.headers[gatewayTokenHeader];
    const database = config.NEO4J_DATABASE ? { sessionConfig: { database: config.NEO4J_DATABASE } } : {};
    // No token: an anonymous caller, whom @neo4j/graphql's rules refuse people's names.
    if (typeof token !== "string") return database;
    try {
      const jwt = neo4jJwt((await verifyGatewayCall(token, secret)).viewer);
      return { ...database, ...(jwt ? { jwt } : {}) };
    } catch (error) {
      const message = error instanceof GatewayTokenError ? error.message : "The caller's token could not be read.";
      throw new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
    }
  },
});
console.log(JSON.stringify({ msg: "single-server peer listening", url }));

const shutdown = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
