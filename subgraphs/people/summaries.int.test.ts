/**
 * The brokers' summaries (graph/broker-summaries.ts) give today's brokers the answer the live walk over
 * every candidate gives, page by page with the same cursors and samples: after the seed, after each kind
 * of mutation that changes what a broker spans (employment, membership, stage work, responsibility, a
 * name, an organisation's opening), made through the subgraphs' API, after an import, and when a summary
 * has passed the date it holds until or is not what the graph holds. Between them the summaries are read
 * as they were written: a mutation that left them untrue would make a read count them again, which the
 * state's count of recounts shows.
 */
import { resolve } from "node:path";
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../data/import/run-import.js";
import { stepByStepSource } from "../../data/import/sources/step-by-step.js";
import { recountBrokerSummaries } from "../../graph/broker-summaries.js";
import { today } from "../../graph/read.js";
import { refreshSummaries } from "../../graph/summaries.js";
import type { RunningServer } from "../../subgraph-kit/server.js";
import { mutateThrough, startSubgraph, testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";
import { pages, recountsOf, type Ask, type Connection } from "../../test/summary-pages.js";
import { peopleNetwork } from "./resolvers/network.js";

describe("the brokers' summaries", () => {
  const database = testNeo4j().database;
  let driver: Driver;
  const servers: Record<string, RunningServer> = {};
  const word = uniqueId("w").slice(-8);
  const ids = {
    A: uniqueId("a"),
    B: uniqueId("b"),
    C: uniqueId("c"),
    K: uniqueId("community"),
    p: uniqueId("p"),
    q: uniqueId("q"),
    S: uniqueId("service"),
    st: uniqueId("st"),
  };
  const reader = { viewer: { sub: "test-reader", roles: ["reader"] } };
  let summarised: Ask;
  let live: Ask;
  const brokersOf = (resolvers: ReturnType<typeof peopleNetwork>["resolvers"]["Query"]): Ask => {
    const resolver = resolvers.brokers as unknown as (source: null, args: Record<string, unknown>, context: unknown) => Promise<Connection>;
    return (args) => resolver(null, args, reader);
  };

  const recounts = () => recountsOf(driver, database, "brokers");

  /**
   * Summarised equals live, page by page (100 at a time; `walked`, 37 at a time too), and the summaries
   * in their order are the live ranking of everyone, read without counting them again. Gives the ranking.
   */
  async function expectSummariesTrue(walked = false): Promise<any[]> {
    const before = await recounts();
    for (const first of walked ? [100, 37] : [100]) {
      const [fromSummaries, fromTheGraph] = await Promise.all([pages(summarised, first), pages(live, first)]);
      expect(fromSummaries).toEqual(fromTheGraph);
    }
    expect(await recounts()).toBe(before);
    const ranked = (await pages(live, 100)).flatMap((page) => page.edges.map((e) => e.node));
    const { records } = await driver.executeQuery(
      `MATCH (s:BrokerSummary) WHERE s.spanOrder IS NOT NULL AND s.nameKey IS NOT NULL WITH s ORDER BY s.spanOrder, s.nameKey
       RETURN collect([s.person, s.organisationCount, s.communityCount, s.stageCount]) AS stored`,
      {},
      { database },
    );
    expect((records[0]!.get("stored") as unknown[][]).map((row) => row.map((v) => (typeof v === "string" ? v : Number(v))))).toEqual(
      ranked.map((n) => [n.person.id, n.organisationCount, n.communityCount, n.stageCount]),
    );
    return ranked;
  }

  const broker = async (id: string) => (await expectSummariesTrue()).find((n) => n.person.id === id);
  const mutate = (subgraph: string, source: string) => mutateThrough(servers[subgraph]!.url, source);
  const spanOf = (n: any) => ({ organisations: n?.organisationCount, sample: n?.sample.map((o: any) => o.id).sort() });

  beforeAll(async () => {
    driver = testDriver();
    summarised = brokersOf(peopleNetwork(driver, database).resolvers.Query);
    live = brokersOf(peopleNetwork(driver, database, { summaries: false }).resolvers.Query);
    await driver.executeQuery(
      `CREATE (:Organisation {id: $A, name: 'Agency A ${word}', status: 'LIVE'}), (:Organisation {id: $B, name: 'Body B ${word}', status: 'LIVE'})
       CREATE (:Organisation {id: $C, name: 'Council C ${word}', status: 'LIVE'})
       CREATE (:Community {id: $K, name: 'Brokers ${word}', kind: 'COMMUNITY_OF_PRACTICE'})
       CREATE (:Service {id: $S, name: 'Brokers service ${word}'})-[:HAS_STAGE]->(st:Stage {id: $st, name: 'One', position: 1})
       WITH st MATCH (a:Organisation {id: $A}) CREATE (a)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]->(st)`,
      ids,
      { database },
    );
    const session = driver.session({ database, defaultAccessMode: "WRITE" });
    await session.executeWrite((tx) => refreshSummaries(tx, { stages: [ids.st] })).finally(() => session.close());
    for (const name of ["people", "services", "organisations"] as const) servers[name] = (await startSubgraph(name, driver)).running;
  }, 120_000);

  afterAll(async () => {
    const session = driver.session({ database, defaultAccessMode: "WRITE" });
    await session
      .executeWrite(async (tx) => {
        await tx.run("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: Object.values(ids) });
        await refreshSummaries(tx, { people: [{ id: ids.p }, { id: ids.q }], services: { services: [ids.S] } });
      })
      .finally(() => session.close());
    for (const running of Object.values(servers)) await running.close();
    await driver.close();
  });

  it("are true after the seed", async () => {
    // Read once first: a graph migrated before them counts them at its first read, and the summary of
    // someone another test deleted straight in Neo4j is found on its page and counts them again.
    await pages(summarised, 100);
    const ranked = await expectSummariesTrue(true);
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.some((n) => n.organisationCount > 1)).toBe(true);
  }, 300_000);

  it("are true after each kind of mutation through the API", async () => {
    // Employment and membership: q works for A and joins K; p works for B, outside K, and so is no candidate.
    await mutate(
      "people",
      `mutation { createPeople(input: [
        { id: "${ids.q}", name: "Quinn ${word}", organisations: { connect: [{ where: { node: { id: { eq: "${ids.A}" } } } }] },
          communities: { connect: [{ where: { node: { id: { eq: "${ids.K}" } } }, edge: { role: "member" } }] } }
        { id: "${ids.p}", name: "Pat ${word}", organisations: { connect: [{ where: { node: { id: { eq: "${ids.B}" } } } }] } }
      ]) { people { id } } }`,
    );
    expect(spanOf(await broker(ids.q))).toEqual({ organisations: 1, sample: [ids.A] });
    expect(await broker(ids.p)).toBeUndefined();

    // p joins K: p spans B and A, and q, whose community now holds B too, spans A and B.
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p}" } }, update: { communities: [{ connect: [{ where: { node: { id: { eq: "${ids.K}" } } }, edge: { role: "member" } }] }] }) { people { id } } }`,
    );
    expect(spanOf(await broker(ids.p))).toEqual({ organisations: 2, sample: [ids.A, ids.B].sort() });
    expect(spanOf(await broker(ids.q))).toEqual({ organisations: 2, sample: [ids.A, ids.B].sort() });

    // p's employer changes from B to C: q, who shares K with them, spans A and C.
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p}" } }, update: {
        organisations: [{ disconnect: [{ where: { node: { id: { eq: "${ids.B}" } } } }], connect: [{ where: { node: { id: { eq: "${ids.C}" } } } }] }]
      }) { people { id } } }`,
    );
    expect(spanOf(await broker(ids.q))).toEqual({ organisations: 2, sample: [ids.A, ids.C].sort() });

    // Stage work: q works on st, which A is responsible for (already theirs); then B takes st on too.
    await mutate(
      "services",
      `mutation { updateStages(where: { id: { eq: "${ids.st}" } }, update: { people: [{ connect: [{ where: { node: { id: { eq: "${ids.q}" } } }, edge: { role: "analyst" } }] }] }) { stages { id } } }`,
    );
    expect(await broker(ids.q)).toMatchObject({ organisationCount: 2, stageCount: 1 });
    await mutate(
      "services",
      `mutation { updateStages(where: { id: { eq: "${ids.st}" } }, update: {
        responsibleOrganisations: [{ connect: [{ where: { node: { id: { eq: "${ids.B}" } } }, edge: { lane: BACKSTAGE } }] }]
      }) { stages { id } } }`,
    );
    expect(spanOf(await broker(ids.q))).toEqual({ organisations: 3, sample: [ids.A, ids.B, ids.C].sort() });

    // p's membership ends tomorrow: today's answer stands, and the summary holds until then.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p}" } }, update: { communities: [{ update: { where: { node: { id: { eq: "${ids.K}" } } }, edge: { until: { set: "${tomorrow}" } } } }] }) { people { id } } }`,
    );
    expect(await broker(ids.p)).toMatchObject({ organisationCount: 2 });
    const { records } = await driver.executeQuery("MATCH (s:BrokerSummary {person: $p}) RETURN toString(s.validUntil) AS until", ids, { database });
    expect(records[0]!.get("until")).toBe(tomorrow);

    // Renamed, q moves among those spanning as many.
    await mutate("people", `mutation { updatePeople(where: { id: { eq: "${ids.q}" } }, update: { name: { set: "Aaron ${word}" } }) { people { id } } }`);
    expect(await broker(ids.q)).toMatchObject({ person: { name: `Aaron ${word}` }, organisationCount: 3 });

    // q leaves: p's community loses A and keeps C.
    await mutate("people", `mutation { deletePeople(where: { id: { eq: "${ids.q}" } }) { nodesDeleted } }`);
    expect(spanOf(await broker(ids.p))).toEqual({ organisations: 1, sample: [ids.C] });
  }, 600_000);

  it("are counted again at the next read when an organisation's opening moves", async () => {
    const before = await recounts();
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await mutate(
      "organisations",
      `mutation { updateOrganisations(where: { id: { eq: "${ids.C}" } }, update: { since: { set: "${later}" } }) { organisations { id } } }`,
    );
    const [fromSummaries, fromTheGraph] = await Promise.all([pages(summarised, 100), pages(live, 100)]);
    expect(fromSummaries).toEqual(fromTheGraph);
    expect(await recounts()).toBe(before + 1);
    // C has not opened yet: p spans nothing they are counted for today, and is still a candidate.
    expect(await broker(ids.p)).toMatchObject({ organisationCount: 0 });
  }, 300_000);

  it("are true after an import, which counts them again when it ends", async () => {
    await runImport(stepByStepSource, [resolve(import.meta.dirname, "../../data/seed/data/step-by-steps-2024-11.json")], { driver, database });
    const { records } = await driver.executeQuery("MATCH (s:SummaryState {id: 'brokers'}) RETURN s.stale AS stale", {}, { database });
    expect(records[0]!.get("stale")).toBe(false);
    await expectSummariesTrue(true);
  }, 300_000);

  it("are what today's answer reads: places changed by hand show in it, until counted again", async () => {
    const ranked = await live({ first: 2 });
    await driver.executeQuery(
      `MATCH (s:BrokerSummary) WHERE s.spanOrder IS NOT NULL AND s.nameKey IS NOT NULL WITH s ORDER BY s.spanOrder, s.nameKey LIMIT 2
       WITH collect(s) AS two WITH two[0] AS one, two[1] AS other
       WITH one, other, one.spanOrder AS order, one.nameKey AS key
       SET one.spanOrder = other.spanOrder, one.nameKey = other.nameKey
       SET other.spanOrder = order, other.nameKey = key`,
      {},
      { database },
    );
    const swapped = await summarised({ first: 2 });
    expect(swapped.edges.map((e) => e.node)).toEqual([...ranked.edges.map((e) => e.node)].reverse());
    await recountBrokerSummaries(driver, database);
    await expectSummariesTrue();
  }, 300_000);

  it("are counted again when one has passed the date it holds until, or is not what the graph holds", async () => {
    const spoil = async (cypher: string) => {
      await driver.executeQuery(cypher, { asAt: today() }, { database });
      const [fromSummaries, fromTheGraph] = await Promise.all([pages(summarised, 100), pages(live, 100)]);
      expect(fromSummaries).toEqual(fromTheGraph);
      await expectSummariesTrue();
    };
    const first = `MATCH (s:BrokerSummary) WHERE s.spanOrder IS NOT NULL AND s.nameKey IS NOT NULL WITH s ORDER BY s.spanOrder, s.nameKey LIMIT 1`;
    // A count made wrong and its date passed: the first read counts every summary again.
    await spoil(`${first} SET s.organisationCount = s.organisationCount + 5, s.validUntil = $asAt`);
    // Someone whose membership begins today, waiting since yesterday.
    await spoil(`MATCH (s:BrokerPending) DELETE s WITH count(*) AS n CREATE (:BrokerPending {person: 'nobody', validUntil: $asAt})`);
    // An import under way: marked stale.
    await spoil(`MATCH (s:SummaryState {id: 'brokers'}) SET s.stale = true`);
    // A count wrong on a page's broker, with nothing else to tell: the page's own count disagrees with it.
    await spoil(`${first} SET s.communityCount = s.communityCount + 1`);
  }, 300_000);

  it("are counted once for ten reads at once that find them stale, and each read gets the true answer", async () => {
    const expected = await live({ first: 20 });
    await driver.executeQuery(`MATCH (s:SummaryState {id: 'brokers'}) SET s.stale = true`, {}, { database });
    const before = await recounts();
    const answers = await Promise.all(Array.from({ length: 10 }, () => summarised({ first: 20 })));
    expect(await recounts()).toBe(before + 1);
    for (const answer of answers) expect(answer).toEqual(expected);
  }, 120_000);
});
