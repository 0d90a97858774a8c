/**
 * What changed between two dates (schema/organisations.graphql, `changes`) and counts at each snapshot
 * date (`countsOverTime`), read from the dated facts of docs/adr/0008: organisations opened, closed,
 * renamed or moved under another parent; responsibilities that passed between organisations; people who
 * joined or left organisations, communities and stages. Each change carries its date (or the bounds it
 * is known between) and what says so.
 */
import neo4j, { type Date as Neo4jDate, type Driver } from "neo4j-driver";
import { badInput, pageOf, sliceConnection } from "../../../subgraph-kit/connection.js";
import { QueryLane } from "../../../subgraph-kit/query-lane.js";
import { requireOrganisations } from "../../../subgraph-kit/known-ids.js";
import { existedAt, graphReader, holdsAt, statusAt, today } from "../../../graph/read.js";
import { hasRole, requireRole } from "../../../platform/caller.js";
import type { Resolvers } from "../generated/resolvers.js";

const changeKinds = ["OPENED", "CLOSED", "RENAMED", "MOVED", "RESPONSIBILITY_MOVED", "JOINED", "LEFT"] as const;
type ChangeKind = (typeof changeKinds)[number];

/** A date as read from the graph. */
type Day = Neo4jDate<number> | null;

interface Dated {
  date: Day;
  earliest: Day;
  latest: Day;
  approximate: boolean | null;
  source: string | null;
}
interface Subject {
  kind: string;
  id: string;
  name: string | null;
}
interface Change {
  kind: ChangeKind;
  date: Day;
  dateEarliest: Day;
  dateLatest: Day;
  approximate: boolean;
  subject: Subject;
  organisation: { id: string } | null;
  from: { id: string }[];
  to: { id: string }[];
  via: Subject | null;
  description: string;
  source: string | null;
  involved: string[];
}

/** A Cypher predicate: date expression `d` falls in the period, after $from and on or before $to. */
const inPeriod = (d: string) => `(${d} > $from AND ${d} <= $to)`;
const datedOf = (prefix: string, r: string) =>
  `date: ${r}.${prefix}, earliest: ${r}.${prefix}Earliest, latest: ${r}.${prefix}Latest, approximate: ${r}.${prefix}Approximate, source: coalesce(${r}.${prefix}Source, ${r}.source)`;

/**
 * A Cypher predicate: version `v` of organisation `o` renamed it, after version `p`. GOV.UK restyles its
 * records too, and those are not renames: a title's case or trailing space, an acronym's case, an
 * acronym it starts or stops giving (597 organisations have none), and a closed organisation's record
 * relabelled once it closed ("(2017 to 2023)" added, its acronym dropped).
 */
const renamed = (p: string, v: string) => {
  const acronym = (x: string) => `toLower(trim(coalesce(${x}.acronym, '')))`;
  return `NOT coalesce(${v}.since >= o.closedOn, false)
    AND (toLower(trim(${p}.name)) <> toLower(trim(${v}.name)) OR (${acronym(p)} <> '' AND ${acronym(v)} <> '' AND ${acronym(p)} <> ${acronym(v)}))`;
};

const organisationChangesQuery = `
CALL () {
  MATCH (o:Organisation) WHERE ${inPeriod("o.since")}
  RETURN 'OPENED' AS kind, o {.id, .name} AS o, {${datedOf("since", "o")}} AS at, [] AS before, [] AS after, null AS detail
  UNION ALL
  MATCH (o:Organisation) WHERE ${inPeriod("o.closedOn")}
  RETURN 'CLOSED' AS kind, o {.id, .name} AS o, {${datedOf("closedOn", "o")}} AS at, [] AS before,
    COLLECT { MATCH (o)-[:SUPERSEDED_BY|WAS_SUPERSEDED_BY]->(s:Organisation) RETURN s {.id, .name} ORDER BY s.name } AS after, o.closedStatus AS detail
  UNION ALL
  MATCH (o:Organisation)-[:HAD_STATE]->(v:OrganisationState) WHERE ${inPeriod("v.since")}
  MATCH (o)-[:HAD_STATE]->(p:OrganisationState) WHERE p.until = v.since AND ${renamed("p", "v")}
  RETURN 'RENAMED' AS kind, o {.id, .name} AS o, {${datedOf("since", "v")}} AS at, [] AS before, [] AS after,
    p.name + coalesce(' (' + p.acronym + ')', '') + ' became ' + v.name + coalesce(' (' + v.acronym + ')', '') AS detail
  UNION ALL
  MATCH (o:Organisation)-[r:PART_OF|WAS_PART_OF]->(:Organisation) WHERE ${inPeriod("r.since")} OR ${inPeriod("r.until")}
  WITH DISTINCT o
  WITH o,
    COLLECT { MATCH (o)-[r:PART_OF|WAS_PART_OF]->(x:Organisation) WHERE ${inPeriod("r.until")} RETURN x {.id, .name, ${datedOf("until", "r")}} } AS ended,
    // A link that began when the organisation opened is its opening, not a move.
    COLLECT { MATCH (o)-[r:PART_OF|WAS_PART_OF]->(x:Organisation) WHERE ${inPeriod("r.since")} AND NOT coalesce(o.since = r.since, false)
              RETURN x {.id, .name, ${datedOf("since", "r")}} } AS started
  WHERE size(ended) + size(started) > 0
  RETURN 'MOVED' AS kind, o {.id, .name} AS o, coalesce(head(started), head(ended)) AS at, ended AS before, started AS after, null AS detail
}
RETURN kind, o, at, before, after, detail ORDER BY at.date, kind, o.name LIMIT $cap`;

