/**
 * The people subgraph's part of the graph export (subgraph-kit/export.ts): professions and
 * communities; with people asked for (a reader only), the people who worked somewhere on the day,
 * or whose employment is unknown, with where they worked, their professions and memberships then.
 * Never their contact details.
 */
import { existedAt, holdsAt, presentAt } from "../../graph/read.js";
import type { SubgraphExport } from "../../subgraph-kit/export.js";

const provenance = (x: string) => `${x}.source AS provenance, toString(${x}.importedAt) AS importedAt`;

export const peopleExport: SubgraphExport = {
  nodes: [
    { cypher: `MATCH (f:Profession) RETURN 'Profession' AS kind, f.id AS id, f.name AS label, ${provenance("f")}, f.snapshot AS snapshot ORDER BY f.id` },
    { cypher: `MATCH (c:Community) RETURN 'Community' AS kind, c.id AS id, c.name AS label, ${provenance("c")}, c.snapshot AS snapshot ORDER BY c.id` },
    {
      personal: true,
      cypher: `MATCH (p:Person) WHERE ${presentAt("p")}
        RETURN 'Person' AS kind, p.id AS id, p.name AS label, p.jobTitle AS jobTitle, p.grade AS grade, ${provenance("p")}, p.snapshot AS snapshot ORDER BY p.id`,
    },
  ],
  edges: [
    {
      personal: true,
      cypher: `MATCH (p:Person)-[r:WORKS_FOR|WORKED_FOR]->(o:Organisation) WHERE ${holdsAt("r")} AND ${existedAt("o")}
        RETURN 'Person' AS sourceKind, p.id AS source, 'Organisation' AS targetKind, o.id AS target, 'WORKS_FOR' AS label,
          toString(r.since) AS since, toString(r.until) AS until, ${provenance("r")} ORDER BY p.id, o.id`,
    },
    {
      personal: true,
      cypher: `MATCH (p:Person)-[r:HAS_PROFESSION]->(f:Profession) WHERE ${holdsAt("r")} AND ${presentAt("p")}
        RETURN 'Person' AS sourceKind, p.id AS source, 'Profession' AS targetKind, f.id AS target, 'HAS_PROFESSION' AS label,
          toString(r.since) AS since, toString(r.until) AS until, ${provenance("r")} ORDER BY p.id, f.id`,
    },
    {
      personal: true,
      cypher: `MATCH (p:Person)-[r:MEMBER_OF]->(c:Community) WHERE ${holdsAt("r")} AND ${presentAt("p")}
        RETURN 'Person' AS sourceKind, p.id AS source, 'Community' AS targetKind, c.id AS target, 'MEMBER_OF' AS label, r.role AS role,
          toString(r.since) AS since, toString(r.until) AS until, ${provenance("r")} ORDER BY p.id, c.id`,
    },
  ],
};
