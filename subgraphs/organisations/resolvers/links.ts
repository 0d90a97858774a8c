/**
 * Links between organisations (schema/organisations.graphql, `type Query`): what connects them through
 * shared stages, shared services, shared communities and people, counted and evidenced in one Cypher
 * query, for one organisation against all others or for each pair of a chosen set.
 */
import neo4j, { type Driver, type Integer } from "neo4j-driver";
import { badInput, connectionOf, pageOf } from "../../../subgraph-kit/connection.js";
import { QueryLane } from "../../../subgraph-kit/query-lane.js";
import { requireOrganisations } from "../../../subgraph-kit/known-ids.js";
import { existedAt, graphReader, holdsAt, holdsNow, organisationFieldsOf, today } from "../../../graph/read.js";
import { hasRole } from "../../../platform/caller.js";
import type { LinkKind, Resolvers } from "../generated/resolvers.js";

/**
 * The links query, today's or as on $asAt. Today's reads only the links that hold now (PART_OF,
 * WORKS_FOR, WORKS_ON and the dated responsibilities and memberships); as on a date, it also walks the
 * ended ones (WAS_PART_OF, WORKED_FOR, WORKED_ON) with the interval test, and leaves out organisations
 * that had not opened (docs/adr/0008). Today's reads the links people make (shared communities, people) from
 * the summaries kept in the graph (graph/summaries.ts, docs/adr/0010); `summarised` false walks every
 * employee instead, as dated reads do.
 *
 * $roots: the organisations links are counted from, each with the ones below it when $includeChildren.
 * $targets: the organisations links are counted to, grouped the same way; null for every organisation on its own.
 *
 * `within`, for a matrix ($targets the same as $roots): both ends of a link are among the families, so each
 * kind groups the families' organisations by what links them (a stage, a service, a community, a person) and
 * pairs the families inside each group, instead of walking out from every organisation to all it reaches and
 * keeping the few inside. The answer is the same (subgraphs/organisations/summaries.int.test.ts compares them).
 */
