/**
 * The organisations' history, rebuilt from what is stored: every GOV.UK Organisations snapshot's
 * observation of each organisation (`(:Organisation)-[:SEEN_IN]->(:Snapshot)`) and the curated
 * machinery-of-government changes (`(:MachineryOfGovernmentChange)-[:CHANGES]->(:Organisation)`).
 * The result is a function of those facts alone, never of the order they arrived in, so importing
 * snapshots in any order, or again, ends in the same graph (docs/adr/0008).
 *
 * Every interval is written as `since`/`until` (the dates `asAt` reads: exact, or the later bound when
 * only bounds are known, null when open) with `sinceEarliest`/`sinceLatest`, `untilEarliest`/`untilLatest`
 * (the change happened after the first and on or before the second), `…Approximate` and `…Source`.
 */
import neo4j, { type Driver, type ManagedTransaction } from "neo4j-driver";
import { toNumber, type WriteCounts } from "../../graph/writes.js";

type Day = string;

interface Observation {
  date: Day;
  file: string;
  name: string;
  acronym: string | null;
  type: string | null;
  status: string;
  closedStatus: string | null;
  closedAt: Day | null;
  url: string | null;
  parents: string[];
  successors: string[];
}

interface CuratedChange {
  date: Day;
  change: "opened" | "closed";
  successors: string[];
  citation: string;
}

/** When something started or ended: exact, between two dates, or before the first snapshot (earliest null). */
export interface Bound {
  date: Day | null;
  earliest: Day | null;
  latest: Day | null;
  approximate: boolean;
  source: string | null;
}

const exact = (date: Day, source: string): Bound => ({ date, earliest: date, latest: date, approximate: false, source });
const between = (earliest: Day, latest: Day): Bound => ({
  date: latest,
  earliest,
  latest,
  approximate: true,
  source: `govuk-organisations: not in the snapshot of ${earliest}, in that of ${latest}`,
});
/** Held at the first snapshot; when it began is not known. */
const beforeRecords = (first: Day): Bound => ({
  date: null,
  earliest: null,
  latest: first,
  approximate: true,
  source: `govuk-organisations: already in the first snapshot, ${first}`,
});
const endedBetween = (lastSeen: Day, gone: Day): Bound => ({
  ...between(lastSeen, gone),
  source: `govuk-organisations: in the snapshot of ${lastSeen}, not in that of ${gone}`,
});
const within = (bound: Bound, date: Day) =>
  bound.approximate && (bound.earliest === null || date >= bound.earliest) && bound.latest !== null && date <= bound.latest;

interface OrganisationFacts {
  id: string;
  observations: Observation[];
  dates: Day[];
  opened: Bound;
  closed: Bound | null;
  openStatus: string | null;
  curated: CuratedChange[];
}

interface LinkRow {
  from: string;
  to: string;
  type: string;
  props: Record<string, unknown>;
}

function intervalProps(since: Bound, until: Bound | null, seen: Day[], source: string): Record<string, unknown> {
  return {
    since: since.date,
    sinceEarliest: since.earliest,
    sinceLatest: since.latest,
    sinceApproximate: since.approximate,
    sinceSource: since.source,
    until: until?.date ?? null,
    untilEarliest: until?.earliest ?? null,
    untilLatest: until?.latest ?? null,
    untilApproximate: until?.approximate ?? false,
    untilSource: until?.source ?? null,
    seenIn: seen,
    source,
  };
}

/** Consecutive runs of snapshot indexes (in `dates`) where `present` holds. */
function runs(dates: Day[], present: (date: Day) => boolean): [number, number][] {
  const found: [number, number][] = [];
  dates.forEach((date, i) => {
    if (!present(date)) return;
    const last = found.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else found.push([i, i]);
  });
  return found;
}

