import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../lib/subgraph-server.js";
import { servicesAnalysisResolvers } from "./analysis.js";

/** The services subgraph (schema/services.graphql), built but not listening. */
export function createServicesSubgraph(deps: Omit<SubgraphOptions, "name">): Promise<SubgraphServer> {
  return createSubgraphServer({ ...deps, name: "services", resolvers: servicesAnalysisResolvers(deps.driver, deps.database) });
}