function linksQueryFor({ at, summarised = !at, within = false }: { at: boolean; summarised?: boolean; within?: boolean }): string {
  const holds = at ? holdsAt : holdsNow;
  const partOf = at ? "PART_OF|WAS_PART_OF" : "PART_OF";
  const worksFor = at ? "WORKS_FOR|WORKED_FOR" : "WORKS_FOR";
  const worksOn = at ? "WORKS_ON|WORKED_ON" : "WORKS_ON";
  /** The interval test for relationship variables that only dated reads give dates to. */
  const dated = (...variables: string[]) => (at ? variables.map((v) => ` AND ${holdsAt(v)}`).join("") : "");
  const hierarchy = (top: string) => `(${top}:Organisation {id: ${top}Id})<-[h:${partOf}*0..6]-(m:Organisation)
  WHERE ($includeChildren OR m = ${top})${at ? ` AND all(x IN h WHERE ${holdsAt("x")}) AND ${existedAt("m")}` : ""}`;
  /** The services organisation `o` takes part in: it owns one, or is responsible for one of its stages. */
  const servicesOf = (o: string, svc: string) => `CALL (${o}) {
    MATCH (${o})-[:OWNS]->(${svc}:Service) RETURN ${svc}
    UNION
    MATCH (${o})-[r:RESPONSIBLE_FOR]->(:Stage)<-[:HAS_STAGE]-(${svc}:Service) WHERE ${holds("r")} RETURN ${svc}
  }`;
  /** Every two families whose organisations `m` share `via`, as links of `kind`: pairs of families, not of their organisations, which can be hundreds to a community. */
  const pairsBy = (via: string, kind: string) => `WITH ${via}, collect(DISTINCT rootOf[m.id]) AS families WHERE size(families) > 1
  UNWIND families AS fromId
  UNWIND families AS toId
  WITH fromId, toId, ${via} WHERE fromId < toId
  RETURN fromId, toId, '${kind}' AS kind, ${via}.id AS viaId, ${via}.name AS viaName`;
  /** Every two families person `p` spans (`spans`: {family, employer}), one of them through their employer. */
  const personPairs = `UNWIND spans AS a
  UNWIND spans AS b
  WITH p, a, b WHERE a.family < b.family AND (a.employer OR b.employer)
  RETURN a.family AS fromId, b.family AS toId, 'PERSON' AS kind, p.id AS viaId, p.name AS viaName`;

  const stages = within
    ? `UNWIND mine AS m
  MATCH (m)-[r:RESPONSIBLE_FOR]->(st:Stage) WHERE ${holds("r")}
  ${pairsBy("st", "STAGE")}`
    : `MATCH (m)-[r1:RESPONSIBLE_FOR]->(st:Stage)<-[r2:RESPONSIBLE_FOR]-(y:Organisation)
  WHERE ${holds("r1")} AND ${holds("r2")}
  RETURN y, 'STAGE' AS kind, st.id AS viaId, st.name AS viaName`;
  const services = within
    ? `UNWIND mine AS m
  ${servicesOf("m", "svc")}
  ${pairsBy("svc", "SERVICE")}`
    : `${servicesOf("m", "svc")}
  CALL (svc) {
    MATCH (y:Organisation)-[:OWNS]->(svc) RETURN y
    UNION
    MATCH (y:Organisation)-[r:RESPONSIBLE_FOR]->(:Stage)<-[:HAS_STAGE]-(svc) WHERE ${holds("r")} RETURN y
  }
  RETURN y, 'SERVICE' AS kind, svc.id AS viaId, svc.name AS viaName`;
  // What people link: the live walk over every employee of every organisation in `mine` (as on a date), or the summaries (today).
  const livePeople = within
    ? `UNWIND mine AS m
  MATCH (m)<-[e1:${worksFor}]-(:Person)-[r:MEMBER_OF]->(c:Community) WHERE ${holds("r")}${dated("e1")}
  ${pairsBy("c", "COMMUNITY")}
  UNION ALL
  UNWIND mine AS m
  MATCH (m)<-[e1:${worksFor}]-(p:Person)${at ? ` WHERE ${holdsAt("e1")}` : ""}
  WITH p, collect(DISTINCT m) AS employers
  WITH p, [o IN employers | {family: rootOf[o.id], employer: true}] + [o IN COLLECT {
      MATCH (p)-[w:${worksOn}]->(:Stage)<-[r:RESPONSIBLE_FOR]-(y:Organisation) WHERE ${holds("r")}${dated("w")} AND y IN mine RETURN DISTINCT y
    } | {family: rootOf[o.id], employer: false}] AS spans
  WHERE size(spans) > 1
  ${personPairs}`
    : `MATCH (m)<-[e1:${worksFor}]-(:Person)-[r:MEMBER_OF]->(c:Community) WHERE ${holds("r")}${dated("e1")}
  WITH DISTINCT c
  MATCH (c)<-[r:MEMBER_OF]-(:Person)-[e2:${worksFor}]->(y:Organisation) WHERE ${holds("r")}${dated("e2")}
  RETURN y, 'COMMUNITY' AS kind, c.id AS viaId, c.name AS viaName
  UNION
  MATCH (m)<-[e1:${worksFor}]-(p:Person)-[w:${worksOn}]->(:Stage)<-[r:RESPONSIBLE_FOR]-(y:Organisation) WHERE ${holds("r")}${dated("e1", "w")}
  RETURN y, 'PERSON' AS kind, p.id AS viaId, p.name AS viaName
  UNION
  MATCH (m)-[r:RESPONSIBLE_FOR]->(:Stage)<-[w:${worksOn}]-(p:Person)-[e1:${worksFor}]->(y:Organisation) WHERE ${holds("r")}${dated("e1", "w")}
  RETURN y, 'PERSON' AS kind, p.id AS viaId, p.name AS viaName
  UNION
  MATCH (m)<-[e1:${worksFor}]-(p:Person)-[e2:${worksFor}]->(y:Organisation)${at ? ` WHERE ${holdsAt("e1")} AND ${holdsAt("e2")}` : ""}
  RETURN y, 'PERSON' AS kind, p.id AS viaId, p.name AS viaName`;
  const summarisedPeople = within
    ? `UNWIND mine AS m
  MATCH (m)-[s:STAFF_IN]->(c:Community) WHERE ${holdsNow("s")}
  ${pairsBy("c", "COMMUNITY")}
  UNION ALL
  UNWIND mine AS m
  MATCH (m)<-[s:SPANS]-(p:Person) WHERE ${holdsNow("s")}
  WITH p, collect(DISTINCT {family: rootOf[m.id], employer: s.employer}) AS spans WHERE size(spans) > 1
  ${personPairs}`
    : `MATCH (m)-[s1:STAFF_IN]->(c:Community) WHERE ${holdsNow("s1")}
  WITH DISTINCT c
  MATCH (c)<-[s2:STAFF_IN]-(y:Organisation) WHERE ${holdsNow("s2")}
  RETURN y, 'COMMUNITY' AS kind, c.id AS viaId, c.name AS viaName
  UNION
  MATCH (m)<-[s1:SPANS]-(p:Person)-[s2:SPANS]->(y:Organisation) WHERE (s1.employer OR s2.employer) AND ${holdsNow("s1")} AND ${holdsNow("s2")}
  RETURN y, 'PERSON' AS kind, p.id AS viaId, p.name AS viaName`;
  // The matrix's kinds are joined with UNION ALL, and the walk out's run for one organisation `m` at a time: a UNION's
  // distinct over kinds that import `mine` would key every row on that list too, holding a copy of the families'
  // organisations per row (more than Neo4j's 1.4 GiB of transaction memory for the matrix of every department on
  // the civil-service graph). The matrix's rows are made distinct after, by what a link counts.
  return `
CALL () {
  UNWIND $roots AS rootId
  MATCH ${hierarchy("root")}
  RETURN collect(DISTINCT m) AS mine, apoc.map.fromPairs(collect([m.id, root.id])) AS rootOf
}
CALL () {
  UNWIND coalesce($targets, []) AS targetId
  MATCH ${hierarchy("target")}
  RETURN apoc.map.fromPairs(collect([m.id, target.id])) AS targetOf
}
${within ? "CALL (mine, rootOf) {" : "UNWIND mine AS m\nCALL (m) {"}
  ${stages}
  ${within ? "UNION ALL" : "UNION"}
  ${services}
  ${within ? "UNION ALL" : "UNION"}
  ${summarised ? summarisedPeople : livePeople}
}
${
  within
    ? ""
    : `WITH rootOf[m.id] AS fromId, CASE WHEN $targets IS NULL THEN y.id ELSE targetOf[y.id] END AS toId, coalesce(rootOf[y.id], '') AS yRoot, kind, viaId, viaName${at ? `, y` : ""}
WHERE toId IS NOT NULL AND toId <> fromId AND yRoot <> fromId AND ($targets IS NULL OR fromId < toId)${at ? ` AND ${existedAt("y")}` : ""}`
}
WITH DISTINCT fromId, toId, kind, viaId, viaName ORDER BY viaName, viaId
WITH fromId, toId, kind, collect({kind: kind, id: viaId, name: viaName}) AS via
WITH fromId, toId, collect({kind: kind, count: size(via), evidence: via[0..$evidencePerKind]}) AS kinds
WITH fromId, toId, kinds, reduce(n = 0, k IN kinds | n + k.count) AS strength
ORDER BY strength DESC, toId, fromId
WITH collect({fromId: fromId, toId: toId, strength: strength, kinds: kinds}) AS links
RETURN size(links) AS total, [link IN links[$offset..$end] | link {
  .strength, .kinds,
  from: head(COLLECT { MATCH (o:Organisation {id: link.fromId}) RETURN ${organisationFieldsOf("o")} }),
  organisation: head(COLLECT { MATCH (o:Organisation {id: link.toId}) RETURN ${organisationFieldsOf("o")} })
}] AS page`;
}

