/**
 * The services subgraph's policy: who works on a stage is personal (its Person stub, schema/services.graphql),
 * editors change only their own organisations' responsibilities, the rules of what its mutations write, and
 * the stage owners derived again when a mutation changes services (stage-owners.ts).
 */
import type { SubgraphPolicy } from "../../subgraph-kit/policy.js";
import { followServiceChanges } from "./stage-owners.js";

export const servicesPolicy: SubgraphPolicy = {
  personalInputTypes: /PersonWhere$|PersonSort$/,
  forbiddenMessage:
    "Your token's roles do not allow this: people's names need the reader role, and editors change only their own organisations' responsibilities.",
  fields: {
    text: {
      theme: { max: 200 },
      phaseHistory: { max: 300 },
    },
    numbers: { "Stage.position": { min: 1, max: 1000 } },
  },
  followChanges: followServiceChanges,
};
