/**
 * Summaries of each service kept in the graph, so that today's `servicesByHandoffs` and `gaps` (the
 * services subgraph) read a page from an index instead of every service's stages (docs/adr/0010):
 *
 * `(:ServiceSummary {service})`, one per service: its hand-offs, stages and responsible organisations as
 * servicesByHandoffs counts them, its gaps of each kind as gaps reports them, and the service's place in
 * each order: `handoffRank` in servicesByHandoffs' (most hand-offs first, then by name as JavaScript
 * compares names), and `gapsBefore<kinds>` the gaps of the services before it in gaps' order (by name,
 * then id) for each set of kinds (a bit each, `gapKindBits`), held only by a service with gaps of those
 * kinds, so that the page at an offset is found by an index seek.
 *
 * What they count holds today: `validUntil` is the first date on which one of the facts they were counted
 * from begins, ends, opens or closes, and a summary past it is counted again before it is read, as is
 * every summary while an import marks them stale. Every write that changes what they count refreshes the
 * services it touched in its transaction (graph/summaries.ts, refreshSummaries); when a count or a name
 * changed, the places of every service are written again where they moved.
 */
import neo4j, { type Driver } from "neo4j-driver";
import { existedAt, holdsAt, statusAt, today } from "./read.js";

/** Anything Cypher runs in: a transaction of a mutation, an import's or the seed's. */
export interface Runner {
  run(cypher: string, parameters?: Record<string, unknown>): PromiseLike<unknown>;
}
type Result = { records: { get(key: string): unknown }[] };

/** Stage work on $asAt: today's (WORKS_ON) and ended (WORKED_ON), with their dates (docs/adr/0008). */
export const work = "WORKS_ON|WORKED_ON";

/** Cypher: the professions expected on stage `st` that nobody working on it held on $asAt. */
export const missingProfessionsOf = `COLLECT {
    MATCH (st)-[:EXPECTS_PROFESSION]->(x:Profession)
    // From the stage's few people, not from the profession's many (a NOT EXISTS here started from the profession).
    WHERE NOT x.id IN COLLECT { MATCH (st)<-[w:${work}]-(:Person)-[h:HAS_PROFESSION]->(y:Profession) WHERE ${holdsAt("w")} AND ${holdsAt("h")} RETURN y.id }
    RETURN x {.id, .name, .family} ORDER BY x.name
  }`;

/** Cypher: the organisations `o` responsible (`r`) for stage `st` on $asAt. */
export const responsibleFor = `MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holdsAt("r")} AND ${existedAt("o")}`;

/** Cypher predicates and patterns of stage `st`'s gaps on $asAt, as gaps reports them and the summaries count them. */
export const stageGaps = {
  noResponsibleOrganisation: `NOT EXISTS { ${responsibleFor} }`,
  nobodyWorking: `NOT EXISTS { MATCH (:Person)-[w:${work}]->(st) WHERE ${holdsAt("w")} }`,
  /** The responsibilities held by a closed organisation `o`. */
  closed: `${responsibleFor} AND ${statusAt("o")} = 'CLOSED'`,
};

/** The kinds of gap, as the API names them, each a bit of a set of kinds. */
export const gapKindBits = {
  MISSING_PROFESSION: 1,
  NO_RESPONSIBLE_ORGANISATION: 2,
  NOBODY_WORKING: 4,
  CLOSED_ORGANISATION_RESPONSIBLE: 8,
} as const;
export type GapKindName = keyof typeof gapKindBits;
/** Each kind's count on a summary. */
const gapCountOf = {
  MISSING_PROFESSION: "gapsMissingProfession",
  NO_RESPONSIBLE_ORGANISATION: "gapsNoResponsibleOrganisation",
  NOBODY_WORKING: "gapsNobodyWorking",
  CLOSED_ORGANISATION_RESPONSIBLE: "gapsClosedOrganisation",
} as const satisfies Record<GapKindName, string>;
const gapKinds = Object.keys(gapKindBits) as GapKindName[];
/** Every non-empty set of kinds, as its bits. */
export const gapKindSets = Array.from({ length: 15 }, (_, i) => i + 1);
const kindsIn = (set: number) => gapKinds.filter((k) => (set & gapKindBits[k]) !== 0);

/** The set of kinds asked for (every kind when not given; none for an empty list), as its bits. */
export const gapKindSet = (kinds: readonly GapKindName[] | null | undefined): number => (kinds ? kinds.reduce((set, k) => set | gapKindBits[k], 0) : 15);

