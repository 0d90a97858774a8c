import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../lib/subgraph-server.js";
import { organisationLinkResolvers } from "./links.js";

/** The organisations subgraph (schema/organisations.graphql), built but not listening. */
export function createOrganisationsSubgraph(deps: Omit<SubgraphOptions, "name">): Promise<SubgraphServer> {
  return createSubgraphServer({ ...deps, name: "organisations", resolvers: organisationLinkResolvers(deps.driver, deps.database) });
}
