/**
 * Who owns government's services, by department: `ownershipScorecard` (each department's services,
 * their stages with nobody responsible, their gaps and the services not assessed lately) and
 * `serviceCounts` (services by department, phase or theme) and `servicesIn` (one such group's services,
 * each with its owners and latest assessment). Each is one Cypher query; a department is
 * the nearest department at or above an owning organisation, so DVLA's services count for DfT.
 */
import neo4j, { type Date as Neo4jDate, type Driver } from "neo4j-driver";
import { connectionOf, pageOf, sliceConnection } from "../../../subgraph-kit/connection.js";
import { graphReader, nearestDepartment, organisationFields } from "../../../graph/read.js";
import type * as Schema from "../generated/resolvers.js";
import { missingProfessionsOf, stageGaps } from "../../../graph/service-summaries.js";
import { today } from "./analysis.js";

/** Cypher: each service `svc` with the department `d` of each of its owners, once per pair. */
const servicesByDepartment = `
MATCH (o:Organisation)-[:OWNS]->(svc:Service)
${nearestDepartment("o")}
WITH DISTINCT coalesce(department, o) AS d, svc`;

const scorecardQuery = `
${servicesByDepartment}
CALL (svc) {
  OPTIONAL MATCH (svc)-[:HAS_STAGE]->(st:Stage)
  WITH st, st IS NOT NULL AND ${stageGaps.noResponsibleOrganisation} AS unassigned
  // The gaps of every kind that gaps() reports on $asAt, by the same predicates (graph/service-summaries.ts).
  WITH st, unassigned, CASE WHEN st IS NULL THEN 0 ELSE
      size(${missingProfessionsOf})
      + CASE WHEN unassigned THEN 1 ELSE 0 END
      + CASE WHEN ${stageGaps.nobodyWorking} THEN 1 ELSE 0 END
      + COUNT { ${stageGaps.closed} }
    END AS gaps
  RETURN count(st) AS stageCount, count(CASE WHEN unassigned THEN 1 END) AS unassignedStageCount, sum(gaps) AS gapCount
}
WITH d, svc, stageCount, unassignedStageCount, gapCount,
  NOT EXISTS { MATCH (svc)-[:HAS_EVENT]->(e:ServiceEvent) WHERE e.assessedPhase IS NOT NULL AND e.date >= $assessedSince } AS notAssessed
WITH d, count(svc) AS serviceCount, sum(stageCount) AS stageCount, sum(unassignedStageCount) AS unassignedStageCount, sum(gapCount) AS gapCount,
  count(CASE WHEN notAssessed THEN 1 END) AS notRecentlyAssessedServiceCount
RETURN d ${organisationFields} AS department, serviceCount, stageCount, unassignedStageCount, gapCount, notRecentlyAssessedServiceCount
ORDER BY serviceCount DESC, department.name`;

const countQueries: Record<Schema.ServiceGrouping, string> = {
  DEPARTMENT: `${servicesByDepartment}
    RETURN d.name AS key, d ${organisationFields} AS department, count(svc) AS serviceCount ORDER BY serviceCount DESC, key`,
  PHASE: `MATCH (svc:Service) RETURN coalesce(svc.phase, 'none') AS key, null AS department, count(*) AS serviceCount ORDER BY serviceCount DESC, key`,
  THEME: `MATCH (svc:Service) RETURN coalesce(svc.theme, 'none') AS key, null AS department, count(*) AS serviceCount ORDER BY serviceCount DESC, key`,
};

/** Cypher: the services `svc` of the group `$key`, one row each. */
const groupMembers: Record<Schema.ServiceGrouping, string> = {
  DEPARTMENT: `${servicesByDepartment} WHERE d.id = $key WITH DISTINCT svc`,
  PHASE: `MATCH (svc:Service) WHERE coalesce(svc.phase, 'none') = $key`,
  THEME: `MATCH (svc:Service) WHERE coalesce(svc.theme, 'none') = $key`,
};