function organisationFacts(id: string, observations: Observation[], dates: Day[], curated: CuratedChange[]): OrganisationFacts {
  const first = observations[0]!;
  const firstIndex = dates.indexOf(first.date);
  const opening = curated.find((c) => c.change === "opened");
  const opened = opening ? exact(opening.date, opening.citation) : firstIndex === 0 ? beforeRecords(first.date) : between(dates[firstIndex - 1]!, first.date);
  const latest = observations.at(-1)!;
  let closed: Bound | null = null;
  let openStatus: string | null;
  if (latest.status === "CLOSED") {
    let k = observations.length - 1;
    while (k > 0 && observations[k - 1]!.status === "CLOSED") k--;
    openStatus = k > 0 ? observations[k - 1]!.status : null;
    const closing = curated.find((c) => c.change === "closed");
    const dataDate = [...observations].reverse().find((o) => o.closedAt)?.closedAt;
    const startIndex = dates.indexOf(observations[k]!.date);
    if (closing) closed = exact(closing.date, closing.citation);
    else if (dataDate)
      closed = exact(dataDate, `govuk-organisations: closed_at in the snapshot of ${[...observations].reverse().find((o) => o.closedAt)!.date}`);
    else if (startIndex === 0 || k === 0)
      closed = { ...beforeRecords(observations[k]!.date), source: `govuk-organisations: closed in the snapshot of ${observations[k]!.date}` };
    else closed = between(dates[startIndex - 1]!, observations[k]!.date);
  } else {
    openStatus = latest.status;
  }
  return { id, observations, dates, opened: closed ? openedBy(opened, closed, first.date) : opened, closed, openStatus, curated };
}

/**
 * GOV.UK adds records of organisations that had already closed: one first listed after the day it
 * closed had opened by that day, not by the snapshot that first lists it (the AI Safety Institute, first
 * listed on 2026-07-20, closed on 2025-02-14); one that closed before a snapshot that did not list it may
 * be older than every snapshot (MHCLG 2018 to 2021, closed 2021-09-20, absent from that of 2023-01-01).
 */
function openedBy(opened: Bound, closed: Bound, firstListed: Day): Bound {
  if (!opened.approximate || opened.latest === null || closed.date === null || closed.date >= opened.latest) return opened;
  const listed = `govuk-organisations: first listed in the snapshot of ${firstListed}, closed on ${closed.date}`;
  if (opened.earliest !== null && opened.earliest < closed.date)
    return {
      date: closed.date,
      earliest: opened.earliest,
      latest: closed.date,
      approximate: true,
      source: `${listed}, not in the snapshot of ${opened.earliest}`,
    };
  return { date: null, earliest: null, latest: closed.date, approximate: true, source: `${listed}, before any snapshot` };
}

const successorIsNew = { REPLACED: "replaced by", CHANGED_NAME: "renamed as" } as const;

/**
 * GOV.UK records that an organisation closed on a known day "replaced" by, or having "changed_name" to,
 * its successors: a successor whose opening is known only within bounds that hold that day (already in
 * the first snapshot, or first listed after it) opened that day, the earliest such day if it replaced
 * several. So BEIS opens on 2016-07-15, when BIS closed, instead of having existed on every earlier date,
 * and the AI Security Institute on 2025-02-14, when the AI Safety Institute changed its name, instead of
 * on 2026-07-20, the first snapshot that lists it. Successors of a merger or a split are left alone:
 * they may have existed before.
 */
function openedByReplacing(all: Map<string, OrganisationFacts>): void {
  const replaced = [...all.values()]
    .filter((facts) => facts.closed && !facts.closed.approximate && (facts.observations.at(-1)!.closedStatus ?? "") in successorIsNew)
    .sort((a, b) => (a.closed!.date! < b.closed!.date! ? -1 : a.closed!.date! > b.closed!.date! ? 1 : a.id.localeCompare(b.id)));
  for (const old of replaced) {
    const { date, source } = old.closed!;
    for (const successor of old.observations.at(-1)!.successors) {
      const facts = all.get(successor);
      if (!facts) continue;
      const { approximate, earliest, latest } = facts.opened;
      if (!approximate || (earliest !== null && earliest >= date!) || (latest !== null && latest < date!)) continue;
      const how = successorIsNew[old.observations.at(-1)!.closedStatus as keyof typeof successorIsNew];
      facts.opened = exact(date!, `inferred: ${old.id} closed on ${date!}, ${how} ${successor} (${source})`);
    }
  }
}