/**
 * organisationLinks' queries and departmentMatrix's (`within`, $targets the same as $roots). The benchmark's floor
 * runs today's as they are (bench/floor-queries.ts); `live` is today's without the summaries, and the queries that
 * walk out to every organisation are the reference the matrix's are tested against (subgraphs/organisations/summaries.int.test.ts).
 */
export const linksQuery = {
  today: linksQueryFor({ at: false }),
  at: linksQueryFor({ at: true }),
  live: linksQueryFor({ at: false, summarised: false }),
};
export const matrixQuery = {
  today: linksQueryFor({ at: false, within: true }),
  at: linksQueryFor({ at: true, within: true }),
  live: linksQueryFor({ at: false, summarised: false, within: true }),
};

interface LinkRow {
  strength: number;
  kinds: { kind: LinkKind; count: number; evidence: { kind: LinkKind; id: string; name: string }[] }[];
  from: { id: string };
  organisation: { id: string };
}

/** Every department (78 in the GOV.UK snapshots, DBT, DSIT and DCMS among them) and some more. */
export const maxMatrixOrganisations = 100;

const kindOrder: LinkKind[] = ["STAGE", "SERVICE", "COMMUNITY", "PERSON"];

/** The link a row describes; people are counted for everyone but named only for readers. */
function linkOf(row: LinkRow, namesShown: boolean) {
  const count = (kind: LinkKind) => row.kinds.find((k) => k.kind === kind)?.count ?? 0;
  return {
    from: row.from,
    organisation: row.organisation,
    strength: row.strength,
    sharedStageCount: count("STAGE"),
    sharedServiceCount: count("SERVICE"),
    sharedCommunityCount: count("COMMUNITY"),
    peopleCount: count("PERSON"),
    evidence: [...row.kinds]
      .filter((k) => namesShown || k.kind !== "PERSON")
      .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind))
      .flatMap((k) => k.evidence),
  };
}

