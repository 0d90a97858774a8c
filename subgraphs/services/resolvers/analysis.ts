/**
 * The services subgraph's analysis fields (schema/services.graphql, `type Query`): the journey trace,
 * hand-offs, gaps and search. Each answers with one hand-written Cypher query; the objects it returns
 * carry the fields the query read, and subgraph-kit/partial-entities.ts fetches any other field a client asks for.
 */
import neo4j, { type Date as Neo4jDate, type Driver } from "neo4j-driver";
import { badInput, pageOf, sliceConnection, connectionOf } from "../../../subgraph-kit/connection.js";
import {
  existedAt,
  graphReader,
  holdsAt,
  nameAt,
  nearestDepartment,
  organisationFieldsOf,
  partOfAt,
  statusAt,
  isToday,
  summaryReader,
  today,
  versionAt,
} from "../../../graph/read.js";
import {
  byHandoffs,
  gapCountExpression,
  gapKindSet,
  gapKindSets,
  gapsBeforeProperty,
  handoffsAlong,
  missingProfessionsOf,
  recountServiceSummaries,
  responsibleFor,
  stageGaps,
  summariesFresh,
  work,
} from "../../../graph/service-summaries.js";
import { hasRole, requireRole } from "../../../platform/caller.js";
import type { RowOf } from "../../../subgraph-kit/rows.js";
import type * as Schema from "../generated/resolvers.js";

/** Rows of the Cypher below, as the schema's types with the fields every query reads. */
type Row = Record<string, unknown>;
type Organisation = RowOf<Schema.Organisation> & { id: string; name: string };
type StageRow = RowOf<Schema.Stage> & { id: string; name: string; position: number };
type ServiceRow = RowOf<Schema.Service> & { id: string; name: string };
type StageRowOfJourney = StageRow & {
  professions: RowOf<Schema.StageProfession>[];
  communities: RowOf<Schema.StageCommunity>[];
  missingProfessions: RowOf<Schema.Profession>[];
};

/** Employment and stage work (`work`) on $asAt: today's (WORKS_FOR, WORKS_ON) and ended (WORKED_FOR, WORKED_ON), with their dates (docs/adr/0008). */
const employment = "WORKS_FOR|WORKED_FOR";

/** Cypher: the organisations that had succeeded organisation `o` by $asAt. */
const successorsOf = (o: string) =>
  `COLLECT { MATCH (${o})-[sb:SUPERSEDED_BY|WAS_SUPERSEDED_BY]->(s:Organisation) WHERE ${holdsAt("sb")} RETURN ${organisationFieldsOf("s")} AS shown ORDER BY shown.name }`;

/** Cypher projections: what each analysis reads of a node, so the gateway rarely has to ask again. */
const serviceFields = "{.id, .name, .description, .phase, .theme, .url}";
const stageFields = "{.id, .name, .position, .description}";

/** Today's date, the default of `asAt` (graph/read.ts); the ownership analyses share it. */
export { today };

/** Who works on stage `st` on $asAt (the work `w`), with the journey's filters on the person `p` (a profession held then). */
const personFilter = `${holdsAt("w")} AND ($professionIds IS NULL OR EXISTS { MATCH (p)-[h:HAS_PROFESSION]->(x:Profession) WHERE ${holdsAt("h")} AND x.id IN $professionIds })
  AND ($organisationIds IS NULL OR EXISTS { MATCH (p)-[e:${employment}]->(x:Organisation) WHERE ${holdsAt("e")} AND x.id IN $organisationIds })`;

/** Cypher map entries for stage `st`: a page of its people and their count, with the person filter. */
const stagePeopleEntries = `
  peopleCount: COUNT { MATCH (p:Person)-[w:${work}]->(st) WHERE ${personFilter} },
  people: COLLECT {
    MATCH (p:Person)-[w:${work}]->(st) WHERE ${personFilter}
    WITH p, w ORDER BY p.name, p.id SKIP $skip LIMIT $limit
    RETURN {
      role: w.role, node: p {.id, .name, .jobTitle, .grade},
      professions: COLLECT { MATCH (p)-[h:HAS_PROFESSION]->(x:Profession) WHERE ${holdsAt("h")} RETURN x {.id, .name, .family} ORDER BY x.name },
      organisations: COLLECT {
        MATCH (p)-[e:${employment}]->(x:Organisation) WHERE ${holdsAt("e")} AND ${existedAt("x")}
        RETURN ${organisationFieldsOf("x")} AS shown ORDER BY shown.name
      },
      memberships: COLLECT {
        MATCH (p)-[m:MEMBER_OF]->(c:Community) WHERE ${holdsAt("m")}
        RETURN {community: c {.id, .name, .kind}, role: m.role, since: m.since, until: m.until} ORDER BY c.name
      }
    }
  }`;

