import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../subgraph-kit/server.js";
import { servicesAnalysis } from "./resolvers/analysis.js";
import { ownershipAnalysis } from "./resolvers/ownership.js";
import { servicesPolicy } from "./policy.js";
import { servicesExport } from "./export.js";

/** The services subgraph (schema/services.graphql), built but not listening. */
export function createServicesSubgraph(deps: Omit<SubgraphOptions, "name" | "policy" | "exported">): Promise<SubgraphServer> {
  const analysis = servicesAnalysis(deps.driver, deps.database);
  const ownership = ownershipAnalysis(deps.driver, deps.database);
  return createSubgraphServer({
    ...deps,
    name: "services",
    policy: servicesPolicy,
    exported: servicesExport,
    resolvers: { ...analysis.resolvers, Query: { ...analysis.resolvers.Query, ...ownership.resolvers.Query } },
    warmUp: async () => {
      await analysis.warmUp();
      await ownership.warmUp();
    },
  });
}
