import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../lib/subgraph-server.js";

/** The people subgraph (schema/people.graphql), built but not listening. */
export function createPeopleSubgraph(deps: Omit<SubgraphOptions, "name">): Promise<SubgraphServer> {
  return createSubgraphServer({ ...deps, name: "people" });
}