/** Cypher: the organisations responsible for stage `st` on $asAt, in lane order. */
const responsibilitiesOf = `COLLECT {
    MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holdsAt("r")} AND ${existedAt("o")}
    ${nearestDepartment("o")}
    RETURN {
      organisation: ${organisationFieldsOf("o")}, lane: r.lane, since: r.since, until: r.until, source: r.source, derivation: r.derivation, evidence: r.evidence,
      department: ${organisationFieldsOf("department")},
      successors: ${successorsOf("o")}
    } ORDER BY CASE r.lane WHEN 'FRONTSTAGE' THEN 0 WHEN 'BACKSTAGE' THEN 1 ELSE 2 END, ${nameAt("o")}
  }`;

/** Cypher: the organisations that own service `svc` end to end. */
const ownersOf = `COLLECT { MATCH (o:Organisation)-[:OWNS]->(svc) RETURN ${organisationFieldsOf("o")} AS shown ORDER BY shown.name }`;

/** The journey's one query (bench/subgraph.ts times it alone beside the floor). */
export const journeyQuery = `
MATCH (svc:Service {id: $serviceId})
CALL (svc) {
  MATCH (svc)-[:HAS_STAGE]->(st:Stage)
  WITH st ORDER BY st.position, st.id
  CALL (st) {
    MATCH (p:Person)-[w:${work}]->(st) WHERE ${personFilter}
    MATCH (p)-[h:HAS_PROFESSION]->(x:Profession) WHERE ${holdsAt("h")}
    WITH x, count(DISTINCT p) AS n ORDER BY n DESC, x.name
    RETURN collect({profession: x {.id, .name, .family}, peopleCount: n}) AS professions
  }
  CALL (st) {
    MATCH (p:Person)-[w:${work}]->(st) WHERE ${personFilter}
    MATCH (p)-[m:MEMBER_OF]->(c:Community) WHERE ${holdsAt("m")}
    WITH c, count(DISTINCT p) AS n ORDER BY n DESC, c.name
    RETURN collect({community: c {.id, .name, .kind}, peopleCount: n}) AS communities
  }
  WITH st ${stageFields.slice(0, -1)},
    responsibilities: ${responsibilitiesOf},
    ${stagePeopleEntries},
    professions: professions,
    communities: communities,
    missingProfessions: ${missingProfessionsOf}
  } AS stage
  RETURN collect(stage) AS stages
}
RETURN svc ${serviceFields} AS service, ${ownersOf} AS owners, stages`;

const stagePeopleQuery = `
MATCH (st:Stage {id: $stageId})
RETURN st {${stagePeopleEntries}} AS page`;

/**
 * What `handoffs` and `gaps` are narrowed to: whether the service named exists, and the organisation
 * named with every organisation under it on $asAt, through the parent links that held then (null
 * when none is named; empty when it had not opened by then).
 */
const scopeQuery = `
RETURN $serviceId IS NULL OR EXISTS { MATCH (:Service {id: $serviceId}) } AS serviceFound,
  $departmentId IS NULL OR EXISTS { MATCH (:Organisation {id: $departmentId}) } AS departmentFound,
  CASE WHEN $departmentId IS NULL THEN null ELSE COLLECT {
    MATCH (:Organisation {id: $departmentId})<-[h:${partOfAt}*0..6]-(m:Organisation)
    WHERE all(x IN h WHERE ${holdsAt("x")}) AND ${existedAt("m")}
    RETURN DISTINCT m.id
  } END AS family`;

/** Cypher: service `svc` is owned by one of $family (null: no department asked for). */
const ownedByFamily = "EXISTS { MATCH (svc)<-[:OWNS]-(o:Organisation) WHERE o.id IN $family }";

