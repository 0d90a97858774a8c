/**
 * Summaries kept in the graph so that today's links between organisations (organisationLinks,
 * departmentMatrix) read a few relationships instead of every employee of a department (docs/adr/0010);
 * the services' summaries, for servicesByHandoffs and gaps, are graph/service-summaries.ts', the brokers'
 * graph/broker-summaries.ts' (refreshed here too):
 *
 * - `(:Organisation)-[:STAFF_IN {since, until}]->(:Community)`: someone who works for the organisation
 *   now is a member of the community over that interval; one per distinct interval of those memberships,
 *   an interval already ended when it was written left out.
 * - `(:Person)-[:SPANS {employer: true}]->(:Organisation)` for each organisation the person works for, and
 *   `(:Person)-[:SPANS {employer: false, since, until}]->(:Organisation)` for each one responsible (over
 *   that interval) for a stage they work on: written only for people who touch two organisations or more,
 *   at least one as their employer, the only people who link any.
 *
 * Reads test the stored interval against today's date, so a date passing changes their answer as it
 * changes the live computation's. Every write that changes what they summarise refreshes them for what it
 * touched, in its transaction: the people (their spans, and the organisation–community pairs of their
 * employers and communities, before and after), and the stages whose responsibilities changed (the spans
 * of the people working on them). A graph without them, or with an older version, is rebuilt at start-up.
 */
import type { Driver } from "neo4j-driver";
import { markBrokerSummariesStale, rebuildBrokerSummaries, refreshBrokerSummaries } from "./broker-summaries.js";
import { rebuildServiceSummaries, refreshTouchedServices, type Runner, type ServiceTouches } from "./service-summaries.js";

/**
 * What a write touched: people by id, with the organisations and communities they were linked to before it;
 * stages whose responsible organisations changed; what else may change the services' summaries
 * (graph/service-summaries.ts). The services of the people's and the stages' stages are counted again too.
 */
export interface SummaryTouches {
  people?: { id: string; organisations?: string[]; communities?: string[] }[];
  stages?: string[];
  /** Organisations whose opening date changed: every broker they are spanned by may count them differently, so the brokers' summaries are counted again at the next read. */
  opened?: string[];
  services?: ServiceTouches;
}

/** Bumped when what the summaries hold changes: start-up then rebuilds them. */
export const summariesVersion = 3;

const notEnded = (r: string) => `(${r}.until IS NULL OR ${r}.until > date())`;

/** Rewrites the spans of the people `$people` (ids). */
const refreshSpans = `
UNWIND $people AS personId
MATCH (p:Person {id: personId})
CALL (p) { MATCH (p)-[s:SPANS]->() DELETE s }
WITH p, COLLECT { MATCH (p)-[:WORKS_FOR]->(o:Organisation) RETURN DISTINCT o } AS employers,
  COLLECT {
    MATCH (p)-[:WORKS_ON]->(:Stage)<-[r:RESPONSIBLE_FOR]-(o:Organisation) WHERE ${notEnded("r")}
    RETURN DISTINCT {organisation: o, since: r.since, until: r.until} AS span
  } AS responsible
WHERE size(employers) > 0 AND size(apoc.coll.toSet(employers + [x IN responsible | x.organisation])) > 1
CALL (p, employers) { UNWIND employers AS o CREATE (p)-[:SPANS {employer: true}]->(o) }
CALL (p, responsible) { UNWIND responsible AS x WITH p, x, x.organisation AS o CREATE (p)-[:SPANS {employer: false, since: x.since, until: x.until}]->(o) }`;

/** Rewrites STAFF_IN for each organisation–community pair of `$people`'s employers and communities, now and as given. */
const refreshStaff = `
UNWIND $people AS person
OPTIONAL MATCH (p:Person {id: person.id})
WITH person, coalesce(person.organisations, []) + COLLECT { MATCH (p)-[:WORKS_FOR]->(o:Organisation) RETURN o.id } AS organisations,
  coalesce(person.communities, []) + COLLECT { MATCH (p)-[:MEMBER_OF]->(c:Community) RETURN c.id } AS communities
UNWIND organisations AS organisation
UNWIND communities AS community
WITH DISTINCT organisation, community
MATCH (o:Organisation {id: organisation}), (c:Community {id: community})
CALL (o, c) { MATCH (o)-[s:STAFF_IN]->(c) DELETE s }
CALL (o, c) {
  MATCH (c)<-[r:MEMBER_OF]-(:Person)-[:WORKS_FOR]->(o) WHERE ${notEnded("r")}
  WITH DISTINCT o, c, r.since AS since, r.until AS until
  CREATE (o)-[:STAFF_IN {since: since, until: until}]->(c)
}`;