const responsibilityChangesQuery = `
MATCH (:Organisation)-[r:RESPONSIBLE_FOR]->(st:Stage) WHERE ${inPeriod("r.since")} OR ${inPeriod("r.until")}
WITH DISTINCT st
MATCH (svc:Service)-[:HAS_STAGE]->(st)
WITH st, svc,
  COLLECT { MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${inPeriod("r.until")} RETURN o {.id, .name, date: r.until, source: coalesce(r.source, st.source)} ORDER BY o.name } AS ended,
  COLLECT { MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${inPeriod("r.since")} RETURN o {.id, .name, date: r.since, source: coalesce(r.source, st.source)} ORDER BY o.name } AS started
RETURN st {.id, .name} AS stage, svc.name AS service, ended, started LIMIT $cap`;

const peopleChangesQuery = `
CALL () {
  MATCH (p:Person)-[e:WORKS_FOR|WORKED_FOR]->(o:Organisation) WHERE ${inPeriod("e.since")} OR ${inPeriod("e.until")}
  RETURN p, e, {kind: 'ORGANISATION', id: o.id, name: o.name} AS via, [o.id] AS organisations
  UNION ALL
  MATCH (p:Person)-[e:MEMBER_OF]->(c:Community) WHERE ${inPeriod("e.since")} OR ${inPeriod("e.until")}
  RETURN p, e, {kind: 'COMMUNITY', id: c.id, name: c.name} AS via, COLLECT { MATCH (p)-[:WORKS_FOR|WORKED_FOR]->(o:Organisation) RETURN o.id } AS organisations
  UNION ALL
  MATCH (p:Person)-[e:WORKS_ON|WORKED_ON]->(st:Stage) WHERE ${inPeriod("e.since")} OR ${inPeriod("e.until")}
  RETURN p, e, {kind: 'STAGE', id: st.id, name: st.name} AS via, COLLECT { MATCH (p)-[:WORKS_FOR|WORKED_FOR]->(o:Organisation) RETURN o.id } AS organisations
}
RETURN p {.id, .name} AS person, via, organisations, coalesce(e.source, p.source) AS source,
  CASE WHEN ${inPeriod("e.since")} THEN e.since END AS joined, CASE WHEN ${inPeriod("e.until")} THEN e.until END AS left
LIMIT $cap`;

/** The organisations at or below each department, by any parent link it ever had. */
const familyQuery = `
MATCH (d:Organisation {id: $departmentId})<-[:PART_OF|WAS_PART_OF*0..6]-(m:Organisation)
RETURN collect(DISTINCT m.id) AS ids`;

const countsQuery = `
MATCH (s:Snapshot) WITH DISTINCT s.date AS asAt ORDER BY asAt
UNWIND $departmentIds AS departmentId
MATCH (d:Organisation {id: departmentId})
CALL (d, asAt) {
  MATCH (d)<-[h:PART_OF|WAS_PART_OF*0..6]-(m:Organisation)
  WHERE all(x IN h WHERE ${holdsAt("x")}) AND ${existedAt("m")} AND coalesce(${statusAt("m")}, 'CLOSED') <> 'CLOSED'
  WITH collect(DISTINCT m) AS family
  RETURN size(family) AS organisationCount,
    size(COLLECT { UNWIND family AS m MATCH (p:Person)-[e:WORKS_FOR|WORKED_FOR]->(m) WHERE ${holdsAt("e")} RETURN DISTINCT p }) AS peopleCount
}
RETURN asAt AS date, d {.id, .name, .acronym, .type, .status} AS department, organisationCount, peopleCount
ORDER BY date, department.name`.replaceAll("$asAt", "asAt");

