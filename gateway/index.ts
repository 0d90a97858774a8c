import "../platform/production-node.js";
import { readFileSync } from "node:fs";
import { dashboardSignIn, loadConfig, neo4jUri, subgraphSecret, subgraphUrls } from "../platform/config.js";
import { supergraphPath } from "../platform/paths.js";
import { createGateway, listenGateway } from "./gateway.js";
import { createTokenVerifier } from "./auth.js";
import { createLogger } from "../platform/logger.js";
import { publicApiSettings } from "./public-api.js";
import neo4j from "neo4j-driver";
import { graphVersionOf } from "./graph-version.js";

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, "gateway");
// Hive Gateway's logger also reads LOG_LEVEL itself and throws on pino's "fatal" and "silent" (and,
// despite its message, on "false"): it gets the level from the `logging` option below instead.
delete process.env["LOG_LEVEL"];
const publicApi = publicApiSettings(config);
// Only to read the graph's version for the response cache: the gateway reads nothing else from Neo4j.
const driver = publicApi.responseCache.enabled
  ? neo4j.driver(neo4jUri(config), neo4j.auth.basic(config.NEO4J_USERNAME, config.NEO4J_PASSWORD), {
      // Neo4j away: a read answered without the cache (and the subgraphs' DATABASE_UNAVAILABLE) rather than waiting.
      connectionTimeout: 1_500,
      connectionAcquisitionTimeout: 2_000,
    })
  : undefined;
const gateway = createGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  subgraphUrls: subgraphUrls(config),
  subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
  auth: {
    verify: createTokenVerifier({
      jwtSecret: config.AUTH_JWT_SECRET,
      jwksFile: config.AUTH_JWKS_FILE,
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      maxTokenAgeSeconds: config.AUTH_MAX_TOKEN_AGE_SECONDS,
    }),
    subgraphSecret: subgraphSecret(config),
  },
  logging: config.LOG_LEVEL === "silent" ? false : config.LOG_LEVEL === "fatal" ? "error" : config.LOG_LEVEL === "trace" ? "debug" : config.LOG_LEVEL,
  publicApi,
  logger,
  queryPlanner: config.GATEWAY_QUERY_PLANNER,
  ...(driver ? { graphVersion: graphVersionOf(driver, config.NEO4J_DATABASE) } : {}),
});
const running = await listenGateway(gateway, config.GATEWAY_PORT, config.HOST, config.GATEWAY_DRAIN_TIMEOUT_MS, dashboardSignIn(config));
logger.info({ url: running.url, env: config.SERVICE_GRAPH_ENV }, "gateway listening");

// The runtime's server adapter disposes it on SIGTERM and SIGINT at once (whatwg-node's
// `terminateHandler`), which would abort the subgraph calls of requests in flight: close() below
// disposes it once they have finished.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  for (const listener of process.listeners(signal)) if (listener.name === "terminateHandler") process.removeListener(signal, listener);
}
const shutdown = async (signal: NodeJS.Signals) => {
  logger.info({ signal, drainTimeoutMs: config.GATEWAY_DRAIN_TIMEOUT_MS }, "gateway stopping: finishing the requests in flight");
  await running.close();
  await driver?.close();
  logger.info("gateway stopped");
  process.exit(0);
};
process.once("SIGTERM", (signal) => void shutdown(signal));
process.once("SIGINT", (signal) => void shutdown(signal));