const workersOf = `UNWIND $stages AS stageId MATCH (:Stage {id: stageId})<-[:WORKS_ON]-(p:Person) RETURN collect(DISTINCT p.id) AS people`;

/**
 * The brokers to count again for people whose employment or memberships changed: everyone in the
 * communities they are in or left, whose organisations may have changed with them.
 */
const membersAlongside = `
UNWIND $people AS person
OPTIONAL MATCH (p:Person {id: person.id})
UNWIND coalesce(person.communities, []) + COLLECT { MATCH (p)-[:MEMBER_OF]->(c:Community) RETURN c.id } AS community
MATCH (:Community {id: community})<-[:MEMBER_OF]-(m:Person)
RETURN collect(DISTINCT m.id) AS people`;

const idsFrom = (result: unknown) => ((result as { records: { get(key: string): unknown }[] }).records[0]?.get("people") as string[] | undefined) ?? [];

/** Refreshes the summaries for what a write touched, in its transaction, after it wrote. */
export async function refreshSummaries(tx: Runner, touched: SummaryTouches): Promise<void> {
  const people = touched.people ?? [];
  const spans = new Set(people.map((p) => p.id));
  if (touched.stages?.length) for (const id of idsFrom(await tx.run(workersOf, { stages: touched.stages }))) spans.add(id);
  if (spans.size > 0) await tx.run(refreshSpans, { people: [...spans] });
  if (people.length > 0) await tx.run(refreshStaff, { people });
  const brokers = new Set(spans);
  const moved = people.filter((p) => p.organisations?.length || p.communities?.length);
  if (moved.length > 0) for (const id of idsFrom(await tx.run(membersAlongside, { people: moved }))) brokers.add(id);
  await refreshBrokerSummaries(tx, [...brokers]);
  if (touched.opened?.length) await markBrokerSummariesStale(tx);
  const services = touched.services ?? {};
  await refreshTouchedServices(tx, {
    services: services.services ?? [],
    stages: [...(touched.stages ?? []), ...(services.stages ?? [])],
    organisations: services.organisations ?? [],
    people: [...people.map((p) => p.id), ...(services.people ?? [])],
  });
}

/** Rebuilds every summary from the graph, in batches of people: start-up on a graph without them, and the generator after it writes. */
export async function rebuildSummaries(driver: Driver, database?: string): Promise<void> {
  const run = (cypher: string) => driver.executeQuery(cypher, {}, { database, routing: "WRITE" });
  // Auto-commit transactions, as CALL … IN TRANSACTIONS needs.
  const session = driver.session({ database, defaultAccessMode: "WRITE" });
  try {
    await session.run("MATCH ()-[s:SPANS|STAFF_IN]->() CALL (s) { DELETE s } IN TRANSACTIONS OF 10000 ROWS");
    await session.run(`MATCH (p:Person) WHERE EXISTS { (p)-[:WORKS_FOR]->() }
      CALL (p) { ${refreshSpans.replace("UNWIND $people AS personId\nMATCH (p:Person {id: personId})", "")} } IN TRANSACTIONS OF 2000 ROWS`);
    await session.run(`MATCH (o:Organisation)<-[:WORKS_FOR]-(:Person)-[r:MEMBER_OF]->(c:Community) WHERE ${notEnded("r")}
      WITH DISTINCT o, c, r.since AS since, r.until AS until
      CALL (o, c, since, until) { CREATE (o)-[:STAFF_IN {since: since, until: until}]->(c) } IN TRANSACTIONS OF 10000 ROWS`);
    await session.executeWrite((tx) => rebuildServiceSummaries(tx));
    await session.executeWrite((tx) => rebuildBrokerSummaries(tx));
  } finally {
    await session.close();
  }
  await run(`MERGE (s:SummaryState {id: 'organisation-links'}) SET s.version = ${summariesVersion}, s.rebuiltAt = datetime(), s.rebuildingSince = null`);
}

/**
 * At start-up (graph/migrate.ts): rebuilds the summaries when the graph has none of this version (a graph
 * from before them, or an older version). Processes start together: the one that claims the state node
 * first rebuilds, the others go on.
 */
export async function ensureSummaries(driver: Driver, database?: string): Promise<boolean> {
  const { records } = await driver.executeQuery(
    `MERGE (s:SummaryState {id: 'organisation-links'})
     WITH s WHERE (s.version IS NULL OR s.version <> $version) AND (s.rebuildingSince IS NULL OR s.rebuildingSince < datetime() - duration('PT30M'))
     SET s.rebuildingSince = datetime()
     RETURN count(s) AS claimed`,
    { version: summariesVersion },
    { database, routing: "WRITE" },
  );
  const claimed = records[0]?.get("claimed") as { toNumber(): number } | undefined;
  if (!claimed || claimed.toNumber() === 0) return false;
  await rebuildSummaries(driver, database);
  return true;
}
