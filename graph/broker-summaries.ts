/**
 * Summaries of each broker kept in the graph, so that today's `brokers` (the people subgraph) reads a page
 * from an index instead of every person in a community or on a stage (docs/adr/0010):
 *
 * - `(:BrokerSummary {person})`, one per person in a community or working on a stage today: the
 *   organisations they span, their communities and stages, as brokers counts them, and their place in
 *   brokers' order, `spanOrder` (minus the organisations spanned) then `nameKey`: a number whose order
 *   is that of (name, id) as JavaScript compares names (an order Cypher cannot give), spaced so that a
 *   newcomer takes a number between its neighbours' and nobody else's moves. One range index on both.
 * - `(:BrokerPending {person})`: someone not counted today whose membership or stage work begins ahead.
 *
 * What they count holds today: `validUntil` is the first date ahead on which a fact counted begins or
 * ends (a membership, stage work, employment, responsibility or `STAFF_IN` interval, an organisation's
 * opening), and a read finding one past it counts them again, as it does while an import marks them
 * stale. Every write refreshes the people it touched in its transaction (graph/summaries.ts,
 * refreshSummaries), with every member of the communities whose organisations they may have changed.
 */
import neo4j, { type Driver, type Integer } from "neo4j-driver";
import { existedAt, holdsAt, holdsNow, today } from "./read.js";
import { inWriteTransaction, summaryState, work, type Runner } from "./service-summaries.js";

type Result = { records: { get(key: string): unknown }[] };

/** Employment on $asAt, today's and ended alike (docs/adr/0008). */
const employment = "WORKS_FOR|WORKED_FOR";

/**
 * The organisations (those that existed on $asAt) whose people belonged to each community then:
 * as on a date by walking every member's employment, or today from `STAFF_IN` (graph/summaries.ts),
 * as today's organisationLinks reads it; `ofCommunities`, today's of the communities `$communities`.
 */
export const communityOrganisationsQuery = {
  at: `
MATCH (c:Community)<-[r:MEMBER_OF]-(:Person)-[e:${employment}]->(o:Organisation) WHERE ${holdsAt("r")} AND ${holdsAt("e")} AND ${existedAt("o")}
RETURN c.id AS community, collect(DISTINCT o.id) AS organisations`,
  today: `
MATCH (c:Community)<-[s:STAFF_IN]-(o:Organisation) WHERE ${holdsNow("s")} AND ${existedAt("o")}
RETURN c.id AS community, collect(DISTINCT o.id) AS organisations`,
  ofCommunities: `
UNWIND $communities AS id
MATCH (c:Community {id: id})<-[s:STAFF_IN]-(o:Organisation) WHERE ${holdsNow("s")} AND ${existedAt("o")}
RETURN c.id AS community, collect(DISTINCT o.id) AS organisations`,
};

/** Cypher: person `p` is in a community or works on a stage on $asAt, which makes them a candidate. */
const isCandidate = `(EXISTS { MATCH (p)-[r:MEMBER_OF]->(:Community) WHERE ${holdsAt("r")} } OR EXISTS { MATCH (p)-[w:${work}]->(:Stage) WHERE ${holdsAt("w")} })`;

/** Cypher columns: what person `p` worked for, on and with on $asAt. */
const spanColumns = `
  COLLECT { MATCH (p)-[e:${employment}]->(o:Organisation) WHERE ${holdsAt("e")} AND ${existedAt("o")} RETURN o.id } AS own,
  COLLECT { MATCH (p)-[w:${work}]->(:Stage)<-[r:RESPONSIBLE_FOR]-(o:Organisation) WHERE ${holdsAt("w")} AND ${holdsAt("r")} AND ${existedAt("o")} RETURN DISTINCT o.id } AS stageOrganisations,
  COLLECT { MATCH (p)-[r:MEMBER_OF]->(c:Community) WHERE ${holdsAt("r")} RETURN c.id } AS communities,
  COUNT { MATCH (p)-[w:${work}]->(:Stage) WHERE ${holdsAt("w")} } AS stages`;