/** The summary's property holding the gaps of kinds `set` before its service's, when it has gaps of those kinds. */
export const gapsBeforeProperty = (set: number) => `gapsBefore${set}`;

/** A Cypher expression: summary `s`'s gaps of the kinds in `set`. */
export const gapCountExpression = (s: string, set: number) =>
  kindsIn(set)
    .map((k) => `${s}.${gapCountOf[k]}`)
    .join(" + ");

/** Schema statements for the summaries (graph/migrate.ts). */
export const serviceSummaryStatements: readonly string[] = [
  "CREATE CONSTRAINT service_summary_service_unique IF NOT EXISTS FOR (n:ServiceSummary) REQUIRE n.service IS UNIQUE",
  "CREATE INDEX service_summary_handoff_rank IF NOT EXISTS FOR (n:ServiceSummary) ON (n.handoffRank)",
  "CREATE INDEX service_summary_valid_until IF NOT EXISTS FOR (n:ServiceSummary) ON (n.validUntil)",
  ...gapKindSets.map((set) => `CREATE INDEX service_summary_gaps_before_${set} IF NOT EXISTS FOR (n:ServiceSummary) ON (n.${gapsBeforeProperty(set)})`),
];

/** What the services' stages hold on $asAt, stage by stage in order, for their summaries; with each summary as it was. Every service's, or those of `$services`. */
const countQuery = (every: boolean) => `
MATCH (svc:Service) ${every ? "" : "WHERE svc.id IN $services"}
CALL (svc) {
  MATCH (svc)-[:HAS_STAGE]->(st:Stage)
  WITH st ORDER BY st.position, st.id
  RETURN collect({
    organisations: COLLECT { ${responsibleFor} RETURN DISTINCT o.id },
    missingProfession: size(${missingProfessionsOf}),
    noResponsibleOrganisation: ${stageGaps.noResponsibleOrganisation},
    nobodyWorking: ${stageGaps.nobodyWorking},
    closedOrganisation: COUNT { ${stageGaps.closed} },
    // The dates ahead on which a fact counted begins, ends, opens or closes.
    changes: COLLECT {
      MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) UNWIND [r.since, r.until, o.since, o.closedOn] AS d WITH d WHERE d > $asAt RETURN d
    } + COLLECT {
      MATCH (st)<-[w:${work}]-(p:Person) OPTIONAL MATCH (p)-[h:HAS_PROFESSION]->(:Profession)
      UNWIND [w.since, w.until, h.since, h.until] AS d WITH d WHERE d > $asAt RETURN d
    }
  }) AS stages
}
OPTIONAL MATCH (old:ServiceSummary {service: svc.id})
RETURN svc.id AS service, svc.name AS name, stages, old {.*} AS old`;

/** The hand-offs along stages in order: consecutive stages whose responsible organisations differ, both having some (a stage with none is a gap). */
export function handoffsAlong<V, S, O extends { id: string }>(
  service: V,
  stages: readonly { stage: S; organisations: readonly O[] }[],
): { service: V; fromStage: S; toStage: S; from: O[]; to: O[]; continuing: O[] }[] {
  const handoffs: { service: V; fromStage: S; toStage: S; from: O[]; to: O[]; continuing: O[] }[] = [];
  for (let i = 1; i < stages.length; i++) {
    const before = stages[i - 1]!;
    const after = stages[i]!;
    if (before.organisations.length === 0 || after.organisations.length === 0) continue;
    const beforeIds = new Set(before.organisations.map((o) => o.id));
    const afterIds = new Set(after.organisations.map((o) => o.id));
    const from = before.organisations.filter((o) => !afterIds.has(o.id));
    const to = after.organisations.filter((o) => !beforeIds.has(o.id));
    if (from.length === 0 && to.length === 0) continue;
    handoffs.push({ service, fromStage: before.stage, toStage: after.stage, from, to, continuing: after.organisations.filter((o) => beforeIds.has(o.id)) });
  }
  return handoffs;
}

/** servicesByHandoffs' order, for a sort that is stable over the graph's order by name and id: most hand-offs first, then by name as JavaScript compares names. */
export const byHandoffs =
  <T extends { handoffCount: number }>(nameOf: (item: T) => string) =>
  (a: T, b: T) =>
    b.handoffCount - a.handoffCount || nameOf(a).localeCompare(nameOf(b));

