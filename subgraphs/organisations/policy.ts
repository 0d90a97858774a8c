/**
 * The organisations subgraph's policy: nothing in it is personal; only admins change organisations
 * (schema/organisations.graphql); the rules of what its mutations write follow GOV.UK's organisations API.
 */
import type { SubgraphPolicy } from "../../subgraph-kit/policy.js";

export const organisationsPolicy: SubgraphPolicy = {
  forbiddenMessage: "Your token's roles do not allow this: organisations are changed by admins only.",
  fields: {
    text: {
      acronym: { max: 50 },
      type: { max: 100 },
      closedStatus: { max: 100 },
      // GOV.UK adds statuses now and then, so the importer checks the shape of the word, not a list; so does this.
      status: { pattern: /^[a-z_]{1,50}$/, expected: "a GOV.UK status word such as live, closed, exempt, joining or transitioning" },
    },
  },
};