/** The links of one organisation of a type, each run of snapshots that list it an interval. */
function linksOf(facts: OrganisationFacts, all: Map<string, OrganisationFacts>, type: "PART_OF" | "SUPERSEDED_BY", today: Day): LinkRow[] {
  const field = type === "PART_OF" ? "parents" : "successors";
  const seenAt = new Map(facts.observations.map((o) => [o.date, o]));
  const lastDate = facts.dates.at(-1)!;
  const targets = [...new Set(facts.observations.flatMap((o) => o[field]))].filter((t) => all.has(t)).sort();
  const rows: LinkRow[] = [];
  for (const target of targets) {
    const other = all.get(target)!;
    for (const [a, b] of runs(facts.dates, (date) => seenAt.get(date)?.[field].includes(target) ?? false)) {
      const seen = facts.dates.slice(a, b + 1).filter((d) => seenAt.has(d));
      let since: Bound;
      if (type === "SUPERSEDED_BY" && facts.closed) {
        // A succession takes effect when the organisation closes.
        const cited = facts.curated.find((c) => c.change === "closed" && c.successors.includes(target));
        since = cited ? exact(cited.date, cited.citation) : facts.closed;
      } else if (facts.dates[a] === facts.observations[0]!.date) {
        since = facts.opened;
      } else {
        since = between(facts.dates[a - 1]!, facts.dates[a]!);
      }
      // Nothing is part of an organisation before it opened.
      if (since.approximate && !other.opened.approximate && other.opened.date && (since.earliest === null || other.opened.date > since.earliest)) {
        since = { ...since, earliest: other.opened.date, source: `${since.source}; ${target} opened on ${other.opened.date}` };
      }
      let until: Bound | null = null;
      const lastSeen = facts.dates[b]!;
      if (lastSeen !== lastDate) {
        until = endedBetween(lastSeen, facts.dates[b + 1]!);
        // A link to an organisation ends when that organisation closes, if it closed in between.
        if (type === "PART_OF" && other.closed && !other.closed.approximate && within(until, other.closed.date!)) {
          until = exact(other.closed.date!, `${target} closed on ${other.closed.date!} (${other.closed.source})`);
        }
      }
      rows.push({ from: facts.id, to: target, type, props: intervalProps(since, until, seen, `govuk-organisations:${seenAt.get(seen[0]!)!.file}`) });
    }
  }
  if (type === "PART_OF") {
    // Moved with a machinery-of-government change: when the old parent closed on a known day and the
    // new one succeeded it, the new link began that day.
    for (const row of rows) {
      if (!row.props["sinceApproximate"]) continue;
      const bound: Bound = {
        date: null,
        earliest: row.props["sinceEarliest"] as Day | null,
        latest: row.props["sinceLatest"] as Day,
        approximate: true,
        source: null,
      };
      for (const old of rows) {
        const ended = old.props["until"] as Day | null;
        if (old === row || !ended || old.props["untilApproximate"] || !within(bound, ended)) continue;
        const successors = all.get(old.to)!.observations.at(-1)!.successors;
        if (!successors.includes(row.to)) continue;
        Object.assign(row.props, {
          since: ended,
          sinceEarliest: ended,
          sinceLatest: ended,
          sinceApproximate: false,
          sinceSource: `inferred: ${old.to} closed on ${ended} and ${row.to} succeeded it (${old.props["untilSource"] as string})`,
        });
        break;
      }
    }
  }
  for (const row of rows) {
    const until = row.props["until"] as Day | null;
    if (until !== null && until <= today) row.type = `WAS_${type}`;
  }
  return rows;
}

interface StateRow {
  id: string;
  props: Record<string, unknown>;
}