/** An assessment is a timeline event with a phase assessed, as the scorecard counts them. */
const servicesInQueries = Object.fromEntries(
  Object.entries(groupMembers).map(([by, members]) => [
    by,
    `${members}
     WITH svc WHERE $notAssessedSince IS NULL
       OR NOT EXISTS { MATCH (svc)-[:HAS_EVENT]->(e:ServiceEvent) WHERE e.assessedPhase IS NOT NULL AND e.date >= $notAssessedSince }
     WITH svc ORDER BY svc.name, svc.id
     WITH collect(svc) AS matched
     CALL (matched) {
       UNWIND matched[$skip..$skip + $limit] AS svc
       CALL (svc) {
         OPTIONAL MATCH (svc)-[:HAS_EVENT]->(e:ServiceEvent) WHERE e.assessedPhase IS NOT NULL
         RETURN e ORDER BY e.date DESC, e.id LIMIT 1
       }
       RETURN collect({
         service: svc {.*},
         owners: COLLECT { MATCH (o:Organisation)-[:OWNS]->(svc) RETURN o ${organisationFields} AS o ORDER BY o.name LIMIT 20 },
         lastAssessment: CASE WHEN e IS NULL THEN null ELSE e {.*} END
       }) AS listings
     }
     RETURN size(matched) AS total, listings`,
  ]),
) as Record<Schema.ServiceGrouping, string>;

/** Three years before a date: what "recent" means for an assessment unless the caller says. */
function threeYearsBefore(date: Pick<Neo4jDate, "year" | "month" | "day"> | Neo4jDate<number>): Neo4jDate<number> {
  return new neo4j.types.Date(Number(date.year) - 3, Number(date.month), Number(date.day) === 29 && Number(date.month) === 2 ? 28 : Number(date.day));
}

export function ownershipAnalysis(driver: Driver, database?: string) {
  const graph = graphReader(driver, database);
  graph.plan(scorecardQuery, { asAt: today(), assessedSince: threeYearsBefore(today()) });
  // The department of each service is judged today (nearestDepartment reads $asAt).
  for (const query of Object.values(countQueries)) graph.plan(query, { asAt: today() });
  for (const query of Object.values(servicesInQueries))
    graph.plan(query, { asAt: today(), key: "", notAssessedSince: null, skip: neo4j.int(0), limit: neo4j.int(50) });
  return {
    warmUp: () => graph.warmUp(),
    resolvers: {
      Query: {
        async ownershipScorecard(_source, args) {
          const page = pageOf(args, 100);
          const asAt = args.asAt ?? today();
          const assessedSince = args.assessedSince ?? threeYearsBefore(asAt);
          const rows = await graph.rows<Omit<Schema.OwnershipScorecard, "assessedSince" | "department"> & { department: Schema.Organisation }>(scorecardQuery, {
            asAt,
            assessedSince,
          });
          return sliceConnection(
            rows.map((row) => ({ node: { ...row, assessedSince } })),
            page,
          );
        },
        async servicesIn(_source, args) {
          const page = pageOf(args, 200);
          const [row] = await graph.rows<{ total: number; listings: Schema.ServiceListing[] }>(servicesInQueries[args.by], {
            asAt: args.asAt ?? today(),
            key: args.key,
            notAssessedSince: args.notAssessedSince ?? null,
            skip: page.skip,
            limit: page.limit,
          });
          return connectionOf(
            (row?.listings ?? []).map((node) => ({ node })),
            page,
            row?.total ?? 0,
          );
        },
        async serviceCounts(_source, args) {
          const page = pageOf(args, 500);
          const rows = await graph.rows<{ key: string; department: Schema.Organisation | null; serviceCount: number }>(countQueries[args.by], {
            asAt: today(),
          });
          return sliceConnection(
            rows.map((node) => ({ node })),
            page,
          );
        },
      },
    } satisfies Schema.Resolvers,
  };
}
