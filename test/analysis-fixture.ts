/**
 * A small hand-built graph where each analysis answer is obvious, with ids of its own so tests share
 * the test database safely.
 *
 *   department D ─ A (PART_OF)        C closed, SUPERSEDED_BY B
 *   service S: st1 ── st2 ── st3 ── st4
 *     st1: A front                     people: p1 (A, profession X, owner)
 *     st2: A front, B back             people: p2 (B, Y), p3 (A, Y); expects X and Y
 *     st3: B front, C support          people: p2
 *     st4: A front until 2020-01-01    nobody
 *   community K: p1 (since 2022-01-01), p2
 *
 * Hand-offs today: st1→st2 (to B, A continuing), st2→st3 (from A, to C, B continuing); as at
 * 2019-06-01 also st3→st4 (from B and C, to A). Gaps today: X missing on st2, C closed on st3,
 * nobody responsible for and nobody working on st4.
 */
import { afterAll, beforeAll } from "vitest";
import type { Driver } from "neo4j-driver";
import type { SubgraphName } from "../platform/config.js";
import type { RunningServer } from "../subgraph-kit/server.js";
import { refreshSummaries } from "../graph/summaries.js";
import { postGraphQL, startSubgraph, testDriver, testNeo4j, uniqueId } from "./helpers.js";

export interface AnalysisFixture {
  word: string;
  D: string;
  A: string;
  B: string;
  C: string;
  S: string;
  st1: string;
  st2: string;
  st3: string;
  st4: string;
  p1: string;
  p2: string;
  p3: string;
  X: string;
  Y: string;
  K: string;
  remove(): Promise<void>;
}

export async function createAnalysisFixture(driver: Driver): Promise<AnalysisFixture> {
  // A word no other node's name has, for search.
  const word = `zq${uniqueId("w").slice(-8)}`;
  const ids = {
    D: uniqueId("dept"),
    A: uniqueId("a"),
    B: uniqueId("b"),
    C: uniqueId("c"),
    S: uniqueId("service"),
    st1: uniqueId("st1"),
    st2: uniqueId("st2"),
    st3: uniqueId("st3"),
    st4: uniqueId("st4"),
    p1: uniqueId("p1"),
    p2: uniqueId("p2"),
    p3: uniqueId("p3"),
    X: uniqueId("prof-x"),
    Y: uniqueId("prof-y"),
    K: uniqueId("community"),
  };
  // Written as an import writes, its summaries refreshed in its transaction (graph/summaries.ts).
  const session = driver.session({ database: testNeo4j().database, defaultAccessMode: "WRITE" });
  const write = (cypher: string) =>
    session.executeWrite(async (tx) => {
      await tx.run(cypher, { ...ids, word });
      await refreshSummaries(tx, { people: [{ id: ids.p1 }, { id: ids.p2 }, { id: ids.p3 }], stages: [ids.st1, ids.st2, ids.st3, ids.st4] });
    });
  await write(
    `
    CREATE (d:Organisation {id: $D, name: 'Department ' + $word, type: 'MINISTERIAL_DEPARTMENT', status: 'LIVE'})
    CREATE (a:Organisation {id: $A, name: 'Agency A ' + $word, acronym: 'AA', type: 'EXECUTIVE_AGENCY', status: 'LIVE'})-[:PART_OF]->(d)
    CREATE (b:Organisation {id: $B, name: 'Body B', type: 'EXECUTIVE_AGENCY', status: 'LIVE'})
    CREATE (c:Organisation {id: $C, name: 'Closed C', type: 'EXECUTIVE_AGENCY', status: 'CLOSED'})-[:SUPERSEDED_BY]->(b)
    CREATE (s:Service {id: $S, name: 'Service ' + $word})
    CREATE (s)-[:HAS_STAGE]->(st1:Stage {id: $st1, name: 'First', position: 1})
    CREATE (s)-[:HAS_STAGE]->(st2:Stage {id: $st2, name: 'Second', position: 2})
    CREATE (s)-[:HAS_STAGE]->(st3:Stage {id: $st3, name: 'Third', position: 3})
    CREATE (s)-[:HAS_STAGE]->(st4:Stage {id: $st4, name: 'Fourth', position: 4})
    CREATE (a)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]->(st1)
    CREATE (a)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]->(st2)
    CREATE (b)-[:RESPONSIBLE_FOR {lane: 'BACKSTAGE'}]->(st2)
    CREATE (b)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]->(st3)
    CREATE (c)-[:RESPONSIBLE_FOR {lane: 'SUPPORT'}]->(st3)
    CREATE (a)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE', until: date('2020-01-01')}]->(st4)
    CREATE (x:Profession {id: $X, name: 'Profession X'}), (y:Profession {id: $Y, name: 'Profession Y'})
    CREATE (st2)-[:EXPECTS_PROFESSION]->(x), (st2)-[:EXPECTS_PROFESSION]->(y)
    CREATE (k:Community {id: $K, name: 'Community ' + $word, kind: 'SERVICE_COMMUNITY'})-[:FOCUSES_ON]->(s)
    CREATE (p1:Person {id: $p1, name: 'Person One ' + $word})-[:WORKS_FOR]->(a)
    CREATE (p2:Person {id: $p2, name: 'Person Two'})-[:WORKS_FOR]->(b)
    CREATE (p3:Person {id: $p3, name: 'Person Three'})-[:WORKS_FOR]->(a)
    CREATE (p1)-[:HAS_PROFESSION]->(x), (p2)-[:HAS_PROFESSION]->(y), (p3)-[:HAS_PROFESSION]->(y)
    CREATE (p1)-[:WORKS_ON {role: 'owner'}]->(st1)
    CREATE (p2)-[:WORKS_ON {role: 'designer'}]->(st2), (p3)-[:WORKS_ON {role: 'analyst'}]->(st2)
    CREATE (p2)-[:WORKS_ON {role: 'designer'}]->(st3)
    CREATE (p1)-[:MEMBER_OF {role: 'lead', since: date('2022-01-01')}]->(k)
    CREATE (p2)-[:MEMBER_OF {role: 'member'}]->(k)`,
  ).finally(() => session.close());
  return {
    ...ids,
    word,
    async remove() {
      const session = driver.session({ database: testNeo4j().database, defaultAccessMode: "WRITE" });
      await session
        .executeWrite(async (tx) => {
          await tx.run("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: Object.values(ids) });
          await refreshSummaries(tx, { people: [{ id: ids.p1 }, { id: ids.p2 }, { id: ids.p3 }], services: { services: [ids.S] } });
        })
        .finally(() => session.close());
    },
  };
}

/**
 * For a test file: the hand-built graph and one subgraph over it, made before its tests and removed
 * after. `query` posts to the subgraph; `fixture` holds the graph's ids.
 */
export function onAnalysisFixture(name: SubgraphName) {
  let driver: Driver;
  let running: RunningServer;
  const context = {
    fixture: undefined as unknown as AnalysisFixture,
    query: async (source: string, variables: Record<string, unknown> = {}) => (await postGraphQL(running.url, source, variables)).body,
  };
  beforeAll(async () => {
    driver = testDriver();
    context.fixture = await createAnalysisFixture(driver);
    ({ running } = await startSubgraph(name, driver));
  });
  afterAll(async () => {
    await context.fixture.remove();
    await running.close();
    await driver.close();
  });
  return context;
}
