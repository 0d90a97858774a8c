/**
 * The organisations subgraph's part of the graph export (subgraph-kit/export.ts): the organisations
 * that existed on the day, with their name, acronym and type as their dated version gave them then,
 * and the parent links and successions that held.
 */
import { existedAt, holdsAt, statusAt } from "../../graph/read.js";
import type { SubgraphExport } from "../../subgraph-kit/export.js";

/** Both ends existed on the day, and the link held. */
const linkHeld = (r: string) => `${holdsAt(r)} AND ${existedAt("a")} AND ${existedAt("b")}`;
const linkColumns = (label: string) =>
  `'Organisation' AS sourceKind, a.id AS source, 'Organisation' AS targetKind, b.id AS target, '${label}' AS label,
   toString(r.since) AS since, toString(r.until) AS until, r.source AS provenance, toString(r.importedAt) AS importedAt`;

export const organisationsExport: SubgraphExport = {
  nodes: [
    {
      cypher: `MATCH (o:Organisation) WHERE ${existedAt("o")}
        OPTIONAL CALL (o) { MATCH (o)-[:HAD_STATE]->(v:OrganisationState) WHERE ${holdsAt("v")} RETURN v LIMIT 1 }
        RETURN 'Organisation' AS kind, o.id AS id, coalesce(v.name, o.name) AS label, coalesce(v.acronym, o.acronym) AS acronym,
          coalesce(v.type, o.type) AS organisationType, ${statusAt("o")} AS status, toString(o.since) AS since,
          CASE WHEN o.closedOn <= $asAt THEN toString(o.closedOn) END AS until,
          CASE WHEN o.sinceApproximate THEN toString(o.sinceEarliest) END AS sinceEarliest,
          CASE WHEN o.sinceApproximate THEN toString(o.sinceLatest) END AS sinceLatest,
          CASE WHEN o.closedOn <= $asAt AND o.closedOnApproximate THEN toString(o.closedOnEarliest) END AS untilEarliest,
          CASE WHEN o.closedOn <= $asAt AND o.closedOnApproximate THEN toString(o.closedOnLatest) END AS untilLatest,
          o.source AS provenance, o.snapshot AS snapshot, toString(o.importedAt) AS importedAt
        ORDER BY o.id`,
    },
  ],
  edges: [
    { cypher: `MATCH (a:Organisation)-[r:PART_OF|WAS_PART_OF]->(b:Organisation) WHERE ${linkHeld("r")} RETURN ${linkColumns("PART_OF")} ORDER BY a.id, b.id` },
    {
      cypher: `MATCH (a:Organisation)-[r:SUPERSEDED_BY|WAS_SUPERSEDED_BY]->(b:Organisation) WHERE ${linkHeld("r")} RETURN ${linkColumns("SUPERSEDED_BY")} ORDER BY a.id, b.id`,
    },
  ],
};