/** Every service's (or one service's) stages in order, with the organisations responsible on $asAt. */
const responsibilitiesQuery = `
MATCH (svc:Service) WHERE ($serviceId IS NULL OR svc.id = $serviceId)
  AND ($family IS NULL OR ${ownedByFamily}
    OR EXISTS { MATCH (svc)-[:HAS_STAGE]->(:Stage)<-[r:RESPONSIBLE_FOR]-(o:Organisation) WHERE ${holdsAt("r")} AND o.id IN $family })
CALL (svc) {
  MATCH (svc)-[:HAS_STAGE]->(st:Stage)
  WITH st ORDER BY st.position, st.id
  RETURN collect({
    stage: st ${stageFields},
    organisations: COLLECT {
      ${responsibleFor}
      WITH DISTINCT o RETURN ${organisationFieldsOf("o")} AS shown ORDER BY shown.name
    }
  }) AS stages
}
WITH svc, stages ORDER BY svc.name, svc.id
RETURN svc ${serviceFields} AS service, stages, $family IS NOT NULL AND ${ownedByFamily} AS ownedByFamily`;

/** Every stage's gaps on $asAt, of the stages `stages` matches: gapsQuery's, or those of a page's services (`$services`, from their summaries' places). */
const gapsOf = (stages: string) => `
${stages}
WITH svc, st ORDER BY svc.name, svc.id, st.position, st.id
RETURN svc ${serviceFields} AS service, st ${stageFields} AS stage, ${ownersOf} AS owners,
  ${stageGaps.noResponsibleOrganisation} AS noResponsibleOrganisation,
  ${stageGaps.nobodyWorking} AS nobodyWorking,
  ${missingProfessionsOf} AS missingProfessions,
  COLLECT {
    ${stageGaps.closed}
    RETURN {organisation: ${organisationFieldsOf("o")}, successors: ${successorsOf("o")}}
    ORDER BY ${nameAt("o")}
  } AS closed`;

/** Every stage's gaps on $asAt, narrowed to a service, a family of organisations, or neither. */
const gapsQuery = gapsOf(`
MATCH (svc:Service)-[:HAS_STAGE]->(st:Stage) WHERE ($serviceId IS NULL OR svc.id = $serviceId)
  AND ($family IS NULL OR ${ownedByFamily}
    OR EXISTS { MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holdsAt("r")} AND o.id IN $family })`);

/** The gaps of the services `$services`, each found by its id. */
const gapsOfServicesQuery = gapsOf("MATCH (svc:Service)-[:HAS_STAGE]->(st:Stage) WHERE svc.id IN $services");

/** Today's servicesByHandoffs from the services' summaries (graph/service-summaries.ts): the page's services by their places, and how many there are. */
const rankedTodayQuery = `
${summariesFresh}
CALL () { MATCH (s:ServiceSummary) RETURN count(s) AS total }
CALL () {
  MATCH (s:ServiceSummary) WHERE s.handoffRank > $skip AND s.handoffRank <= $skip + $limit
  WITH s ORDER BY s.handoffRank
  MATCH (svc:Service {id: s.service})
  RETURN collect({service: svc ${serviceFields}, handoffCount: s.handoffCount, stageCount: s.stageCount, organisationCount: s.organisationCount}) AS page
}
RETURN fresh, total, page`;

/**
 * Today's gaps of the kinds in `set`, from the services' summaries: how many there are, the place (`start`)
 * of the first gap of the service holding the one at $offset, and that service and those after it up to
 * $end, in gaps' order, with how many gaps each holds.
 */
const gapsPlacedQuery = (set: number) => {
  const before = `s.${gapsBeforeProperty(set)}`;
  return `
${summariesFresh}
OPTIONAL CALL () { MATCH (s:ServiceSummary) WHERE ${before} IS NOT NULL RETURN ${before} + ${gapCountExpression("s", set)} AS total ORDER BY ${before} DESC LIMIT 1 }
OPTIONAL CALL () { MATCH (s:ServiceSummary) WHERE ${before} <= $offset RETURN ${before} AS start ORDER BY ${before} DESC LIMIT 1 }
CALL (start) {
  MATCH (s:ServiceSummary) WHERE ${before} >= start AND ${before} < $end
  WITH s ORDER BY ${before}
  RETURN collect({service: s.service, gaps: ${gapCountExpression("s", set)}}) AS services
}
RETURN fresh, coalesce(total, 0) AS total, start, services`;
};
const gapsPlacedQueries = new Map(gapKindSets.map((set) => [set, gapsPlacedQuery(set)]));

