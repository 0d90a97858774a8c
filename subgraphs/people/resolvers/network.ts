/**
 * The people subgraph's network questions (schema/people.graphql, `type Query`): who brokers between
 * organisations, and the shortest connection between two people or organisations.
 */
import type { Driver } from "neo4j-driver";
import { badInput, connectionOf, pageOf } from "../../../subgraph-kit/connection.js";
import { existedAt, graphReader, holdsAt, nameAt, organisationFieldsOf, today } from "../../../graph/read.js";
import { communityOrganisationsQuery } from "../../../graph/summaries.js";
import { requireRole } from "../../../platform/caller.js";
import { requireOrganisations } from "../../../subgraph-kit/known-ids.js";
import type { PathNodeKind, Resolvers } from "../generated/resolvers.js";

/** Employment and stage work on $asAt, today's and ended alike (docs/adr/0008). */
const employment = "WORKS_FOR|WORKED_FOR";
const work = "WORKS_ON|WORKED_ON";

/** Everyone in a community or working on a stage on $asAt: what they worked for, on and with then. */
const candidatesQuery = `
CALL () {
  MATCH (p:Person)-[r:MEMBER_OF]->(:Community) WHERE ${holdsAt("r")} RETURN p
  UNION
  MATCH (p:Person)-[w:${work}]->(:Stage) WHERE ${holdsAt("w")} RETURN p
}
WITH p WHERE $organisationId IS NULL OR EXISTS { MATCH (p)-[e:${employment}]->(:Organisation {id: $organisationId}) WHERE ${holdsAt("e")} }
RETURN p {.id, .name, .jobTitle, .grade} AS person,
  COLLECT { MATCH (p)-[e:${employment}]->(o:Organisation) WHERE ${holdsAt("e")} AND ${existedAt("o")} RETURN o.id } AS own,
  COLLECT { MATCH (p)-[w:${work}]->(:Stage)<-[r:RESPONSIBLE_FOR]-(o:Organisation) WHERE ${holdsAt("w")} AND ${holdsAt("r")} AND ${existedAt("o")} RETURN DISTINCT o.id } AS stageOrganisations,
  COLLECT { MATCH (p)-[r:MEMBER_OF]->(c:Community) WHERE ${holdsAt("r")} RETURN c.id } AS communities,
  COUNT { MATCH (p)-[w:${work}]->(:Stage) WHERE ${holdsAt("w")} } AS stages`;

interface Candidate {
  person: { id: string; name: string };
  own: string[];
  stageOrganisations: string[];
  communities: string[];
  stages: number;
}

/** A set of organisations as bits, so a person's span is a few word-wise ORs however large their communities. */
class OrganisationSet {
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

export function peopleNetwork(driver: Driver, database?: string) {
  const graph = graphReader(driver, database);
  for (const query of Object.values(communityOrganisationsQuery)) graph.plan(query, { asAt: today() });
  graph.plan(candidatesQuery, { organisationId: null, asAt: today() });
  graph.plan(endpointQuery, { fromId: "", toId: "" });
  for (let depth = 1; depth <= 6; depth++) graph.plan(pathQuery(depth), { from: "", to: "", asAt: today() });

  return {
    warmUp: () => graph.warmUp(),
    resolvers: {
      Query: {
        async brokers(_source, args, context) {
          const asAt = args.asAt ?? today();
          requireRole(context.viewer, "reader", "Ranking people as brokers");
          const page = pageOf(args, 100);
          if (args.organisationId) await requireOrganisations(graph, [args.organisationId], "organisationId");
          const index = new Map<string, number>();
          const indexOf = (id: string) => index.get(id) ?? (index.set(id, index.size), index.size - 1);
          const communityRows = await graph.rows<{ community: string; organisations: string[] }>(
            args.asAt ? communityOrganisationsQuery.at : communityOrganisationsQuery.today,
            { asAt },
          );
          const byCommunity = new Map(communityRows.map((row) => [row.community, row.organisations.map(indexOf)]));
          // Streamed, keeping only the best `offset + size` so far: tens of thousands of people at full
          // scale would otherwise be held at once, by every request in flight.
          type Ranked = { person: Candidate["person"]; communities: number; stages: number; spanned: OrganisationSet; organisations: number };
          const byRank = (a: Ranked, b: Ranked) =>
            b.organisations - a.organisations || a.person.name.localeCompare(b.person.name) || a.person.id.localeCompare(b.person.id);
          const keep = page.offset + page.size;
          let best: Ranked[] = [];
          let total = 0;
          await graph.each<Candidate>(candidatesQuery, { organisationId: args.organisationId ?? null, asAt }, (c) => {
            const spanned = new OrganisationSet();
            spanned.addAll([...c.own, ...c.stageOrganisations].map(indexOf));
            for (const community of c.communities) spanned.addAll(byCommunity.get(community) ?? []);
            total++;
            best.push({ person: c.person, communities: c.communities.length, stages: c.stages, spanned, organisations: spanned.count() });
            if (best.length >= 2 * keep + 1000) best = best.sort(byRank).slice(0, keep);
          });
          best.sort(byRank);

          const connection = connectionOf(best.slice(page.offset, keep), page, total);
          const ids = [...index.keys()];
          const sampleIds = connection.edges.map((e) => e.spanned.indexes().map((i) => ids[i]!));
          const organisations = new Map(
            (
              await graph.rows<{ o: { id: string; name: string } }>(
                `UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN ${organisationFieldsOf("o")} AS o`,
                {
                  ids: [...new Set(sampleIds.flat())],
                  asAt,
                },
              )
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
                  .sort((a, b) => a.name.localeCompare(b.name))
                  .slice(0, 10),
              },
            })),
          };
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