type Row = Record<string, unknown>;
type Named = { id: string; name: string };

/**
 * The most changes one question may gather: every change of the period is read to put it in order
 * before a page is cut from it, so the period is what must be bounded, not only the page. Above it the
 * question is refused, naming what narrows it; an organisation's whole history is far below it.
 */
export const maxChangesPerQuestion = 20_000;

export function organisationChanges(driver: Driver, database?: string, options: { maxChanges?: number } = {}) {
  const maxChanges = options.maxChanges ?? maxChangesPerQuestion;
  const graph = graphReader(driver, database);
  // One row more than allowed tells a period over the limit from one at it.
  const cap = neo4j.int(maxChanges + 1);
  const period = { from: today(), to: today(), cap };
  // A question holds its whole period (up to maxChanges) while it orders it: ten of the largest side by side
  // took a subgraph past its bounded heap. One at a time, four waiting, the rest refused as busy.
  const lane = new QueryLane("changes", { running: 1, waiting: 4, maxWaitMs: 5_000 });
  graph.plan(organisationChangesQuery, period);
  graph.plan(responsibilityChangesQuery, period);
  graph.plan(peopleChangesQuery, period);

  const dated = (kind: ChangeKind, at: Dated | null) => ({
    kind,
    date: at?.date ?? null,
    dateEarliest: at?.earliest ?? null,
    dateLatest: at?.latest ?? null,
    approximate: at?.approximate ?? false,
    source: at?.source ?? null,
  });
  const names = (list: Named[]) => list.map((o) => o.name).join(", ");

  /** Each query reads one family of kinds; one whose kinds are not asked for is not run. */
  const organisationKinds: readonly ChangeKind[] = ["OPENED", "CLOSED", "RENAMED", "MOVED"];
  const peopleKinds: readonly ChangeKind[] = ["JOINED", "LEFT"];

  async function changesBetween(from: unknown, to: unknown, namesShown: boolean, kinds: readonly ChangeKind[]): Promise<Change[]> {
    const params = { from, to, cap };
    const changes: Change[] = [];
    const asked = (family: readonly ChangeKind[]) => family.some((kind) => kinds.includes(kind));
    let read = 0;
    /** Counts the rows each query gave, refusing the question once they pass the limit (before the next query runs). */
    const bounded = <T>(rows: T[]): T[] => {
      read += rows.length;
      if (read > maxChanges)
        throw badInput(
          `More than ${maxChanges.toLocaleString("en-GB")} changes happened between ${String(from)} and ${String(to)} of the kinds asked, and all of them are read to order them: ask for a shorter period ("from", "to") or fewer "kinds".`,
          "from",
        );
      return rows;
    };
    for (const row of !asked(organisationKinds)
      ? []
      : bounded(
          await graph.rows<{ kind: ChangeKind; o: Named; at: Dated; before: (Named & Dated)[]; after: (Named & Dated)[]; detail: string | null }>(
            organisationChangesQuery,
            params,
          ),
        )) {
      const description =
        row.kind === "OPENED"
          ? `${row.o.name} opened`
          : row.kind === "CLOSED"
            ? `${row.o.name} closed${row.detail ? ` (${row.detail})` : ""}${row.after.length ? `; succeeded by ${names(row.after)}` : ""}`
            : row.kind === "RENAMED"
              ? row.detail!
              : `${row.o.name} moved${row.before.length ? ` from ${names(row.before)}` : ""}${row.after.length ? ` to ${names(row.after)}` : ""}`;
      changes.push({
        ...dated(row.kind, row.at),
        subject: { kind: "ORGANISATION", id: row.o.id, name: row.o.name },
        organisation: { id: row.o.id },
        from: row.before.map(({ id }) => ({ id })),
        to: row.after.map(({ id }) => ({ id })),
        via: null,
        description,
        involved: [row.o.id, ...row.before.map((o) => o.id), ...row.after.map((o) => o.id)],
      });
    }
    for (const row of !kinds.includes("RESPONSIBILITY_MOVED")
      ? []
      : bounded(
          await graph.rows<{ stage: Named; service: string; ended: (Named & Dated)[]; started: (Named & Dated)[] }>(responsibilityChangesQuery, params),
        )) {
      const at = row.started[0] ?? row.ended[0]!;
      changes.push({
        ...dated("RESPONSIBILITY_MOVED", { ...at, earliest: at.date, latest: at.date, approximate: false }),
        subject: { kind: "STAGE", id: row.stage.id, name: row.stage.name },
        organisation: null,
        from: row.ended.map(({ id }) => ({ id })),
        to: row.started.map(({ id }) => ({ id })),
        via: null,
        description: `${row.service}, "${row.stage.name}": ${row.ended.length ? `from ${names(row.ended)}` : ""}${row.ended.length && row.started.length ? " " : ""}${row.started.length ? `to ${names(row.started)}` : ""}`,
        involved: [...row.ended, ...row.started].map((o) => o.id),
      });
    }
    // Who joined or left what is about named people: readers only.
    if (namesShown && asked(peopleKinds)) {
      for (const row of bounded(
        await graph.rows<{ person: Named; via: Subject; organisations: string[]; source: string | null; joined: Day; left: Day }>(peopleChangesQuery, params),
      )) {
        for (const [kind, date] of [
          ["JOINED", row.joined],
          ["LEFT", row.left],
        ] as const) {
          if (date === null) continue;
          changes.push({
            ...dated(kind, { date, earliest: date, latest: date, approximate: false, source: row.source }),
            subject: { kind: "PERSON", id: row.person.id, name: row.person.name },
            organisation: row.via.kind === "ORGANISATION" ? { id: row.via.id } : null,
            from: [],
            to: [],
            via: row.via,
            description: `${row.person.name} ${kind === "JOINED" ? "joined" : "left"} ${row.via.name ?? row.via.id}`,
            involved: row.organisations,
          });
        }
      }
    }
    // Dates arrive as the driver's Date, whose toString is its ISO form.
    const order = (c: Change) => c.date?.toString() ?? "";
    return changes.sort(
      (a, b) => order(a).localeCompare(order(b)) || changeKinds.indexOf(a.kind) - changeKinds.indexOf(b.kind) || a.description.localeCompare(b.description),
    );
  }

  return {
    warmUp: () => graph.warmUp(),
    resolvers: {
      Query: {
        async changes(_source, args, context) {
          const page = pageOf(args, 500);
          const to = args.to ?? today();
          if (String(args.from) >= String(to)) throw badInput(`"from" must be before "to"; it was ${String(args.from)}, and "to" ${String(to)}.`, "from");
          const kinds = args.kinds?.length ? args.kinds : changeKinds;
          // Asked for by name, who joined or left is refused to a caller who may not see it, not answered as none.
          const people = args.kinds?.filter((kind) => peopleKinds.includes(kind)) ?? [];
          if (people.length > 0) requireRole(context.viewer, "reader", `Asking for ${people.join(" and ")} changes (people who joined or left)`);
          let changes = (await lane.run(() => changesBetween(args.from, to, hasRole(context.viewer, "reader"), kinds))).filter((c) => kinds.includes(c.kind));
          if (args.departmentId) {
            const [family] = await graph.rows<{ ids: string[] }>(familyQuery, { departmentId: args.departmentId });
            if (!family || family.ids.length === 0) throw badInput(`"departmentId": no organisation has the id "${args.departmentId}".`, "departmentId");
            const ids = new Set(family.ids);
            changes = changes.filter((c) => c.involved.some((id) => ids.has(id)));
          }
          return sliceConnection(
            changes.map(({ involved: _involved, ...node }) => ({ node })),
            page,
          );
        },

        async countsOverTime(_source, args) {
          const ids = [...new Set(args.departmentIds)];
          if (ids.length < 1 || ids.length > 50) throw badInput(`"departmentIds" must name 1 to 50 organisations; it names ${ids.length}.`, "departmentIds");
          await requireOrganisations(graph, ids, "departmentIds");
          const rows = await graph.rows<Row & { department: { id: string } }>(countsQuery, { departmentIds: ids });
          // People are counted for everyone: a count names no one.
          return rows;
        },
      },
    } satisfies Resolvers,
  };
}
