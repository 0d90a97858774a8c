/**
 * The organisations subgraph's policy: nothing in it is personal; only admins change organisations
 * (schema/organisations.graphql); the rules of what its mutations write follow GOV.UK's organisations API.
 */
import type { SubgraphPolicy } from "../../subgraph-kit/policy.js";

export const organisationsPolicy: SubgraphPolicy = {
  forbiddenMessage: "Your token's roles do not allow this: organisations are changed by admins only.",
  fields: {
    text: {
      // Its type, status and closed status are enums (schema/shared.graphql): GraphQL refuses a value outside them.
      acronym: { max: 50 },
    },
  },
};