/** Everyone in a community or working on a stage on $asAt (of `$organisationId` then, when given): what they worked for, on and with then. */
export const candidatesQuery = `
CALL () {
  MATCH (p:Person)-[r:MEMBER_OF]->(:Community) WHERE ${holdsAt("r")} RETURN p
  UNION
  MATCH (p:Person)-[w:${work}]->(:Stage) WHERE ${holdsAt("w")} RETURN p
}
WITH p WHERE $organisationId IS NULL OR EXISTS { MATCH (p)-[e:${employment}]->(:Organisation {id: $organisationId}) WHERE ${holdsAt("e")} }
RETURN p {.id, .name, .jobTitle, .grade} AS person, ${spanColumns}`;

/** As candidatesQuery, of the people `$people` (ids) only: a page's, read from the summaries. */
export const candidatesAmongQuery = `
UNWIND $people AS id
MATCH (p:Person {id: id}) WHERE ${isCandidate}
RETURN p {.id, .name, .jobTitle, .grade} AS person, ${spanColumns}`;

/** What the summaries count, of the people `$people` or of everyone with a membership or stage work: whether a candidate today, their spans, and the dates ahead on which any of it changes. */
const countQuery = (every: boolean) => `
${every ? `MATCH (p:Person) WHERE EXISTS { (p)-[:MEMBER_OF|${work}]->() }` : "UNWIND $people AS id MATCH (p:Person {id: id})"}
RETURN p {.id, .name} AS person, ${isCandidate} AS candidate, ${spanColumns},
  COLLECT {
    MATCH (p)-[r:MEMBER_OF|${work}|${employment}]->(x) UNWIND [r.since, r.until, x.since] AS d WITH d WHERE d > $asAt RETURN d
    UNION MATCH (p)-[:${work}]->(:Stage)<-[r:RESPONSIBLE_FOR]-(o:Organisation) UNWIND [r.since, r.until, o.since] AS d WITH d WHERE d > $asAt RETURN d
    UNION MATCH (p)-[:MEMBER_OF]->(:Community)<-[s:STAFF_IN]-(o:Organisation) UNWIND [s.since, s.until, o.since] AS d WITH d WHERE d > $asAt RETURN d
  } AS changes`;

export interface Candidate {
  person: { id: string; name: string };
  own: string[];
  stageOrganisations: string[];
  communities: string[];
  stages: number;
}

/** A set of organisations as bits, so a person's span is a few word-wise ORs however large their communities. */
export class OrganisationSet {
  private words = new Uint32Array(64);
  add(index: number): void {
    this.fit(index >>> 5);
    this.words[index >>> 5]! |= 1 << (index & 31);
  }
  addAll(indexes: readonly number[]): void {
    for (const i of indexes) this.add(i);
  }
  count(): number {
    let n = 0;
    for (let w of this.words) for (; w; w &= w - 1) n++;
    return n;
  }
  indexes(): number[] {
    const out: number[] = [];
    this.words.forEach((w, i) => {
      for (let b = 0; b < 32; b++) if (w & (1 << b)) out.push(i * 32 + b);
    });
    return out;
  }
  private fit(word: number): void {
    if (word < this.words.length) return;
    const grown = new Uint32Array(Math.max(word + 1, this.words.length * 2));
    grown.set(this.words);
    this.words = grown;
  }
}

/** A candidate as brokers ranks them: the organisations they span, and how many. */
export interface Ranked {
  person: Candidate["person"];
  communities: number;
  stages: number;
  spanned: OrganisationSet;
  organisations: number;
}

