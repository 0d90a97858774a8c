/**
 * `changes` under ten at once, each as large as its period allows: every change of a period is held
 * to order it (up to 20,000), so ten side by side would hold ten times that in a subgraph whose heap is
 * bounded (platform/server-process.ts). The organisations subgraph runs as its own process, as
 * `npm start` runs it; the period is 19,999 memberships dated in a year no real fact is dated in.
 */
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../bench/abuse/subgraph-attacks.js";
import type { Viewer } from "../../platform/caller.js";
import { testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";
import { spawnSubgraph, type SubgraphProcess } from "../../test/subgraph-process.js";

const gatewayTimeoutMs = 5000;
const reader: Viewer = { roles: ["reader"], organisations: [] };
const joined = 19_999;

describe("changes, ten at once, each of the largest period allowed", () => {
  let driver: Driver;
  let subgraph: SubgraphProcess;
  const community = uniqueId("changes-at-once-community");

  beforeAll(async () => {
    driver = testDriver();
    await driver.executeQuery(
      `CREATE (c:Community {id: $community, name: 'Changes at once community', kind: 'COMMUNITY_OF_PRACTICE'})
       WITH c UNWIND range(1, $joined) AS i
       CREATE (:Person {id: $community + '-' + i, name: 'Member ' + i})-[:MEMBER_OF {role: 'member', since: date('1751-01-01') + duration({days: i % 360})}]->(c)`,
      { community, joined },
      { database: testNeo4j().database },
    );
    subgraph = await spawnSubgraph("organisations", testNeo4j());
  }, 180_000);

  afterAll(async () => {
    await subgraph?.stop();
    await driver.executeQuery("MATCH (n) WHERE n.id STARTS WITH $community DETACH DELETE n", { community }, { database: testNeo4j().database });
    await driver.close();
  });

  const target = () => ({ url: subgraph.url, secret: subgraph.secret, viewer: reader });
  const largest = `{ changes(from: "1750-12-31", to: "1751-12-31", kinds: [JOINED], first: 1) { totalCount edges { node { description } } } }`;
  const simple = `{ organisations(limit: 1) { id } }`;

  it("answers one: all 19,999 joined, ordered, the first on the page", async () => {
    const answer = await send(target(), largest, {}, 60_000);
    expect(answer.codes).toEqual([]);
    expect(answer.data?.["changes"].totalCount).toBe(joined);
    expect(answer.data?.["changes"].edges[0].node.description).toMatch(/^Member \d+ joined Changes at once community$/);
  });

  it("stays up under ten at once, answering or refusing each as busy, and another client within the timeout", async () => {
    const answers: Awaited<ReturnType<typeof send>>[] = [];
    let attacking = true;
    const other = (async () => {
      while (attacking) {
        answers.push(await send(target(), simple, {}, gatewayTimeoutMs));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const attacks = await Promise.all(Array.from({ length: 10 }, () => send(target(), largest, {}, 60_000)));
    attacking = false;
    await other;
    expect(subgraph.alive(), subgraph.output()).toBe(true);
    console.log(`changes ten at once: ${attacks.map((a) => `${a.codes[0] ?? "answered"} ${a.ms} ms`).join("; ")}; peak ${subgraph.peakRssMb()} MB`);
    for (const attack of attacks) {
      if (attack.codes.length === 0) expect(attack.data?.["changes"].totalCount).toBe(joined);
      else expect(attack.codes).toEqual(["SUBGRAPH_BUSY"]);
    }
    expect(attacks.some((a) => a.codes.length === 0)).toBe(true);
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(answer.codes).toEqual([]);
      expect(answer.ms).toBeLessThan(gatewayTimeoutMs);
    }
  }, 180_000);
});
