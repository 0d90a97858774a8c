/**
 * The people subgraph's network questions (schema/people.graphql, `type Query`): who brokers between
 * organisations, and the shortest connection between two people or organisations.
 */
import type { Driver } from "neo4j-driver";
import { badInput, connectionOf, pageOf, type Page } from "../../../subgraph-kit/connection.js";
import { graphReader, holdsAt, isToday, nameAt, organisationFieldsOf, summaryReader, today, existedAt } from "../../../graph/read.js";
import {
  brokersTodayQuery,
  byRank,
  candidatesAmongQuery,
  candidatesQuery,
  communityOrganisationsQuery,
  recountBrokerSummaries,
  Spans,
  type Candidate,
  type Ranked,
} from "../../../graph/broker-summaries.js";
import { requireRole } from "../../../platform/caller.js";
import { requireOrganisations } from "../../../subgraph-kit/known-ids.js";
import type { PathNodeKind, Resolvers } from "../generated/resolvers.js";

// With the ended links (WORKED_FOR, WORKED_ON, WAS_PART_OF, WAS_SUPERSEDED_BY), each step tested for $asAt.
const pathTypes = [
  "WORKS_FOR",
  "WORKED_FOR",
  "MEMBER_OF",
  "WORKS_ON",
  "WORKED_ON",
  "RESPONSIBLE_FOR",
  "HAS_STAGE",
  "OWNS",
  "FOCUSES_ON",
  "PART_OF",
  "WAS_PART_OF",
  "SUPERSEDED_BY",
  "WAS_SUPERSEDED_BY",
  "REPORTS_TO",
];
const pathKinds: Record<string, PathNodeKind> = { Person: "PERSON", Organisation: "ORGANISATION", Community: "COMMUNITY", Stage: "STAGE", Service: "SERVICE" };

const endpointQuery = `
UNWIND [['fromId', $fromId], ['toId', $toId]] AS end
RETURN end[0] AS argument, end[1] AS id,
  COLLECT { MATCH (n:Person {id: end[1]}) RETURN elementId(n) UNION MATCH (n:Organisation {id: end[1]}) RETURN elementId(n) } AS nodes`;

/** What a path step shows of node `n`: an organisation's name as on $asAt. */
const stepNodeOf = (n: string) => `{labels: labels(${n}), id: ${n}.id, name: CASE WHEN ${n}:Organisation THEN ${nameAt(n)} ELSE ${n}.name END}`;

const pathQuery = (maxDepth: number) => `
MATCH (a) WHERE elementId(a) = $from
MATCH (b) WHERE elementId(b) = $to
MATCH path = shortestPath((a)-[:${pathTypes.join("|")}*..${maxDepth}]-(b))
WHERE all(x IN relationships(path) WHERE ${holdsAt("x")}) AND all(n IN nodes(path) WHERE NOT n:Organisation OR ${existedAt("n")})
RETURN [n IN nodes(path) | ${stepNodeOf("n")}] AS nodes,
  [i IN range(0, length(path) - 1) | {via: type(relationships(path)[i]), forward: startNode(relationships(path)[i]) = nodes(path)[i]}] AS links`;

type PathNode = { labels: string[]; id: string; name: string };
const stepOf = (node: PathNode) => ({
  kind: pathKinds[node.labels.find((l) => l in pathKinds) ?? ""] ?? ("ORGANISATION" as const),
  id: node.id,
  name: node.name,
});

