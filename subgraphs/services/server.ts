import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../subgraph-kit/server.js";
import { servicesAnalysis } from "./resolvers/analysis.js";
import { servicesPolicy } from "./policy.js";

/** The services subgraph (schema/services.graphql), built but not listening. */
export function createServicesSubgraph(deps: Omit<SubgraphOptions, "name" | "policy">): Promise<SubgraphServer> {
  const { resolvers, warmUp } = servicesAnalysis(deps.driver, deps.database);
  return createSubgraphServer({ ...deps, name: "services", policy: servicesPolicy, resolvers, warmUp });
}
