/**
 * The people subgraph's policy: people's names, job titles and grades are personal (schema/people.graphql
 * reads them for readers, contact details for admins and the person), and the rules of what its
 * mutations write: posts as organograms publish them, pay and FTE within sane bounds.
 */
import type { SubgraphPolicy } from "../../subgraph-kit/policy.js";
import { slug } from "../../subgraph-kit/mutations/validation.js";

export const peoplePolicy: SubgraphPolicy = {
  personalInputTypes: /PersonWhere$|PersonSort$/,
  forbiddenMessage:
    "Your token's roles do not allow this: people's names need the reader role, contact details the admin role or being that person, and editors change only their own organisations' people and responsibilities.",
  // As schema/people.graphql's BEFORE rule: an editor's person works for one of their organisations now.
  editorHolds: { Person: "EXISTS { MATCH (n)-[:WORKS_FOR]->(o:Organisation) WHERE o.id IN $organisations }" },
  fields: {
    text: {
      // A post is `<organisation>/<post reference>`, junior posts `<organisation>/junior/<slug>` (data/import/sources/organogram.ts).
      "Post.id": {
        pattern: new RegExp(`^${slug}/[^\\s\\p{Cc}](?:[^\\p{Cc}]{0,98}[^\\s\\p{Cc}])?$`, "u"),
        expected: "`<organisation slug>/<post reference>`, the reference at most 100 characters",
      },
      "JuniorPosts.id": { pattern: new RegExp(`^${slug}/junior/${slug}$`), expected: "`<organisation slug>/junior/<slug>`" },
      jobTitle: { max: 500 },
      unit: { max: 300 },
      reference: { max: 100 },
      grade: { max: 100 },
      professionGroup: { max: 200 },
      family: { max: 200 },
    },
    numbers: {
      fte: { min: 0, max: 100_000 },
      payFloor: { min: 0, max: 10_000_000 },
      payCeiling: { min: 0, max: 10_000_000 },
      payMin: { min: 0, max: 10_000_000 },
      payMax: { min: 0, max: 10_000_000 },
    },
    orderedPairs: [
      ["payFloor", "payCeiling"],
      ["payMin", "payMax"],
    ],
    notAfterToday: { "WORKED_FOR.until": "an employment that ends later holds until then; end it on the day" },
  },
};
