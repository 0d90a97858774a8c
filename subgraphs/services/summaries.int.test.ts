/**
 * The services' summaries (graph/service-summaries.ts) give today's servicesByHandoffs and gaps the
 * answers the live walk over every service gives, page by page with the same cursors: after the seed,
 * after each kind of mutation that changes what they count, made through the subgraphs' API, after an
 * import, and when a summary has passed the date it holds until or is not what the graph holds.
 */
import { resolve } from "node:path";
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../data/import/run-import.js";
import { stepByStepSource } from "../../data/import/sources/step-by-step.js";
import { today } from "../../graph/read.js";
import { recountServiceSummaries } from "../../graph/service-summaries.js";
import { refreshSummaries } from "../../graph/summaries.js";
import type { RunningServer } from "../../subgraph-kit/server.js";
import { mutateThrough, startSubgraph, testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";
import { pages, recountsOf, type Ask, type Connection } from "../../test/summary-pages.js";
import { servicesAnalysis } from "./resolvers/analysis.js";

describe("the services' summaries", () => {
  const database = testNeo4j().database;
  let driver: Driver;
  const servers: Record<string, RunningServer> = {};
  const word = uniqueId("w").slice(-8);
  const ids = {
    A: uniqueId("a"),
    B: uniqueId("b"),
    C: uniqueId("c"),
    X: uniqueId("prof-x"),
    p: uniqueId("p"),
    S: uniqueId("service"),
    st1: uniqueId("st1"),
    st2: uniqueId("st2"),
    st3: uniqueId("st3"),
  };
  let summarised: ReturnType<typeof servicesAnalysis>["resolvers"]["Query"];
  let live: ReturnType<typeof servicesAnalysis>["resolvers"]["Query"];
  const field = (resolvers: typeof live, name: "servicesByHandoffs" | "gaps"): Ask => {
    const resolver = resolvers[name] as unknown as (source: null, args: Record<string, unknown>) => Promise<Connection>;
    return (args) => resolver(null, args);
  };

  /**
   * Summarised equals live, page by page, for the ranking and for the gaps of every kind and of some kinds;
   * `walked`, also a few at a time by their cursors. Gives today's ranking, every page of it.
   */
  async function expectSummariesTrue(walked = false): Promise<any[]> {
    const same = async (name: "servicesByHandoffs" | "gaps", first: number, args: Record<string, unknown> = {}) => {
      const [fromSummaries, fromTheGraph] = await Promise.all([pages(field(summarised, name), first, args), pages(field(live, name), first, args)]);
      expect(fromSummaries).toEqual(fromTheGraph);
      return fromSummaries;
    };
    const ranked = (await same("servicesByHandoffs", 500)).flatMap((page) => page.edges.map((e) => e.node));
    expect((await same("gaps", 500))[0]!.totalCount).toBeGreaterThan(0);
    for (const kinds of [["MISSING_PROFESSION"], ["NO_RESPONSIBLE_ORGANISATION", "CLOSED_ORGANISATION_RESPONSIBLE"]]) await same("gaps", 500, { kinds });
    if (walked) {
      await same("servicesByHandoffs", 37);
      await same("gaps", 13);
      for (const kinds of [["NOBODY_WORKING"], ["CLOSED_ORGANISATION_RESPONSIBLE"], ["NOBODY_WORKING", "MISSING_PROFESSION"]])
        await same("gaps", 500, { kinds });
    }
    return ranked;
  }

  const ours = async () => (await expectSummariesTrue()).find((n) => n.service.id === ids.S);
  const ourGaps = async () =>
    (await pages(field(summarised, "gaps"), 500))
      .flatMap((p) => p.edges.map((e) => e.node))
      .filter((g) => g.service.id === ids.S)
      .map((g) => `${g.stage.id} ${g.kind}`);

  const mutate = (subgraph: string, source: string) => mutateThrough(servers[subgraph]!.url, source);

  beforeAll(async () => {
    driver = testDriver();
    summarised = servicesAnalysis(driver, database).resolvers.Query;
    live = servicesAnalysis(driver, database, { summaries: false }).resolvers.Query;
    const session = driver.session({ database, defaultAccessMode: "WRITE" });
    await session
      .executeWrite(async (tx) => {
        await tx.run(
          `CREATE (:Organisation {id: $A, name: 'Agency A', status: 'LIVE'}), (:Organisation {id: $B, name: 'Body B', status: 'LIVE'})
           CREATE (:Organisation {id: $C, name: 'Council C', status: 'LIVE'})
           CREATE (:Person {id: $p, name: 'Worker'})-[:HAS_PROFESSION]->(:Profession {id: $X, name: 'Profession X'})`,
          ids,
        );
        await refreshSummaries(tx, { people: [{ id: ids.p }] });
      })
      .finally(() => session.close());
    for (const name of ["services", "organisations"] as const) servers[name] = (await startSubgraph(name, driver)).running;
  }, 120_000);

  afterAll(async () => {
    const session = driver.session({ database, defaultAccessMode: "WRITE" });
    await session
      .executeWrite(async (tx) => {
        await tx.run("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: Object.values(ids) });
        await refreshSummaries(tx, { people: [{ id: ids.p }], services: { services: [ids.S] } });
      })
      .finally(() => session.close());
    for (const running of Object.values(servers)) await running.close();
    await driver.close();
  });

  it("are true after the seed", async () => {
    const ranked = await expectSummariesTrue(true);
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.some((n) => n.handoffCount > 0)).toBe(true);
  }, 300_000);

  it("are true after each kind of mutation through the API", async () => {
    // A service of three stages: A then B (a hand-off), then one nobody is responsible for, expecting X.
    await mutate(
      "services",
      `mutation { createServices(input: [{ id: "${ids.S}", name: "Aaa summaries ${word}", stages: { create: [
        { node: { id: "${ids.st1}", name: "One", position: 1, responsibleOrganisations: { connect: [{ where: { node: { id: { eq: "${ids.A}" } } }, edge: { lane: FRONTSTAGE } }] } } }
        { node: { id: "${ids.st2}", name: "Two", position: 2, responsibleOrganisations: { connect: [{ where: { node: { id: { eq: "${ids.B}" } } }, edge: { lane: FRONTSTAGE } }] } } }
        { node: { id: "${ids.st3}", name: "Three", position: 3, expectedProfessions: { connect: [{ where: { node: { id: { eq: "${ids.X}" } } } }] } } }
      ] } }]) { services { id } } }`,
    );
    expect(await ours()).toMatchObject({ handoffCount: 1, stageCount: 3, organisationCount: 2 });
    expect(await ourGaps()).toEqual([
      `${ids.st1} NOBODY_WORKING`,
      `${ids.st2} NOBODY_WORKING`,
      `${ids.st3} MISSING_PROFESSION`,
      `${ids.st3} NO_RESPONSIBLE_ORGANISATION`,
      `${ids.st3} NOBODY_WORKING`,
    ]);

    // Someone with X works on the third stage; C takes it on from tomorrow, which the summary holds until.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await mutate(
      "services",
      `mutation { updateStages(where: { id: { eq: "${ids.st3}" } }, update: {
        people: [{ connect: [{ where: { node: { id: { eq: "${ids.p}" } } }, edge: { role: "analyst" } }] }]
        responsibleOrganisations: [{ connect: [{ where: { node: { id: { eq: "${ids.C}" } } }, edge: { lane: BACKSTAGE, since: "${tomorrow}" } }] }]
      }) { stages { id } } }`,
    );
    expect(await ourGaps()).toEqual([`${ids.st1} NOBODY_WORKING`, `${ids.st2} NOBODY_WORKING`, `${ids.st3} NO_RESPONSIBLE_ORGANISATION`]);
    const { records } = await driver.executeQuery("MATCH (s:ServiceSummary {service: $S}) RETURN toString(s.validUntil) AS until", ids, { database });
    expect(records[0]!.get("until")).toBe(tomorrow);

    // Renamed, it moves in both orders.
    await mutate(
      "services",
      `mutation { updateServices(where: { id: { eq: "${ids.S}" } }, update: { name: { set: "Zzz summaries ${word}" } }) { services { id } } }`,
    );
    expect(await ours()).toMatchObject({ service: { name: `Zzz summaries ${word}` }, handoffCount: 1 });

    // The second stage moved to the end: no two stages in a row both have someone responsible.
    await mutate("services", `mutation { updateStages(where: { id: { eq: "${ids.st2}" } }, update: { position: { set: 5 } }) { stages { id } } }`);
    expect(await ours()).toMatchObject({ handoffCount: 0, stageCount: 3 });

    // B closes: it still holds the second stage.
    await mutate(
      "organisations",
      `mutation { updateOrganisations(where: { id: { eq: "${ids.B}" } }, update: { status: { set: CLOSED } }) { organisations { id } } }`,
    );
    expect(await ourGaps()).toContain(`${ids.st2} CLOSED_ORGANISATION_RESPONSIBLE`);

    // A stage deleted, then the service.
    await mutate("services", `mutation { deleteStages(where: { id: { eq: "${ids.st1}" } }) { nodesDeleted } }`);
    expect(await ours()).toMatchObject({ stageCount: 2, organisationCount: 1 });
    await mutate("services", `mutation { deleteServices(where: { id: { eq: "${ids.S}" } }) { nodesDeleted } }`);
    expect(await ours()).toBeUndefined();
    const { records: left } = await driver.executeQuery("MATCH (s:ServiceSummary {service: $S}) RETURN count(s) AS n", ids, { database });
    expect(Number(left[0]!.get("n"))).toBe(0);
  }, 600_000);

  it("are true after an import, which counts them again when it ends", async () => {
    await runImport(stepByStepSource, [resolve(import.meta.dirname, "../../data/seed/data/step-by-steps-2024-11.json")], { driver, database });
    const { records } = await driver.executeQuery("MATCH (s:SummaryState {id: 'services'}) RETURN s.stale AS stale", {}, { database });
    expect(records[0]!.get("stale")).toBe(false);
    await expectSummariesTrue(true);
  }, 300_000);

  it("are what today's answers read: places changed by hand show in them, until counted again", async () => {
    const [ranked, gaps] = await Promise.all([field(live, "servicesByHandoffs")({ first: 2 }), field(live, "gaps")({ first: 1 })]);
    await driver.executeQuery(
      `MATCH (one:ServiceSummary {handoffRank: 1}), (two:ServiceSummary {handoffRank: 2}) SET one.handoffRank = 2, two.handoffRank = 1
       WITH count(*) AS swapped
       MATCH (last:ServiceSummary) WHERE last.gapsBefore15 IS NOT NULL WITH last ORDER BY last.gapsBefore15 DESC LIMIT 1 SET last.gapsBefore15 = last.gapsBefore15 + 1`,
      {},
      { database },
    );
    const swapped = await field(summarised, "servicesByHandoffs")({ first: 2 });
    expect(swapped.edges.map((e) => e.node)).toEqual([...ranked.edges.map((e) => e.node)].reverse());
    expect((await field(summarised, "gaps")({ first: 1 })).totalCount).toBe(gaps.totalCount + 1);
    await recountServiceSummaries(driver, database);
    await expectSummariesTrue();
  }, 300_000);

  it("are counted again when one has passed the date it holds until, or is not what the graph holds", async () => {
    const spoil = async (cypher: string) => {
      await driver.executeQuery(cypher, { asAt: today() }, { database });
      await expectSummariesTrue();
    };
    // A count made wrong and its date passed: the first read counts every summary again.
    await spoil(
      `MATCH (s:ServiceSummary) WITH s ORDER BY s.handoffRank LIMIT 1 SET s.handoffCount = s.handoffCount + 5, s.gapsNobodyWorking = s.gapsNobodyWorking + 3, s.validUntil = $asAt`,
    );
    // A service's summary lost, as a write straight to Neo4j would leave it.
    await spoil(`MATCH (s:ServiceSummary) WITH s ORDER BY s.handoffRank LIMIT 1 DELETE s`);
    // An import under way: marked stale.
    await spoil(`MATCH (s:SummaryState {id: 'services'}) SET s.stale = true`);
    // A gap count wrong on a page's service, with nothing else to tell: the page's own gaps disagree with it.
    await spoil(`MATCH (s:ServiceSummary) WHERE s.gapsBefore15 = 0 SET s.gapsMissingProfession = s.gapsMissingProfession + 1`);
  }, 300_000);

  it("are counted once for ten reads at once that find them stale, and each read gets the true answer", async () => {
    const recounts = () => recountsOf(driver, database, "services");
    const expected = await field(live, "servicesByHandoffs")({ first: 20 });
    await driver.executeQuery(`MATCH (s:SummaryState {id: 'services'}) SET s.stale = true`, {}, { database });
    const before = await recounts();
    const answers = await Promise.all(Array.from({ length: 10 }, () => field(summarised, "servicesByHandoffs")({ first: 20 })));
    expect(await recounts()).toBe(before + 1);
    for (const answer of answers) expect(answer).toEqual(expected);
  }, 120_000);
});