/** The organisation's dated versions: each run of snapshots with the same name, acronym, type and status. */
function statesOf(facts: OrganisationFacts): StateRow[] {
  const key = (o: Observation) => JSON.stringify([o.name, o.acronym, o.type, o.status, o.closedStatus]);
  const byDate = new Map(facts.observations.map((o) => [o.date, o]));
  const versions: { from: number; to: number; observation: Observation }[] = [];
  facts.dates.forEach((date, i) => {
    const seen = byDate.get(date);
    if (!seen) return;
    const last = versions.at(-1);
    if (last && last.to === i - 1 && key(last.observation) === key(seen)) last.to = i;
    else versions.push({ from: i, to: i, observation: seen });
  });
  return versions.map((v, n) => {
    const o = v.observation;
    const isClosing = o.status === "CLOSED" && facts.closed && (n === 0 || versions[n - 1]!.observation.status !== "CLOSED");
    const since =
      n === 0
        ? o.status === "CLOSED" && facts.closed
          ? facts.closed
          : facts.opened
        : isClosing
          ? facts.closed!
          : between(facts.dates[v.from - 1]!, facts.dates[v.from]!);
    const next = versions[n + 1];
    let until: Bound | null = null;
    if (next)
      until =
        next.observation.status === "CLOSED" && o.status !== "CLOSED" && facts.closed
          ? facts.closed
          : endedBetween(facts.dates[v.to]!, facts.dates[next.from]!);
    else if (v.to !== facts.dates.length - 1) until = endedBetween(facts.dates[v.to]!, facts.dates[v.to + 1]!);
    const seen = facts.dates.slice(v.from, v.to + 1).filter((d) => byDate.has(d));
    return {
      id: `${facts.id}@${facts.dates[v.from]!}`,
      props: {
        name: o.name,
        acronym: o.acronym,
        type: o.type,
        status: o.status,
        closedStatus: o.closedStatus,
        ...intervalProps(since, until, seen, `govuk-organisations:${byDate.get(seen[0]!)!.file}`),
      },
    };
  });
}

/** Every observation of the organisations seen in the datasets, what the curated changes say of them, and what is stored. */
const observationsQuery = `
MATCH (o:Organisation)-[:SEEN_IN]->(s:Snapshot WHERE s.dataset IN $datasets)
WITH DISTINCT o
MATCH (o)-[seen:SEEN_IN]->(snapshot:Snapshot)
WITH o, seen, snapshot ORDER BY snapshot.date
WITH o, collect(seen {.*, date: toString(snapshot.date), file: snapshot.file, dataset: snapshot.dataset}) AS observations
RETURN o.id AS id, observations,
  COLLECT {
    MATCH (change:MachineryOfGovernmentChange)-[:CHANGES]->(o)
    RETURN change {date: toString(change.date), .change, successors: coalesce(change.successors, []), citation: change.citationTitle + ', ' + change.citationUrl}
    ORDER BY change.date
  } AS curated,
  {
    props: properties(o),
    links: COLLECT { MATCH (o)-[r:PART_OF|WAS_PART_OF|SUPERSEDED_BY|WAS_SUPERSEDED_BY]->(t:Organisation) RETURN {type: type(r), to: t.id, props: properties(r)} },
    states: COLLECT { MATCH (o)-[:HAD_STATE]->(v:OrganisationState) RETURN {id: v.id, props: properties(v)} }
  } AS stored`;

const datasetDatesQuery = `MATCH (s:Snapshot) WHERE s.dataset IN $datasets WITH s.dataset AS dataset, s.date AS date ORDER BY date RETURN dataset, collect(DISTINCT toString(date)) AS dates`;

const writeOrganisations = `
UNWIND $rows AS row
MATCH (o:Organisation {id: row.id})
WITH o, row, all(key IN keys(row.props) WHERE o[key] = row.props[key] OR (o[key] IS NULL AND row.props[key] IS NULL)) AS same
FOREACH (_ IN CASE WHEN same THEN [] ELSE [1] END | SET o += row.props, o.importedAt = datetime())`;