/** `summaries: false` answers today's brokers by the live walk too, as on any other date: the summaries' test compares the two. */
export function peopleNetwork(driver: Driver, database?: string, options: { summaries?: boolean } = {}) {
  const summaries = options.summaries ?? true;
  const graph = graphReader(driver, database);
  for (const query of [communityOrganisationsQuery.at, communityOrganisationsQuery.today]) graph.plan(query, { asAt: today() });
  graph.plan(communityOrganisationsQuery.ofCommunities, { communities: [], asAt: today() });
  graph.plan(candidatesQuery, { organisationId: null, asAt: today() });
  graph.plan(candidatesAmongQuery, { people: [], asAt: today() });
  graph.plan(brokersTodayQuery, { asAt: today(), skip: pageOf({}, 20).skip, limit: pageOf({}, 20).limit });
  graph.plan(endpointQuery, { fromId: "", toId: "" });
  for (let depth = 1; depth <= 6; depth++) graph.plan(pathQuery(depth), { from: "", to: "", asAt: today() });

  /** Answers from the brokers' summaries, counted again (once for the reads in flight) when a read finds them stale. */
  const fromSummaries = summaryReader(() => recountBrokerSummaries(driver, database));

  /** A page of ranked candidates as the API gives it, with a sample of the organisations each spans (names as on $asAt). */
  async function brokerPage(ranked: readonly Ranked[], spans: Spans, page: Page, total: number, asAt: unknown) {
    const connection = connectionOf(ranked, page, total);
    const sampleIds = connection.edges.map((e) => spans.idsOf(e.spanned));
    const organisations = new Map(
      (
        await graph.rows<{ o: { id: string; name: string } }>(`UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN ${organisationFieldsOf("o")} AS o`, {
          ids: [...new Set(sampleIds.flat())],
          asAt,
        })
      ).map((r) => [r.o.id, r.o]),
    );
    return {
      ...connection,
      edges: connection.edges.map(({ cursor, person, communities, stages, organisations: count }, i) => ({
        cursor,
        node: {
          person,
          organisationCount: count,
          communityCount: communities,
          stageCount: stages,
          sample: sampleIds[i]!.map((id) => organisations.get(id)!)
            .filter(Boolean)
            // By id among equal names: the same sample whichever order the organisations were met in.
            .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
            .slice(0, 10),
        },
      })),
    };
  }

  /**
   * Today's page from the brokers' summaries (graph/broker-summaries.ts): the page's people by their
   * places, each counted again live (a few people) for the sample; null when the summaries are stale or a
   * count read is not the one they hold.
   */
  async function brokersToday(page: Page, asAt: unknown) {
    const [row] = await graph.rows<{
      fresh: boolean;
      total: number;
      page: { person: string; organisationCount: number; communityCount: number; stageCount: number }[];
    }>(brokersTodayQuery, { asAt, skip: page.skip, limit: page.limit });
    if (!row?.fresh || row.page.length !== Math.max(0, Math.min(page.size, row.total - page.offset))) return null;
    const people = row.page.map((s) => s.person);
    const candidates = new Map((people.length ? await graph.rows<Candidate>(candidatesAmongQuery, { people, asAt }) : []).map((c) => [c.person.id, c]));
    const communities = [...new Set([...candidates.values()].flatMap((c) => c.communities))];
    const spans = new Spans(communities.length ? await graph.rows(communityOrganisationsQuery.ofCommunities, { communities, asAt }) : []);
    const ranked: Ranked[] = [];
    for (const stored of row.page) {
      const candidate = candidates.get(stored.person);
      const counted = candidate && spans.rank(candidate);
      if (
        !counted ||
        counted.organisations !== stored.organisationCount ||
        counted.communities !== stored.communityCount ||
        counted.stages !== stored.stageCount
      )
        return null;
      ranked.push(counted);
    }
    return brokerPage(ranked, spans, page, row.total, asAt);
  }

  return {
    warmUp: () => graph.warmUp(),
    resolvers: {
      Query: {
        async brokers(_source, args, context) {
          const asAt = args.asAt ?? today();
          requireRole(context.viewer, "reader", "Ranking people as brokers");
          const page = pageOf(args, 100);
          if (args.organisationId) await requireOrganisations(graph, [args.organisationId], "organisationId");
          // Today's over everyone from the summaries; of one organisation, or as on another date, every candidate walked.
          if (summaries && isToday(asAt) && !args.organisationId) {
            const found = await fromSummaries(() => brokersToday(page, asAt));
            if (found) return found;
          }
          const spans = new Spans(
            await graph.rows<{ community: string; organisations: string[] }>(args.asAt ? communityOrganisationsQuery.at : communityOrganisationsQuery.today, {
              asAt,
            }),
          );
          // Streamed, keeping only the best `offset + size` so far: tens of thousands of people at full
          // scale would otherwise be held at once, by every request in flight.
          const keep = page.offset + page.size;
          let best: Ranked[] = [];
          let total = 0;
          await graph.each<Candidate>(candidatesQuery, { organisationId: args.organisationId ?? null, asAt }, (c) => {
            total++;
            best.push(spans.rank(c));
            if (best.length >= 2 * keep + 1000) best = best.sort(byRank).slice(0, keep);
          });
          best.sort(byRank);
          return brokerPage(best.slice(page.offset, keep), spans, page, total, asAt);
        },

        async path(_source, args, context) {
          // Even a path between two organisations runs through the people who connect them.
          requireRole(context.viewer, "reader", "Finding a path");
          const maxDepth = args.maxDepth ?? 4;
          if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 6)
            throw badInput(`"maxDepth" must be between 1 and 6; it was ${maxDepth}.`, "maxDepth");
          const ends = await graph.rows<{ argument: string; id: string; nodes: string[] }>(endpointQuery, { fromId: args.fromId, toId: args.toId });
          for (const end of ends) {
            if (end.nodes.length === 0) throw badInput(`"${end.argument}": no person or organisation has the id "${end.id}".`, end.argument);
            if (end.nodes.length > 1)
              throw badInput(`"${end.argument}": both a person and an organisation have the id "${end.id}"; use another end.`, end.argument);
          }
          const [from, to] = ends.map((e) => e.nodes[0]!);
          if (from === to) {
            const [self] = await graph.rows<{ node: PathNode }>(`MATCH (n) WHERE elementId(n) = $id RETURN ${stepNodeOf("n")} AS node`, {
              id: from,
              asAt: args.asAt ?? today(),
            });
            return { length: 0, steps: [{ ...stepOf(self!.node), via: null, forward: null }] };
          }
          const [found] = await graph.rows<{ nodes: PathNode[]; links: { via: string; forward: boolean }[] }>(pathQuery(maxDepth), {
            from,
            to,
            asAt: args.asAt ?? today(),
          });
          if (!found) return null;
          return {
            length: found.links.length,
            steps: found.nodes.map((node, i) => ({
              ...stepOf(node),
              via: i === 0 ? null : found.links[i - 1]!.via,
              forward: i === 0 ? null : found.links[i - 1]!.forward,
            })),
          };
        },
      },
    } satisfies Resolvers,
  };
}