const searchLabels = {
  ORGANISATION: "Organisation",
  PERSON: "Person",
  SERVICE: "Service",
  STAGE: "Stage",
  COMMUNITY: "Community",
  PROFESSION: "Profession",
} as const;
type SearchType = keyof typeof searchLabels;

/**
 * Ranked hits of both indexes: every node's names, acronyms and descriptions (search_text), and every
 * name and acronym an organisation has held (organisation_names, on its versions). An organisation is
 * shown with its name as on $asAt, its score its best match's; `matchedName` is the version whose name
 * matched best, when that is not the name shown. Subqueries stay out of list comprehensions (Neo4j refuses them there).
 */
const searchQuery = `
CALL () {
  CALL db.index.fulltext.queryNodes('search_text', $query) YIELD node, score
  WHERE any(label IN labels(node) WHERE label IN $labels)
  RETURN node, score, null AS version
  UNION ALL
  CALL db.index.fulltext.queryNodes('organisation_names', $query) YIELD node AS version, score
  WHERE 'Organisation' IN $labels
  MATCH (node:Organisation)-[:HAD_STATE]->(version)
  RETURN node, score, version
}
WITH node, score, version WHERE NOT node:Organisation OR ${existedAt("node")}
WITH node, score, version ORDER BY score DESC
// collect() leaves out the nulls: the first version collected is the best-matching one.
WITH node, max(score) AS score, head(collect(version)) AS version
WITH node, score, version,
  CASE WHEN node:Organisation THEN apoc.map.merge(properties(node), apoc.map.merge({status: ${statusAt("node")}}, ${versionAt("node")})) ELSE properties(node) END AS shown
WITH node, score, shown,
  CASE WHEN version IS NULL OR (version.name = shown.name AND coalesce(version.acronym, '') = coalesce(shown.acronym, '')) THEN null
    ELSE version {.name, .acronym, .since, .until, .sinceApproximate, .untilApproximate} END AS matchedName
ORDER BY score DESC, shown.name, shown.id
WITH collect({label: [l IN labels(node) WHERE l IN $labels][0], score: score, node: shown, matchedName: matchedName}) AS hits
RETURN size(hits) AS total, hits[$offset..$end] AS page`;

export type Handoff = ReturnType<typeof handoffsAlong<ServiceRow, StageRow, Organisation>>[number];

/**
 * Lucene's query syntax, escaped, so a user's text is matched as words: any of them, those matching
 * every word first, names before descriptions. The index's English analyser stems each word as it
 * stemmed the text ("registering a company" finds "Register the company" and Companies House); stop
 * words ("a", "the") are left out. A word of three letters or more also matches as the start of a
 * longer one, for text typed in part ("pens reg" finds The Pensions Regulator).
 */
