/** The entry point shared by the three subgraph processes: configure, check Neo4j, migrate, listen. */
import { loadConfig, neo4jUri, type SubgraphName } from "./config.js";
import { createLogger } from "./logger.js";
import { assertNeo4jReady, createDriver, Neo4jUnavailableError } from "./neo4j.js";
import { migrate } from "./migrate.js";
import type { SubgraphOptions, SubgraphServer } from "./subgraph-server.js";

type SubgraphFactory = (deps: Omit<SubgraphOptions, "name">) => Promise<SubgraphServer>;

export async function runSubgraph(name: SubgraphName, create: SubgraphFactory): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, name);
  const uri = neo4jUri(config);
  const driver = createDriver(config, uri);
  const ports: Record<SubgraphName, number> = {
    people: config.PEOPLE_PORT,
    organisations: config.ORGANISATIONS_PORT,
    services: config.SERVICES_PORT,
  };
  try {
    const subgraph = await create({ driver, logger, database: config.NEO4J_DATABASE });
    await assertNeo4jReady(driver, uri, subgraph.neoSchema);
    await migrate(driver, config.NEO4J_DATABASE);
    const running = await subgraph.listen(ports[name], config.HOST);
    const shutdown = async () => {
      await running.close();
      await driver.close();
      process.exit(0);
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
  } catch (error) {
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
