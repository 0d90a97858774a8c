import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../subgraph-kit/server.js";
import { servicesAnalysis } from "./resolvers/analysis.js";

/** The services subgraph (schema/services.graphql), built but not listening. */
export function createServicesSubgraph(deps: Omit<SubgraphOptions, "name">): Promise<SubgraphServer> {
  const { resolvers, warmUp } = servicesAnalysis(deps.driver, deps.database);
  return createSubgraphServer({ ...deps, name: "services", resolvers, warmUp });
}