function evidenceLimit(value: number | null | undefined): Integer {
  const n = value ?? 5;
  if (!Number.isInteger(n) || n < 0 || n > 20) throw badInput(`"evidencePerKind" must be between 0 and 20; it was ${n}.`, "evidencePerKind");
  return neo4j.int(n);
}

export function organisationLinks(driver: Driver, database?: string) {
  const graph = graphReader(driver, database);
  // One matrix at a time, four waiting: the widest allowed takes seconds of Neo4j's time on two cores.
  const matrixLane = new QueryLane("departmentMatrix", { running: 1, waiting: 4, maxWaitMs: 3_000 });
  for (const [query, targets] of [
    [linksQuery.today, null],
    [linksQuery.at, null],
    [matrixQuery.today, [""]],
    [matrixQuery.at, [""]],
  ] as const) {
    graph.plan(query, {
      roots: [""],
      targets,
      includeChildren: false,
      evidencePerKind: neo4j.int(5),
      offset: neo4j.int(0),
      end: neo4j.int(20),
      asAt: today(),
    });
  }

  return {
    warmUp: () => graph.warmUp(),
    resolvers: {
      Query: {
        async organisationLinks(_source, args, context) {
          const page = pageOf(args, 200);
          const evidencePerKind = evidenceLimit(args.evidencePerKind);
          await requireOrganisations(graph, [args.organisationId], "organisationId");
          const [row] = await graph.rows<{ total: number; page: LinkRow[] }>(args.asAt ? linksQuery.at : linksQuery.today, {
            asAt: args.asAt ?? today(),
            roots: [args.organisationId],
            targets: null,
            includeChildren: args.includeChildren ?? false,
            evidencePerKind,
            offset: page.skip,
            end: neo4j.int(page.offset + page.size),
          });
          const namesShown = hasRole(context.viewer, "reader");
          return connectionOf(
            (row?.page ?? []).map((link) => ({ node: linkOf(link, namesShown) })),
            page,
            row?.total ?? 0,
          );
        },

        async departmentMatrix(_source, args, context) {
          const ids = [...new Set(args.organisationIds)];
          if (ids.length < 2 || ids.length > maxMatrixOrganisations)
            throw badInput(`"organisationIds" must name 2 to ${maxMatrixOrganisations} organisations; it names ${ids.length}.`, "organisationIds");
          const evidencePerKind = evidenceLimit(args.evidencePerKind);
          await requireOrganisations(graph, ids, "organisationIds");
          const asAt = args.asAt ?? today();
          // Its work grows with the families' links, not with how many organisations are named: the gateway counts its
          // answer, a link per pair, against its list items, and Neo4j stops it (QUERY_TIMEOUT) at five times a generated
          // query's timeout, since its first run in a process compiles for seconds on a busy machine.
          const [row] = await matrixLane.run(() =>
            graph.rows<{ total: number; page: LinkRow[] }>(
              args.asAt ? matrixQuery.at : matrixQuery.today,
              {
                asAt,
                roots: ids,
                targets: ids,
                includeChildren: args.includeChildren ?? true,
                evidencePerKind,
                offset: neo4j.int(0),
                end: neo4j.int(ids.length * ids.length),
              },
              { timeoutMs: 5 * context.transaction.timeout },
            ),
          );
          const organisations = await graph.rows<{ o: { id: string } }>(
            `UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN ${organisationFieldsOf("o")} AS o`,
            { ids, asAt },
          );
          return { organisations: organisations.map((r) => r.o), links: (row?.page ?? []).map((link) => linkOf(link, hasRole(context.viewer, "reader"))) };
        },
      },
    } satisfies Resolvers,
  };
}