const linkTypes = ["PART_OF", "WAS_PART_OF", "SUPERSEDED_BY", "WAS_SUPERSEDED_BY"] as const;

/** Relationship types are written into the Cypher (they cannot be parameters); they come from linkTypes only. */
const writeLinks = `
UNWIND $rows AS row
MATCH (o:Organisation {id: row.id})
CALL (o, row) {
  MATCH (o)-[r:${linkTypes.join("|")}]->(t:Organisation)
  WHERE NOT (type(r) + '>' + t.id) IN [l IN row.links | l.type + '>' + l.to]
  DELETE r
  RETURN count(*) AS deleted
}
${linkTypes
  .map(
    (type, i) => `CALL (o, row) {
  UNWIND [l IN row.links WHERE l.type = '${type}'] AS link
  MATCH (t:Organisation {id: link.to})
  OPTIONAL MATCH (o)-[existing:${type}]->(t)
  MERGE (o)-[r:${type}]->(t)
  SET r = link.props
  RETURN count(existing) AS kept${i}, count(*) AS written${i}
}`,
  )
  .join("\n")}
CALL (o, row) {
  MATCH (o)-[:HAD_STATE]->(v:OrganisationState) WHERE NOT v.id IN [s IN row.states | s.id]
  DETACH DELETE v
  RETURN count(*) AS statesDeleted
}
CALL (o, row) {
  UNWIND row.states AS state
  MERGE (v:OrganisationState {id: state.id})
  SET v = state.props, v.id = state.id
  MERGE (o)-[:HAD_STATE]->(v)
  RETURN count(*) AS states
}
RETURN sum(deleted) AS deleted, sum(${linkTypes.map((_, i) => `written${i} - kept${i}`).join(" + ")}) AS created`;

const dateKeys = new Set([
  "since",
  "sinceEarliest",
  "sinceLatest",
  "until",
  "untilEarliest",
  "untilLatest",
  "closedAt",
  "closedOn",
  "closedOnEarliest",
  "closedOnLatest",
]);
const neo4jDate = (day: Day) => new neo4j.types.Date(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));

/** The properties as stored: dates as Neo4j dates, the snapshot dates as a list of them. */
function dated(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(props).map(([key, value]) => [
      key,
      dateKeys.has(key) && typeof value === "string" ? neo4jDate(value) : key === "seenIn" ? (value as Day[]).map(neo4jDate) : value,
    ]),
  );
}

/** A value written out the same way whether it came from the graph or was computed here; nulls are absent properties. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || value === undefined) return null;
  if (typeof value === "object") {
    if (neo4j.isInt(value)) return value.toNumber();
    // The driver's temporal values write themselves out as ISO dates.
    if (value.constructor !== Object) return (value as { toString(): string }).toString();
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

interface Stored {
  props: Record<string, unknown>;
  links: LinkRow[];
  states: StateRow[];
}

/** Whether what is stored already is what the rebuild would write. */
function unchanged(stored: Stored, wanted: { props: Record<string, unknown>; links: LinkRow[]; states: StateRow[] }): boolean {
  const byKey = <T extends { id?: string; type?: string; to?: string }>(rows: T[]) =>
    JSON.stringify(canonical([...rows].sort((a, b) => ((a.id ?? `${a.type}>${a.to}`) < (b.id ?? `${b.type}>${b.to}`) ? -1 : 1))));
  const storedStates = stored.states.map(({ id, props }) => ({ id, props: { ...props, id: undefined } }));
  return (
    Object.entries(wanted.props).every(([key, value]) => JSON.stringify(canonical(stored.props[key])) === JSON.stringify(canonical(value))) &&
    byKey(stored.links) === byKey(wanted.links.map(({ type, to, props }) => ({ type, to, props }))) &&
    byKey(storedStates) === byKey(wanted.states)
  );
}

