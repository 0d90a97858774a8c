/**
 * The services subgraph's part of the graph export (subgraph-kit/export.ts): services and their
 * stages, who owned them, who was responsible for each stage on the day (with its lane and evidence),
 * which communities focus on them and which professions each stage expects; with people asked for
 * (a reader only), who worked on each stage then.
 */
import { existedAt, holdsAt, presentAt } from "../../graph/read.js";
import type { SubgraphExport } from "../../subgraph-kit/export.js";

const provenance = (x: string) => `${x}.source AS provenance, toString(${x}.importedAt) AS importedAt`;

export const servicesExport: SubgraphExport = {
  nodes: [
    {
      cypher: `MATCH (s:Service) RETURN 'Service' AS kind, s.id AS id, s.name AS label, s.phase AS phase, s.theme AS theme,
        ${provenance("s")}, s.snapshot AS snapshot ORDER BY s.id`,
    },
    {
      cypher: `MATCH (st:Stage) RETURN 'Stage' AS kind, st.id AS id, st.name AS label, st.position AS position, ${provenance("st")}, st.snapshot AS snapshot ORDER BY st.id`,
    },
  ],
  edges: [
    {
      cypher: `MATCH (s:Service)-[r:HAS_STAGE]->(st:Stage)
        RETURN 'Service' AS sourceKind, s.id AS source, 'Stage' AS targetKind, st.id AS target, 'HAS_STAGE' AS label, ${provenance("r")} ORDER BY s.id, st.position`,
    },
    {
      cypher: `MATCH (o:Organisation)-[r:OWNS]->(s:Service) WHERE ${existedAt("o")}
        RETURN 'Organisation' AS sourceKind, o.id AS source, 'Service' AS targetKind, s.id AS target, 'OWNS' AS label, ${provenance("r")} ORDER BY o.id, s.id`,
    },
    {
      cypher: `MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st:Stage) WHERE ${holdsAt("r")} AND ${existedAt("o")}
        RETURN 'Organisation' AS sourceKind, o.id AS source, 'Stage' AS targetKind, st.id AS target, 'RESPONSIBLE_FOR' AS label,
          toLower(r.lane) AS lane, toString(r.since) AS since, toString(r.until) AS until, r.evidence AS evidence, ${provenance("r")} ORDER BY o.id, st.id`,
    },
    {
      cypher: `MATCH (c:Community)-[r:FOCUSES_ON]->(s:Service)
        RETURN 'Community' AS sourceKind, c.id AS source, 'Service' AS targetKind, s.id AS target, 'FOCUSES_ON' AS label, ${provenance("r")} ORDER BY c.id, s.id`,
    },
    {
      cypher: `MATCH (st:Stage)-[r:EXPECTS_PROFESSION]->(f:Profession)
        RETURN 'Stage' AS sourceKind, st.id AS source, 'Profession' AS targetKind, f.id AS target, 'EXPECTS_PROFESSION' AS label, ${provenance("r")} ORDER BY st.id, f.id`,
    },
    {
      personal: true,
      cypher: `MATCH (p:Person)-[r:WORKS_ON|WORKED_ON]->(st:Stage) WHERE ${holdsAt("r")} AND ${presentAt("p")}
        RETURN 'Person' AS sourceKind, p.id AS source, 'Stage' AS targetKind, st.id AS target, 'WORKS_ON' AS label, r.role AS role,
          toString(r.since) AS since, toString(r.until) AS until, ${provenance("r")} ORDER BY p.id, st.id`,
    },
  ],
};