/** Spans of candidates, from each community's organisations (communityOrganisationsQuery's rows); organisations numbered as met. */
export class Spans {
  private readonly index = new Map<string, number>();
  private readonly byCommunity: Map<string, number[]>;
  constructor(communityRows: readonly { community: string; organisations: string[] }[]) {
    this.byCommunity = new Map(communityRows.map((row) => [row.community, row.organisations.map((id) => this.indexOf(id))]));
  }
  private indexOf(id: string): number {
    return this.index.get(id) ?? (this.index.set(id, this.index.size), this.index.size - 1);
  }
  rank(c: Candidate): Ranked {
    const spanned = new OrganisationSet();
    spanned.addAll([...c.own, ...c.stageOrganisations].map((id) => this.indexOf(id)));
    for (const community of c.communities) spanned.addAll(this.byCommunity.get(community) ?? []);
    return { person: c.person, communities: c.communities.length, stages: Number(c.stages), spanned, organisations: spanned.count() };
  }
  /** The ids of the organisations in a set. */
  idsOf(set: OrganisationSet): string[] {
    const ids = [...this.index.keys()];
    return set.indexes().map((i) => ids[i]!);
  }
}

/** People by name as JavaScript compares names, then by id: the order of `nameKey`. */
const byName = (a: { id: string; name: string }, b: { id: string; name: string }) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
/** brokers' order: most organisations spanned first, then by name and id. */
export const byRank = (a: Ranked, b: Ranked) => b.organisations - a.organisations || byName(a.person, b.person);

/** Schema statements for the summaries (graph/migrate.ts). */
export const brokerSummaryStatements: readonly string[] = [
  "CREATE CONSTRAINT broker_summary_person_unique IF NOT EXISTS FOR (n:BrokerSummary) REQUIRE n.person IS UNIQUE",
  "CREATE INDEX broker_summary_order IF NOT EXISTS FOR (n:BrokerSummary) ON (n.spanOrder, n.nameKey)",
  "CREATE INDEX broker_summary_name_key IF NOT EXISTS FOR (n:BrokerSummary) ON (n.nameKey)",
  "CREATE INDEX broker_summary_valid_until IF NOT EXISTS FOR (n:BrokerSummary) ON (n.validUntil)",
  "CREATE CONSTRAINT broker_pending_person_unique IF NOT EXISTS FOR (n:BrokerPending) REQUIRE n.person IS UNIQUE",
  "CREATE INDEX broker_pending_valid_until IF NOT EXISTS FOR (n:BrokerPending) ON (n.validUntil)",
];

/** The space between neighbours' `nameKey` when they are numbered afresh: about twenty newcomers between two before numbering again. */
const nameKeySpacing = 2 ** 20;
/** How many keys each step of the search for a newcomer's place looks at. */
const probesPerStep = 16;

interface Counted {
  person: { id: string; name: string };
  candidate: boolean;
  ranked: Ranked;
  validUntil: unknown;
}

/** Counts the people of `$people` (every one with a membership or stage work when null) as brokers would today. */
async function count(tx: Runner, people: readonly string[] | null): Promise<Counted[]> {
  const asAt = today();
  const rows = ((await tx.run(countQuery(people === null), { people, asAt })) as Result).records.map((r) => ({
    candidate: {
      person: r.get("person") as Candidate["person"],
      own: r.get("own") as string[],
      stageOrganisations: r.get("stageOrganisations") as string[],
      communities: r.get("communities") as string[],
      stages: Number(r.get("stages")),
    },
    isCandidate: r.get("candidate") as boolean,
    changes: r.get("changes") as { toString(): string }[],
  }));
  const communities = [...new Set(rows.flatMap((r) => r.candidate.communities))];
  const spans = new Spans(
    communities.length
      ? ((await tx.run(communityOrganisationsQuery.ofCommunities, { communities, asAt })) as Result).records.map((r) => ({
          community: r.get("community") as string,
          organisations: r.get("organisations") as string[],
        }))
      : [],
  );
  return rows.map(({ candidate, isCandidate, changes }) => ({
    person: candidate.person,
    candidate: isCandidate,
    ranked: spans.rank(candidate),
    validUntil: changes.length ? changes.reduce((a, b) => (b.toString() < a.toString() ? b : a)) : null,
  }));
}