interface StageCounts {
  organisations: string[];
  missingProfession: unknown;
  noResponsibleOrganisation: boolean;
  nobodyWorking: boolean;
  closedOrganisation: unknown;
  changes: { toString(): string }[];
}
const num = (value: unknown) => Number(value);
/** Counts and places as Neo4j integers, as Cypher writes them, not floats. */
const integers = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, typeof value === "number" ? neo4j.int(value) : value]));

/** A summary's counts from its service's stages. */
function countsOf(name: string, stages: StageCounts[]) {
  const sum = (f: (s: StageCounts) => number) => stages.reduce((n, s) => n + f(s), 0);
  const changes = stages.flatMap((s) => s.changes);
  return {
    name,
    handoffCount: handoffsAlong(
      null,
      stages.map((s) => ({ stage: null, organisations: s.organisations.map((id) => ({ id })) })),
    ).length,
    stageCount: stages.length,
    organisationCount: new Set(stages.flatMap((s) => s.organisations)).size,
    gapsMissingProfession: sum((s) => num(s.missingProfession)),
    gapsNoResponsibleOrganisation: sum((s) => (s.noResponsibleOrganisation ? 1 : 0)),
    gapsNobodyWorking: sum((s) => (s.nobodyWorking ? 1 : 0)),
    gapsClosedOrganisation: sum((s) => num(s.closedOrganisation)),
    validUntil: changes.length ? changes.reduce((a, b) => (b.toString() < a.toString() ? b : a)) : null,
  };
}
/** What the places follow from: a change to one places every service again. */
const placedBy = ["name", "handoffCount", ...Object.values(gapCountOf)] as const;

/**
 * Counts again the summaries of `services` (ids; every service when null), in the transaction given,
 * deleting those of services that are gone; then, if a count or name changed, the places of every
 * service in both orders. Returns whether any place moved.
 */
export async function refreshServiceSummaries(tx: Runner, services: readonly string[] | null): Promise<boolean> {
  if (services?.length === 0) return false;
  const asAt = today();
  const rows = ((await tx.run(countQuery(services === null), { services, asAt })) as Result).records.map((r) => ({
    service: r.get("service") as string,
    counts: countsOf(r.get("name") as string, r.get("stages") as StageCounts[]),
    old: r.get("old") as Record<string, unknown> | null,
  }));
  let moved = rows.some(({ counts, old }) => !old || placedBy.some((key) => (key === "name" ? old[key] !== counts[key] : num(old[key]) !== counts[key])));
  await tx.run(`UNWIND $rows AS row MERGE (s:ServiceSummary {service: row.service}) SET s += row.counts`, {
    rows: rows.map(({ service, counts }) => ({ service, counts: integers(counts) })),
  });
  const gone = (await tx.run(
    `${services === null ? "MATCH (s:ServiceSummary)" : "UNWIND $services AS id MATCH (s:ServiceSummary {service: id})"}
     WHERE NOT EXISTS { MATCH (:Service {id: s.service}) }
     DELETE s RETURN count(*) AS n`,
    { services },
  )) as Result;
  if (num(gone.records[0]?.get("n")) > 0) moved = true;
  if (moved) await placeServices(tx);
  return moved;
}

/** Writes each summary's places in servicesByHandoffs' and gaps' orders, where they changed. */
async function placeServices(tx: Runner): Promise<void> {
  const all = ((await tx.run(`MATCH (s:ServiceSummary) RETURN s {.*} AS s ORDER BY s.name, s.service`)) as Result).records.map(
    (r) => r.get("s") as Record<string, unknown> & { service: string; name: string; handoffCount: number },
  );
  const places = new Map<string, Record<string, number | null>>(all.map((s) => [s.service, {}]));
  [...all]
    .map((s) => ({ ...s, handoffCount: num(s.handoffCount) }))
    .sort(byHandoffs((s) => s.name))
    .forEach((s, i) => (places.get(s.service)!["handoffRank"] = i + 1));
  for (const set of gapKindSets) {
    let before = 0;
    for (const s of all) {
      const count = kindsIn(set).reduce((n, k) => n + num(s[gapCountOf[k]]), 0);
      places.get(s.service)![gapsBeforeProperty(set)] = count > 0 ? before : null;
      before += count;
    }
  }
  const changed = all
    .filter((s) => Object.entries(places.get(s.service)!).some(([key, value]) => (s[key] === undefined || s[key] === null ? null : num(s[key])) !== value))
    .map((s) => ({ service: s.service, places: integers(places.get(s.service)!) }));
  if (changed.length > 0) await tx.run(`UNWIND $changed AS row MATCH (s:ServiceSummary {service: row.service}) SET s += row.places`, { changed });
}