/**
 * Rebuilds every observed organisation's today's view (the node's properties), its dated links
 * (PART_OF and SUPERSEDED_BY hold today, WAS_PART_OF and WAS_SUPERSEDED_BY ended) and its versions.
 */
export async function rebuildOrganisationHistory(
  driver: Driver,
  database: string | undefined,
  datasets: string[],
  today = new Date().toISOString().slice(0, 10),
): Promise<Partial<WriteCounts>> {
  if (datasets.length === 0) return {};
  const read = { database, routing: "READ" as const };
  const datesOf = new Map(
    (await driver.executeQuery(datasetDatesQuery, { datasets }, read)).records.map((r) => [r.get("dataset") as string, r.get("dates") as Day[]]),
  );
  const all = new Map<string, OrganisationFacts>();
  const stored = new Map<string, Stored>();
  for (const record of (await driver.executeQuery(observationsQuery, { datasets }, read)).records) {
    const observations = (record.get("observations") as (Observation & { dataset: string })[]).map((o) => ({
      ...o,
      acronym: o.acronym ?? null,
      type: o.type ?? null,
      closedStatus: o.closedStatus ?? null,
      closedAt: o.closedAt ? String(o.closedAt) : null,
      url: o.url ?? null,
      parents: o.parents ?? [],
      successors: o.successors ?? [],
    }));
    const dates = [...new Set(observations.flatMap((o) => datesOf.get(o.dataset) ?? []))].sort();
    const id = record.get("id") as string;
    all.set(id, organisationFacts(id, observations, dates, record.get("curated") as CuratedChange[]));
    stored.set(id, record.get("stored") as Stored);
  }
  openedByReplacing(all);
  // Only relationships are counted: the nodes were counted as the snapshots' records were written.
  const counts: Partial<WriteCounts> = { relationshipsCreated: 0, relationshipsDeleted: 0 };
  const wanted = [...all.values()].map((facts) => {
    const latest = facts.observations.at(-1)!;
    return {
      id: facts.id,
      props: {
        name: latest.name,
        acronym: latest.acronym,
        type: latest.type,
        status: latest.status,
        closedStatus: latest.closedStatus,
        closedAt: facts.closed && !facts.closed.approximate ? facts.closed.date : null,
        url: latest.url,
        source: `govuk-organisations:${latest.file}`,
        snapshot: latest.date,
        since: facts.opened.date,
        sinceEarliest: facts.opened.earliest,
        sinceLatest: facts.opened.latest,
        sinceApproximate: facts.opened.approximate,
        sinceSource: facts.opened.source,
        closedOn: facts.closed?.date ?? null,
        closedOnEarliest: facts.closed?.earliest ?? null,
        closedOnLatest: facts.closed?.latest ?? null,
        closedOnApproximate: facts.closed?.approximate ?? null,
        closedOnSource: facts.closed?.source ?? null,
        openStatus: facts.openStatus,
      },
      links: [...linksOf(facts, all, "PART_OF", today), ...linksOf(facts, all, "SUPERSEDED_BY", today)],
      states: statesOf(facts),
    };
  });
  const rows = wanted.filter((row) => !unchanged(stored.get(row.id)!, row));
  const session = driver.session({ database, defaultAccessMode: "WRITE" });
  try {
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      await session.executeWrite(async (tx: ManagedTransaction) => {
        await tx.run(writeOrganisations, { rows: batch.map(({ id, props }) => ({ id, props: dated(props) })) });
        const links = await tx.run(writeLinks, {
          rows: batch.map(({ id, links, states }) => ({
            id,
            links: links.map((l) => ({ ...l, props: dated(l.props) })),
            states: states.map((s) => ({ id: s.id, props: dated(s.props) })),
          })),
        });
        counts.relationshipsCreated! += toNumber(links.records[0]?.get("created") ?? 0);
        counts.relationshipsDeleted! += toNumber(links.records[0]?.get("deleted") ?? 0);
      });
    }
  } finally {
    await session.close();
  }
  return counts;
}
