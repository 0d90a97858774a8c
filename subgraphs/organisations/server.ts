import { createSubgraphServer, type SubgraphOptions, type SubgraphServer } from "../../subgraph-kit/server.js";
import { organisationChanges } from "./resolvers/changes.js";
import { organisationLinks } from "./resolvers/links.js";
import { organisationsPolicy } from "./policy.js";
import { organisationsExport } from "./export.js";

/** The organisations subgraph (schema/organisations.graphql), built but not listening. */
export function createOrganisationsSubgraph(deps: Omit<SubgraphOptions, "name" | "policy" | "exported">): Promise<SubgraphServer> {
  const links = organisationLinks(deps.driver, deps.database);
  const changes = organisationChanges(deps.driver, deps.database);
  const resolvers = { Query: { ...links.resolvers.Query, ...changes.resolvers.Query } };
  const warmUp = async () => {
    await links.warmUp();
    await changes.warmUp();
  };
  return createSubgraphServer({ ...deps, name: "organisations", policy: organisationsPolicy, resolvers, warmUp, exported: organisationsExport });
}