/** What a write may have changed of services' summaries: services named, or through their stages, the organisations responsible for those, or the people working on them. */
export interface ServiceTouches {
  services?: readonly string[];
  stages?: readonly string[];
  organisations?: readonly string[];
  people?: readonly string[];
}

const servicesTouchedQuery = `
RETURN apoc.coll.toSet($services
  + COLLECT { UNWIND $stages AS id MATCH (:Stage {id: id})<-[:HAS_STAGE]-(svc:Service) RETURN svc.id }
  + COLLECT { UNWIND $organisations AS id MATCH (:Organisation {id: id})-[:RESPONSIBLE_FOR]->(:Stage)<-[:HAS_STAGE]-(svc:Service) RETURN svc.id }
  + COLLECT { UNWIND $people AS id MATCH (:Person {id: id})-[:${work}]->(:Stage)<-[:HAS_STAGE]-(svc:Service) RETURN svc.id }) AS services`;

/** Refreshes the summaries of the services a write touched, in its transaction, after it wrote. */
export async function refreshTouchedServices(tx: Runner, touched: ServiceTouches): Promise<void> {
  const parameters = {
    services: touched.services ?? [],
    stages: touched.stages ?? [],
    organisations: touched.organisations ?? [],
    people: touched.people ?? [],
  };
  if (Object.values(parameters).every((list) => list.length === 0)) return;
  const result = (await tx.run(servicesTouchedQuery, parameters)) as Result;
  await refreshServiceSummaries(tx, (result.records[0]?.get("services") as string[] | undefined) ?? []);
}

/** The state node of a family of summaries, `(:SummaryState {id})`: marked stale by an import's batches, fresh when they are counted again, which it counts. */
export function summaryState(id: string) {
  return {
    markStale: async (tx: Runner) => void (await tx.run(`MERGE (s:SummaryState {id: $id}) SET s.stale = true`, { id })),
    markFresh: async (tx: Runner) =>
      void (await tx.run(`MERGE (s:SummaryState {id: $id}) SET s.stale = false, s.recounts = coalesce(s.recounts, 0) + 1`, { id })),
  };
}

/** Runs `work` in a write transaction of its own: counting a family of summaries again, for a read that found them stale or at the end of an import. */
export async function inWriteTransaction(driver: Driver, database: string | undefined, work: (tx: Runner) => Promise<void>): Promise<void> {
  const session = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
  try {
    await session.executeWrite((tx) => work(tx));
  } finally {
    await session.close();
  }
}

/** The services' state node (graph/summaries.ts keeps the links' beside it). */
const stateId = "services";
const state = summaryState(stateId);

/** In an import's transaction: the services' summaries are not to be read until counted again (`rebuildServiceSummaries`). */
export const markServiceSummariesStale = state.markStale;

/** Counts every service's summary again in a transaction of its own: a read that found them stale (`summariesFresh`), or the end of an import. */
export const recountServiceSummaries = (driver: Driver, database?: string) => inWriteTransaction(driver, database, rebuildServiceSummaries);

/** Counts every service's summary again, in the transaction given, and marks them fresh. */
export async function rebuildServiceSummaries(tx: Runner): Promise<void> {
  // Marked first, which locks the state node: an import's batch writing meanwhile marks it stale after this commits, not before.
  await state.markFresh(tx);
  // Placed even when no count moved: a summary's places may be what is wrong.
  if (!(await refreshServiceSummaries(tx, null))) await placeServices(tx);
}

/**
 * Cypher: whether the summaries may be read on $asAt, as `fresh`: counted since the last import, one
 * for every service (the counts' store answers both counts) and none past its `validUntil`.
 */
export const summariesFresh = `CALL () {
  OPTIONAL MATCH (state:SummaryState {id: '${stateId}'})
  CALL () { MATCH (s:ServiceSummary) RETURN count(s) AS summaries }
  CALL () { MATCH (s:Service) RETURN count(s) AS services }
  RETURN coalesce(state.stale, true) = false AND summaries = services
    AND NOT EXISTS { MATCH (s:ServiceSummary) WHERE s.validUntil <= $asAt } AS fresh
}`;
