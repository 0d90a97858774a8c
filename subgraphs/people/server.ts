import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../subgraph-kit/server.js";
import { auditTrailResolvers } from "./resolvers/audit-trail.js";
import { peopleNetwork } from "./resolvers/network.js";
import { peoplePolicy } from "./policy.js";
import { peopleExport } from "./export.js";

/** The people subgraph (schema/people.graphql), built but not listening. */
export function createPeopleSubgraph(deps: Omit<SubgraphOptions, "name" | "policy" | "exported">): Promise<SubgraphServer> {
  const { resolvers, warmUp } = peopleNetwork(deps.driver, deps.database);
  const audit = auditTrailResolvers(deps.driver, deps.database);
  return createSubgraphServer({
    ...deps,
    name: "people",
    policy: peoplePolicy,
    exported: peopleExport,
    resolvers: { ...resolvers, Query: { ...resolvers.Query, ...audit.Query } },
    warmUp,
  });
}