export function searchQueryFor(text: string): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw badInput(`"text" must contain a word to search for.`, "text");
  if (text.length > 200 || words.length > 12) throw badInput(`"text" is too long: at most 200 characters and 12 words.`, "text");
  const escape = (word: string) => word.replace(/[+\-&|!(){}[\]^"~*?:\\/]/g, "\\$&").toLowerCase();
  // A word in a name or acronym counts far more than one in a description; a whole word more than its start.
  const clause = (w: string) =>
    w.length >= 3
      ? `(name:${w}^8 OR name:${w}*^2 OR acronym:${w}^8 OR acronym:${w}*^2 OR description:${w}^2 OR description:${w}*)`
      : `(name:${w}^8 OR acronym:${w}^8 OR description:${w}^2)`;
  const content = words.filter((w) => !englishStopWords.has(w.toLowerCase()));
  const clauses = (content.length > 0 ? content : words).map((w) => clause(escape(w)));
  return clauses.length === 1 ? clauses[0]! : `(${clauses.join(" AND ")})^4 OR ${clauses.join(" OR ")}`;
}

/** The words Lucene's English analyser leaves out of the index and of a query. */
const englishStopWords = new Set(
  "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with".split(" "),
);

interface PeopleRow {
  peopleCount: number;
  people: Row[];
}

interface GapRow {
  service: ServiceRow;
  stage: StageRow;
  owners: Organisation[];
  noResponsibleOrganisation: boolean;
  nobodyWorking: boolean;
  missingProfessions: RowOf<Schema.Profession>[];
  closed: { organisation: Organisation; successors: Organisation[] }[];
}

/** The gaps of gapsQuery's rows, in its order, of the kinds asked for (every kind when none). */
function gapsFrom(rows: readonly GapRow[], kinds: readonly Schema.GapKind[] | null | undefined) {
  return rows
    .flatMap(({ service, stage, owners, ...found }) => {
      const at = { service, stage, profession: null, organisation: null, successors: [], journeyOwners: [] };
      return [
        ...found.missingProfessions.map((profession) => ({ ...at, kind: "MISSING_PROFESSION" as const, profession })),
        ...(found.noResponsibleOrganisation ? [{ ...at, kind: "NO_RESPONSIBLE_ORGANISATION" as const, journeyOwners: owners }] : []),
        ...(found.nobodyWorking ? [{ ...at, kind: "NOBODY_WORKING" as const }] : []),
        ...found.closed.map((c) => ({
          ...at,
          kind: "CLOSED_ORGANISATION_RESPONSIBLE" as const,
          organisation: c.organisation,
          successors: c.successors,
        })),
      ];
    })
    .filter((gap) => !kinds || kinds.includes(gap.kind));
}

/** `summaries: false` answers today's questions by the live walk too, as on any other date: the summaries' test compares the two. */
export function servicesAnalysis(driver: Driver, database?: string, options: { summaries?: boolean } = {}) {
  const summaries = options.summaries ?? true;
  const graph = graphReader(driver, database);
  const filters = { organisationIds: null, professionIds: null, asAt: today(), skip: neo4j.int(0), limit: neo4j.int(20) };
  graph.plan(journeyQuery, { serviceId: "", ...filters });
  graph.plan(stagePeopleQuery, { stageId: "", ...filters });
  graph.plan(scopeQuery, { serviceId: null, departmentId: "", asAt: today() });
  graph.plan(responsibilitiesQuery, { serviceId: null, family: null, asAt: today() });
  graph.plan(gapsQuery, { serviceId: null, family: null, asAt: today() });
  graph.plan(gapsOfServicesQuery, { services: [""], asAt: today() });
  graph.plan(rankedTodayQuery, { asAt: today(), skip: neo4j.int(0), limit: neo4j.int(20) });
  graph.plan(gapsPlacedQueries.get(15)!, { asAt: today(), offset: neo4j.int(0), end: neo4j.int(50) });
  graph.plan(searchQuery, { query: "x", labels: ["Organisation"], offset: neo4j.int(0), end: neo4j.int(20), asAt: today() });
  const personFilters = (args: { organisationIds?: string[] | null; professionIds?: string[] | null }) => ({
    organisationIds: args.organisationIds ?? null,
    professionIds: args.professionIds ?? null,
  });
  const peopleConnection = (row: PeopleRow, page: ReturnType<typeof pageOf>) => connectionOf(row.people, page, row.peopleCount);
  // Anonymous callers get how many people work on a stage, not who: names are personal data.
  const countOnly = (row: PeopleRow, page: ReturnType<typeof pageOf>) => ({ ...connectionOf([], page, 0), totalCount: row.peopleCount });

  /**
   * The service and department `handoffs` and `gaps` are narrowed to, as query parameters; an id the
   * graph has not got is refused, naming its argument, rather than answered with nothing.
   */
  async function scopeOf(args: { serviceId?: string | null; departmentId?: string | null; asAt?: Neo4jDate | null }) {
    const scope = { serviceId: args.serviceId ?? null, departmentId: args.departmentId ?? null, asAt: args.asAt ?? today() };
    const [row] = await graph.rows<{ serviceFound: boolean; departmentFound: boolean; family: string[] | null }>(scopeQuery, scope);
    if (!row?.serviceFound) throw badInput(`"serviceId": no service has the id "${scope.serviceId}".`, "serviceId");
    if (!row.departmentFound) throw badInput(`"departmentId": no organisation has the id "${scope.departmentId}".`, "departmentId");
    return { serviceId: scope.serviceId, asAt: scope.asAt, family: row.family };
  }

  /** Answers from the services' summaries, counted again (once for the reads in flight) when a read finds them stale. */
  const fromSummaries = summaryReader(() => recountServiceSummaries(driver, database));

  async function servicesWithStages(scope: { serviceId: string | null; asAt: Neo4jDate | Neo4jDate<number>; family: string[] | null }) {
    return graph.rows<{ service: ServiceRow; stages: { stage: StageRow; organisations: Organisation[] }[]; ownedByFamily: boolean }>(
      responsibilitiesQuery,
      scope,
    );
  }

  return {
    warmUp: () => graph.warmUp(),
    resolvers: {
      Query: {
        async journey(_source, args, context) {
          const page = pageOf({ first: args.peoplePerStage }, 100, "peoplePerStage");
          const namesShown = hasRole(context.viewer, "reader");
          const asAt = args.asAt ?? today();
          const [row] = await graph.rows<{
            service: ServiceRow;
            owners: Organisation[];
            stages: (StageRowOfJourney & PeopleRow & { responsibilities: (Row & { organisation: Organisation; lane: Schema.Lane })[] })[];
          }>(journeyQuery, {
            serviceId: args.serviceId,
            asAt,
            skip: page.skip,
            limit: namesShown ? page.limit : neo4j.int(0),
            ...personFilters(args),
          });
          if (!row) return null;
          const handoffs = handoffsAlong(
            row.service,
            row.stages.map((s) => ({ stage: s, organisations: s.responsibilities.map((r) => r.organisation) })),
          );
          const shown = (r: { organisation: Organisation; lane: Schema.Lane }) =>
            (!args.lanes || args.lanes.includes(r.lane)) && (!args.organisationIds || args.organisationIds.includes(r.organisation.id));
          return {
            service: row.service,
            asAt,
            handoffCount: handoffs.length,
            stages: row.stages.map(({ responsibilities, people, peopleCount, professions, communities, missingProfessions, ...stage }) => ({
              stage,
              responsibilities: responsibilities.filter(shown),
              // A stage nobody is assigned shows who owns the journey, never an empty lane.
              journeyOwners: responsibilities.length === 0 ? row.owners : [],
              people: (namesShown ? peopleConnection : countOnly)({ people, peopleCount }, page),
              professions,
              communities,
              missingProfessions,
              handoff: handoffs.find((h) => h.toStage.id === stage.id) ?? null,
            })),
          };
        },

        async stagePeople(_source, args, context) {
          requireRole(context.viewer, "reader", "Listing the people on a stage");
          const page = pageOf(args, 100);
          const [row] = await graph.rows<{ page: PeopleRow }>(stagePeopleQuery, {
            stageId: args.stageId,
            asAt: args.asAt ?? today(),
            skip: page.skip,
            limit: page.limit,
            ...personFilters(args),
          });
          if (!row) throw badInput(`"stageId": no stage has the id "${args.stageId}".`, "stageId");
          return peopleConnection(row.page, page);
        },

        async handoffs(_source, args) {
          const page = pageOf(args, 500);
          const scope = await scopeOf(args);
          const family = new Set(scope.family);
          // In a service the department owns every hand-off is its; elsewhere those it takes part in.
          const touchesFamily = (h: Handoff) => [...h.from, ...h.to, ...h.continuing].some((o) => family.has(o.id));
          const handoffs = (await servicesWithStages(scope)).flatMap((s) => {
            const along = handoffsAlong(s.service, s.stages);
            return scope.family === null || s.ownedByFamily ? along : along.filter(touchesFamily);
          });
          return sliceConnection(
            handoffs.map((node) => ({ node })),
            page,
          );
        },

        async servicesByHandoffs(_source, args) {
          const page = pageOf(args, 500);
          const asAt = args.asAt ?? today();
          // Today's from the services' summaries; as on another date, every service's stages walked.
          if (summaries && isToday(asAt)) {
            const found = await fromSummaries(async () => {
              const [row] = await graph.rows<{
                fresh: boolean;
                total: number;
                page: { service: ServiceRow; handoffCount: number; stageCount: number; organisationCount: number }[];
              }>(rankedTodayQuery, {
                asAt,
                skip: page.skip,
                limit: page.limit,
              });
              // A service without a summary, or one without its service, is for counting again.
              const expected = Math.max(0, Math.min(page.size, (row?.total ?? 0) - page.offset));
              return row?.fresh && row.page.length === expected
                ? connectionOf(
                    row.page.map((node) => ({ node })),
                    page,
                    row.total,
                  )
                : null;
            });
            if (found) return found;
          }
          const ranked = (await servicesWithStages({ serviceId: null, asAt, family: null }))
            .map((s) => ({
              service: s.service,
              handoffCount: handoffsAlong(s.service, s.stages).length,
              stageCount: s.stages.length,
              organisationCount: new Set(s.stages.flatMap((st) => st.organisations.map((o) => o.id))).size,
            }))
            .sort(byHandoffs((s) => s.service.name));
          return sliceConnection(
            ranked.map((node) => ({ node })),
            page,
          );
        },

        async gaps(_source, args) {
          const page = pageOf(args, 500);
          const scope = await scopeOf(args);

          // Today's over every service: the page's services found from their summaries' places, their gaps read as below.
          if (summaries && isToday(scope.asAt) && scope.serviceId === null && scope.family === null) {
            const set = gapKindSet(args.kinds);
            if (set === 0) return connectionOf([], page, 0);
            const found = await fromSummaries(async () => {
              const [row] = await graph.rows<{ fresh: boolean; total: number; start: number | null; services: { service: string; gaps: number }[] }>(
                gapsPlacedQueries.get(set)!,
                { asAt: scope.asAt, offset: page.skip, end: neo4j.int(page.offset + page.size) },
              );
              if (!row?.fresh) return null;
              const services = row.services.map((s) => s.service);
              const gaps = services.length ? gapsFrom(await graph.rows<GapRow>(gapsOfServicesQuery, { services, asAt: scope.asAt }), args.kinds) : [];
              // Each service's gaps as its summary counts them, or the summaries are for counting again.
              const counted = new Map(row.services.map((s) => [s.service, s.gaps]));
              for (const gap of gaps) counted.set(gap.service.id, (counted.get(gap.service.id) ?? 0) - 1);
              if ([...counted.values()].some((n) => n !== 0)) return null;
              const from = page.offset - (row.start ?? 0);
              return connectionOf(
                gaps.slice(from, from + page.size).map((node) => ({ node })),
                page,
                row.total,
              );
            });
            if (found) return found;
          }
          return sliceConnection(
            gapsFrom(await graph.rows<GapRow>(gapsQuery, scope), args.kinds).map((node) => ({ node })),
            page,
          );
        },

        async search(_source, args, context) {
          const page = pageOf(args, 100);
          const asked = args.types?.length ? args.types : (Object.keys(searchLabels) as SearchType[]);
          // People are found by name only by those who may read names; the rest search everything else.
          if (asked.every((type) => type === "PERSON")) requireRole(context.viewer, "reader", "Searching people");
          const types = hasRole(context.viewer, "reader") ? asked : asked.filter((type) => type !== "PERSON");
          const [row] = await graph.rows<{
            total: number;
            page: { label: string; node: Row & { id: string; name: string }; score: number; matchedName: Schema.NameHeld | null }[];
          }>(searchQuery, {
            query: searchQueryFor(args.text),
            labels: types.map((t) => searchLabels[t]),
            offset: page.skip,
            end: neo4j.int(page.offset + page.size),
            asAt: args.asAt ?? today(),
          });
          const typeOf = Object.fromEntries(Object.entries(searchLabels).map(([type, label]) => [label, type])) as Record<string, SearchType>;
          const edges = (row?.page ?? []).map(({ label, node, score, matchedName }) => {
            const type = typeOf[label]!;
            return { node: { type, id: node.id, name: node.name, score, matchedName, [type.toLowerCase()]: node } };
          });
          return connectionOf(edges, page, row?.total ?? 0);
        },
      },
    } satisfies Schema.Resolvers,
  };
}