const countsOf = (c: Counted) => ({
  name: c.person.name,
  organisationCount: neo4j.int(c.ranked.organisations),
  spanOrder: neo4j.int(-c.ranked.organisations),
  communityCount: neo4j.int(c.ranked.communities),
  stageCount: neo4j.int(c.ranked.stages),
  validUntil: c.validUntil,
});

/** Writes the pending people of `counted` (not candidates, with a date ahead) and deletes the summaries of those neither counted nor pending. */
async function writePending(tx: Runner, counted: readonly Counted[], people: readonly string[]): Promise<void> {
  const pending = counted.filter((c) => !c.candidate && c.validUntil !== null).map((c) => ({ person: c.person.id, validUntil: c.validUntil }));
  const candidates = counted.filter((c) => c.candidate).map((c) => c.person.id);
  await tx.run(
    `UNWIND $people AS id
     OPTIONAL MATCH (s:BrokerSummary {person: id}) WHERE NOT id IN $candidates
     OPTIONAL MATCH (w:BrokerPending {person: id})
     DELETE s, w`,
    { people, candidates },
  );
  await tx.run(`UNWIND $pending AS row CREATE (:BrokerPending {person: row.person, validUntil: row.validUntil})`, { pending });
}

/**
 * Counts again the summaries of `people` (ids), in the transaction given: each candidate's counts, and
 * the place by name of a newcomer or of someone renamed; the others' summaries deleted.
 */
export async function refreshBrokerSummaries(tx: Runner, people: readonly string[]): Promise<void> {
  if (people.length === 0) return;
  const counted = await count(tx, people);
  const old = new Map(
    ((await tx.run(`UNWIND $people AS id MATCH (s:BrokerSummary {person: id}) RETURN id, s.name AS name`, { people })) as Result).records.map((r) => [
      r.get("id") as string,
      r.get("name") as string,
    ]),
  );
  await writePending(tx, counted, people);
  const candidates = counted.filter((c) => c.candidate);
  const unplaced = candidates.filter((c) => old.get(c.person.id) !== c.person.name);
  await tx.run(
    `UNWIND $rows AS row MERGE (s:BrokerSummary {person: row.person}) SET s += row.counts SET s.nameKey = CASE WHEN row.unplaced THEN null ELSE s.nameKey END`,
    { rows: candidates.map((c) => ({ person: c.person.id, counts: countsOf(c), unplaced: unplaced.includes(c) })) },
  );
  for (const c of unplaced) await placeByName(tx, c.person);
}

/** Gives `person`'s summary a `nameKey` between those of its neighbours by name, searching the keys a few at a time; numbers every summary afresh when there is no room. */
async function placeByName(tx: Runner, person: { id: string; name: string }): Promise<void> {
  let below = 0;
  let above: number | null = null;
  for (;;) {
    const top: number =
      above ??
      Number(
        (
          (await tx.run(`MATCH (s:BrokerSummary) WHERE s.nameKey IS NOT NULL RETURN s.nameKey AS top ORDER BY s.nameKey DESC LIMIT 1`)) as Result
        ).records[0]?.get("top") ?? 0,
      ) + 1;
    const probes: Integer[] = Array.from({ length: probesPerStep }, (_, i) => neo4j.int(below + 1 + Math.floor((i * (top - below - 1)) / probesPerStep)));
    const found: { key: number; name: string; id: string }[] = (
      (await tx.run(
        `UNWIND $probes AS probe
       CALL (probe) { MATCH (s:BrokerSummary) WHERE s.nameKey >= probe AND ($above IS NULL OR s.nameKey < $above) RETURN s ORDER BY s.nameKey LIMIT 1 }
       RETURN DISTINCT s.nameKey AS key, s.name AS name, s.person AS id ORDER BY key`,
        { probes, above: above === null ? null : neo4j.int(above) },
      )) as Result
    ).records.map((r) => ({ key: Number(r.get("key")), name: r.get("name") as string, id: r.get("id") as string }));
    if (found.length === 0) break;
    for (const s of found) {
      if (byName(s, person) < 0) below = s.key;
      else if (above === null || s.key < above) above = s.key;
    }
  }
  const key = above === null ? below + nameKeySpacing : below + Math.floor((above - below) / 2);
  if (key === below) {
    await numberByName(tx);
    return placeByName(tx, person);
  }
  await tx.run(`MATCH (s:BrokerSummary {person: $id}) SET s.nameKey = $key`, { id: person.id, key: neo4j.int(key) });
}

