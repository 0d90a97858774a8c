/**
 * The entry point shared by the three subgraph processes: configure, listen, then reach Neo4j, check
 * it and migrate, trying again in the background while Neo4j is away (not ready until then).
 */
import type { Driver } from "neo4j-driver";
import type { Logger } from "pino";
import { configuredSubgraphPorts, loadConfig, neo4jUri, subgraphSecret, type SubgraphName } from "../platform/config.js";
import { createLogger } from "../platform/logger.js";
import { assertNeo4jReady, createDriver, isNeo4jUnreachable, Neo4jUnavailableError } from "../graph/neo4j.js";
import { checkAndMigrate } from "../graph/migrate.js";
import { graphPreparedByParent, graphPreparedMessage } from "../platform/server-process.js";
import { operationBoundsFromConfig } from "./operation-bounds.js";
import { StartUp, type SubgraphOptions, type SubgraphServer } from "./server.js";

type SubgraphFactory = (deps: Omit<SubgraphOptions, "name" | "policy">) => Promise<SubgraphServer>;

/** Waits between start-up attempts: doubling from 0.5 s, at most 5 s, so a Neo4j that comes back is used within 5 s. */
const firstRetryMs = 500;
const maxRetryMs = 5_000;

interface Neo4jStartUp {
  driver: Driver;
  uri: string;
  database: string | undefined;
  subgraph: SubgraphServer;
  logger: Logger;
  startUp: StartUp;
  stopping: () => boolean;
}

/**
 * True when `npm start` (scripts/start.ts) started this process: it migrates the graph once for the
 * whole stack, and loads the demo data into an empty one, while the subgraphs build their schemas; it
 * says over IPC when the graph is prepared. Run any other way, a subgraph migrates the graph itself.
 */
const preparedByParent = process.env[graphPreparedByParent] === "1" && typeof process.send === "function";

/** Settles when the parent says the graph is checked and migrated; a parent gone exits, since nothing else would. */
function parentPreparedGraph(): Promise<void> {
  return new Promise((resolvePrepared) => {
    process.on("message", (message) => {
      if (message === graphPreparedMessage) resolvePrepared();
    });
    process.once("disconnect", () => process.exit(1));
  });
}

/**
 * Checks Neo4j (credentials, version, APOC) and migrates, until both succeed. An unreachable or
 * starting Neo4j is tried again with a capped backoff; anything retrying cannot fix (credentials,
 * APOC, version) is thrown as a Neo4jUnavailableError with its plain message.
 */
async function prepareNeo4j({ driver, uri, database, subgraph, logger, startUp, stopping }: Neo4jStartUp): Promise<void> {
  const started = performance.now();
  if (preparedByParent) {
    startUp.pending = "npm start is preparing the graph";
    await parentPreparedGraph();
  }
  for (let attempt = 1, waitMs = firstRetryMs; !stopping(); attempt++, waitMs = Math.min(waitMs * 2, maxRetryMs)) {
    try {
      const onStep = (step: string) => (startUp.pending = step);
      if (preparedByParent) {
        onStep("checking the graph database");
        await assertNeo4jReady(driver, uri, subgraph.neoSchema);
      } else await checkAndMigrate(driver, uri, database, { neoSchema: subgraph.neoSchema, onStep });
      logger.info({ attempts: attempt, ms: Math.round(performance.now() - started) }, "graph database checked and migrated: ready");
      return;
    } catch (error) {
      const retryable = error instanceof Neo4jUnavailableError ? error.retryable : isNeo4jUnreachable(error);
      if (!retryable) throw error;
      const message =
        error instanceof Neo4jUnavailableError ? error.message : `Neo4j at ${uri} went away while migrating: ${(error as Error).message.split("\n")[0]}`;
      startUp.pending = "the graph database does not answer yet";
      logger.warn({ attempt, retryInMs: waitMs }, `${message} Trying again in ${waitMs / 1000} s.`);
      await new Promise((resolveWait) => setTimeout(resolveWait, waitMs));
    }
  }
}

export async function runSubgraph(name: SubgraphName, create: SubgraphFactory): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, name);
  const uri = neo4jUri(config);
  const driver = createDriver(config, uri, { serving: true });
  const ports = configuredSubgraphPorts(config);
  let stopping = false;
  try {
    const subgraph = await create({
      driver,
      logger,
      database: config.NEO4J_DATABASE,
      gatewaySecret: subgraphSecret(config),
      queryTimeoutMs: Math.max(500, config.SUBGRAPH_TIMEOUT_MS - 1000),
      operationBounds: operationBoundsFromConfig(config),
    });
    // Listening first: the process is up (and says why it is not ready) while Neo4j is still away.
    const startUp = new StartUp();
    const running = await subgraph.listen(ports[name], config.HOST, startUp);
    const shutdown = async (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping: no new requests; finishing those in flight");
      // Stops accepting connections and waits for the requests in flight (the drain plugin, 10 s at most)…
      await running.close();
      // …whose queries need the driver until the last one has answered.
      await driver.close();
      logger.info("stopped");
      process.exit(0);
    };
    process.once("SIGTERM", (signal) => void shutdown(signal));
    process.once("SIGINT", (signal) => void shutdown(signal));
    await prepareNeo4j({ driver, uri, database: config.NEO4J_DATABASE, subgraph, logger, startUp, stopping: () => stopping });
    if (!stopping) startUp.finish();
  } catch (error) {
    // A shutdown closes the driver under a start-up attempt: its error is no failure.
    if (stopping) return;
    if (error instanceof Neo4jUnavailableError) {
      logger.fatal(error.message);
      console.error(`${name} subgraph: ${error.message}`);
    } else {
      logger.fatal({ err: error }, "start-up failed");
    }
    await driver.close();
    process.exit(1);
  }
}
