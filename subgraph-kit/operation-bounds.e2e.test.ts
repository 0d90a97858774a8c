/**
 * The organisations subgraph as its own process, with the production heap (platform/server-process.ts),
 * under ten fan-outs at once (subgraph-kit/operation-bounds.ts): it stays up, stops each fan-out with a clear
 * code, and answers another client's simple query within the gateway's timeout. The fan-out runs over
 * a hand-built family of 1,000 organisations, a million nodes at two levels, whatever the graph holds.
 */
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDriver, testNeo4j, uniqueId } from "../test/helpers.js";
import { spawnSubgraph, type SubgraphProcess } from "../test/subgraph-process.js";
import { send } from "../bench/abuse/subgraph-attacks.js";

const gatewayTimeoutMs = 5000;

describe("a subgraph process under fan-outs", () => {
  let driver: Driver;
  let subgraph: SubgraphProcess;
  const parent = uniqueId("fan-out-department");

  beforeAll(async () => {
    driver = testDriver();
    await driver.executeQuery(
      `
      CREATE (p:Organisation {id: $parent, name: "Fan-out Department"})
      WITH p UNWIND range(1, 1000) AS i
      CREATE (:Organisation {id: $parent + "-" + i, name: "Fan-out Agency " + i})-[:PART_OF]->(p)`,
      { parent },
      { database: testNeo4j().database },
    );
    subgraph = await spawnSubgraph("organisations", testNeo4j());
  });

  afterAll(async () => {
    await subgraph?.stop();
    await driver.executeQuery("MATCH (o:Organisation) WHERE o.id STARTS WITH $parent DETACH DELETE o", { parent }, { database: testNeo4j().database });
    await driver.close();
  });

  const target = () => ({ url: subgraph.url, secret: subgraph.secret });
  // For each of the 1,000 children, its parent's 1,000 children: a million organisations (ten million values) for one request, in 1,000 records.
  const fanOut = () =>
    `{ organisations(where: { id: { startsWith: "${parent}-" } }, limit: 1000) { parents { children(limit: 1000) { id name acronym type status closedStatus closedAt url source snapshot } } } }`;
  const simple = () => `{ organisations(where: { id: { eq: "${parent}" } }) { id name } }`;

  it("stops one fan-out as too large, and still answers a large ordinary list", async () => {
    const answer = await send(target(), fanOut());
    expect(answer.codes).toEqual(["RESULT_TOO_LARGE"]);
    const large = await send(target(), `{ organisations(where: { id: { eq: "${parent}" } }) { children(limit: 1000) { id name parents { id } } } }`);
    expect(large.codes).toEqual([]);
    expect(large.data?.["organisations"][0].children).toHaveLength(1000);
  });

  it("stays up under ten at once, and answers another client within the timeout meanwhile and after", async () => {
    const answers: Awaited<ReturnType<typeof send>>[] = [];
    let attacking = true;
    const other = (async () => {
      while (attacking) {
        answers.push(await send(target(), simple(), {}, gatewayTimeoutMs));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    const attacks = await Promise.all(Array.from({ length: 10 }, () => send(target(), fanOut(), {}, 30_000)));
    attacking = false;
    await other;
    expect(subgraph.alive(), subgraph.output()).toBe(true);
    for (const attack of attacks) expect(["RESULT_TOO_LARGE", "SUBGRAPH_BUSY", "QUERY_TIMEOUT"]).toContain(attack.codes[0]);
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(answer.codes).toEqual([]);
      expect(answer.ms).toBeLessThan(gatewayTimeoutMs);
    }
    const after = await send(target(), simple(), {}, gatewayTimeoutMs);
    expect(after.data?.["organisations"]).toEqual([{ id: parent, name: "Fan-out Department" }]);
  });

  it("runs a client's query queued before more of a fan-out just stopped as too large ahead of them", async () => {
    // Two fan-outs take both slots, the client's query waits, then eight more fan-outs queue behind it.
    // None has read anything yet, and the newest used to go first: the client's query waited for
    // every one of them. Once a fan-out of its shape has been stopped as too large, its like waits last.
    expect((await send(target(), fanOut())).codes).toEqual(["RESULT_TOO_LARGE"]);
    const finished: string[] = [];
    const sent = (name: string, query: string) => send(target(), query, {}, 30_000).finally(() => finished.push(name));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const first = [sent("fan-out", fanOut()), sent("fan-out", fanOut())];
    await pause(200);
    const client = sent("client", simple());
    await pause(200);
    const rest = Array.from({ length: 8 }, () => sent("fan-out", fanOut()));
    const answer = await client;
    await Promise.all([...first, ...rest]);
    expect(answer.codes).toEqual([]);
    expect(finished.indexOf("client"), finished.join(", ")).toBeLessThanOrEqual(3);
  });
});