/** Numbers every placed summary's `nameKey` afresh, spaced, in the order they stand. */
async function numberByName(tx: Runner): Promise<void> {
  await tx.run(
    `MATCH (s:BrokerSummary) WHERE s.nameKey IS NOT NULL WITH s ORDER BY s.nameKey
     WITH collect(s) AS placed UNWIND range(0, size(placed) - 1) AS i WITH placed[i] AS s, i SET s.nameKey = (i + 1) * $spacing`,
    { spacing: neo4j.int(nameKeySpacing) },
  );
}

/** The brokers' state node (graph/summaries.ts keeps the links' beside it). */
const stateId = "brokers";
const state = summaryState(stateId);

/** In an import's transaction, or a write whose reach is too wide to follow: the summaries are not to be read until counted again. */
export const markBrokerSummariesStale = state.markStale;

/** Counts every summary again in a transaction of its own: a read that found them stale, or the end of an import. */
export const recountBrokerSummaries = (driver: Driver, database?: string) => inWriteTransaction(driver, database, rebuildBrokerSummaries);

/** Counts every summary again, in the transaction given, numbers them by name afresh and marks them fresh. */
export async function rebuildBrokerSummaries(tx: Runner): Promise<void> {
  // Marked first, which locks the state node: an import's batch writing meanwhile marks it stale after this commits.
  await state.markFresh(tx);
  const counted = await count(tx, null);
  await tx.run(`MATCH (s:BrokerSummary) DELETE s`);
  await tx.run(`MATCH (s:BrokerPending) DELETE s`);
  await writePending(tx, counted, []);
  const candidates = counted.filter((c) => c.candidate).sort((a, b) => byName(a.person, b.person));
  for (let i = 0; i < candidates.length; i += 5000)
    await tx.run(`UNWIND $rows AS row CREATE (s:BrokerSummary {person: row.person}) SET s += row.counts`, {
      rows: candidates
        .slice(i, i + 5000)
        .map((c, j) => ({ person: c.person.id, counts: { ...countsOf(c), nameKey: neo4j.int((i + j + 1) * nameKeySpacing) } })),
    });
}

/** Cypher: whether the summaries may be read on $asAt, as `fresh`: counted since the last import or wide write, none past its `validUntil`. */
export const brokerSummariesFresh = `CALL () {
  OPTIONAL MATCH (state:SummaryState {id: '${stateId}'})
  RETURN coalesce(state.stale, true) = false
    AND NOT EXISTS { MATCH (s:BrokerSummary) WHERE s.validUntil <= $asAt }
    AND NOT EXISTS { MATCH (s:BrokerPending) WHERE s.validUntil <= $asAt } AS fresh
}`;

/** Today's brokers from the summaries: whether they may be read, how many there are, and the page's people in order with their counts. */
export const brokersTodayQuery = `
${brokerSummariesFresh}
CALL () { MATCH (s:BrokerSummary) RETURN count(s) AS total }
CALL () {
  MATCH (s:BrokerSummary) WHERE s.spanOrder IS NOT NULL AND s.nameKey IS NOT NULL
  WITH s ORDER BY s.spanOrder, s.nameKey SKIP $skip LIMIT $limit
  RETURN collect(s {.person, .organisationCount, .communityCount, .stageCount}) AS page
}
RETURN fresh, total, page`;
