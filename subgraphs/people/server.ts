import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../lib/subgraph-server.js";
import { peopleNetworkResolvers } from "./network.js";

/** The people subgraph (schema/people.graphql), built but not listening. */
export function createPeopleSubgraph(deps: Omit<SubgraphOptions, "name">): Promise<SubgraphServer> {
  return createSubgraphServer({ ...deps, name: "people", resolvers: peopleNetworkResolvers(deps.driver, deps.database) });
}
