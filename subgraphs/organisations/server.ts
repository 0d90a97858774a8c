import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../subgraph-kit/server.js";
import { organisationLinks } from "./resolvers/links.js";
import { organisationsPolicy } from "./policy.js";

/** The organisations subgraph (schema/organisations.graphql), built but not listening. */
export function createOrganisationsSubgraph(deps: Omit<SubgraphOptions, "name" | "policy">): Promise<SubgraphServer> {
  const { resolvers, warmUp } = organisationLinks(deps.driver, deps.database);
  return createSubgraphServer({ ...deps, name: "organisations", policy: organisationsPolicy, resolvers, warmUp });
}
