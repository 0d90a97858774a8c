import { beforeAll, describe, expect, it } from "vitest";
import { onAnalysisFixture, type AnalysisFixture } from "../../test/analysis-fixture.js";
import { searchQueryFor } from "./resolvers/analysis.js";
import { testDriver } from "../../test/helpers.js";

const journeyQuery = `
  query ($serviceId: ID!, $asAt: Date, $organisationIds: [ID!], $professionIds: [ID!], $lanes: [Lane!], $peoplePerStage: Int) {
    journey(serviceId: $serviceId, asAt: $asAt, organisationIds: $organisationIds, professionIds: $professionIds, lanes: $lanes, peoplePerStage: $peoplePerStage) {
      asAt handoffCount service { id name }
      stages {
        stage { id position }
        responsibilities { lane organisation { id } department { id } successors { id } }
        people { totalCount pageInfo { hasNextPage endCursor } edges { role node { id } professions { id } organisations { id } memberships { role community { id } } } }
        professions { peopleCount profession { id } }
        communities { peopleCount community { id } }
        missingProfessions { id }
        handoff { from { id } to { id } continuing { id } }
      }
    }
  }`;

describe("services analysis, on a hand-built graph", () => {
  const context = onAnalysisFixture("services");
  const { query } = context;
  let f: AnalysisFixture;
  beforeAll(() => {
    f = context.fixture;
  });
  const journey = async (variables: Record<string, unknown> = {}) => {
    const body = await query(journeyQuery, { serviceId: f.S, ...variables });
    expect(body.errors).toBeUndefined();
    return body.data!["journey"];
  };

  it("traces each stage in order: who is responsible, in which lane and department, and who works there", async () => {
    const trace = await journey();
    expect(trace.service).toEqual({ id: f.S, name: `Service ${f.word}` });
    expect(trace.stages.map((s: any) => s.stage.position)).toEqual([1, 2, 3, 4]);
    const [st1, st2, st3, st4] = trace.stages;
    expect(st1.responsibilities).toEqual([{ lane: "FRONTSTAGE", organisation: { id: f.A }, department: { id: f.D }, successors: [] }]);
    expect(st2.responsibilities.map((r: any) => [r.lane, r.organisation.id])).toEqual([
      ["FRONTSTAGE", f.A],
      ["BACKSTAGE", f.B],
    ]);
    expect(st3.responsibilities.find((r: any) => r.organisation.id === f.C)).toMatchObject({ lane: "SUPPORT", successors: [{ id: f.B }] });
    // A's responsibility for the fourth stage ended in 2020.
    expect(st4.responsibilities).toEqual([]);
    expect(st1.people.edges).toEqual([
      { role: "owner", node: { id: f.p1 }, professions: [{ id: f.X }], organisations: [{ id: f.A }], memberships: [{ role: "lead", community: { id: f.K } }] },
    ]);
    expect(st2.people.totalCount).toBe(2);
    expect(st2.professions).toEqual([{ peopleCount: 2, profession: { id: f.Y } }]);
    expect(st2.communities).toEqual([{ peopleCount: 1, community: { id: f.K } }]);
    expect(st2.missingProfessions).toEqual([{ id: f.X }]);
    expect(st4.people.totalCount).toBe(0);
  });

  it("marks where responsibility changes hands, and counts it", async () => {
    const trace = await journey();
    expect(trace.handoffCount).toBe(2);
    expect(trace.stages.map((s: any) => s.handoff)).toEqual([
      null,
      { from: [], to: [{ id: f.B }], continuing: [{ id: f.A }] },
      { from: [{ id: f.A }], to: [{ id: f.C }], continuing: [{ id: f.B }] },
      null,
    ]);
  });

  it("reads responsibilities and memberships as at a date", async () => {
    const before = await journey({ asAt: "2019-06-01" });
    expect(before.asAt).toBe("2019-06-01");
    expect(before.stages[3].responsibilities.map((r: any) => r.organisation.id)).toEqual([f.A]);
    expect(before.handoffCount).toBe(3);
    // p1 joined the community in 2022.
    expect(before.stages[0].people.edges[0].memberships).toEqual([]);
    expect(before.stages[0].communities).toEqual([]);
  });

  it("filters by organisation, profession and lane", async () => {
    const byOrganisation = await journey({ organisationIds: [f.B] });
    expect(byOrganisation.stages[1].responsibilities.map((r: any) => r.organisation.id)).toEqual([f.B]);
    expect(byOrganisation.stages[1].people.edges.map((e: any) => e.node.id)).toEqual([f.p2]);
    // Hand-offs are the journey's, whatever is shown.
    expect(byOrganisation.handoffCount).toBe(2);
    const byProfession = await journey({ professionIds: [f.X] });
    expect(byProfession.stages.map((s: any) => s.people.totalCount)).toEqual([1, 0, 0, 0]);
    const byLane = await journey({ lanes: ["BACKSTAGE"] });
    expect(byLane.stages.map((s: any) => s.responsibilities.map((r: any) => r.organisation.id))).toEqual([[], [f.B], [], []]);
  });

  it("pages through a stage's people with cursors", async () => {
    const trace = await journey({ peoplePerStage: 1 });
    const first = trace.stages[1].people;
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const body = await query(
      `query ($stageId: ID!, $after: String) { stagePeople(stageId: $stageId, first: 1, after: $after) {
      totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage } } }`,
      { stageId: f.st2, after: first.pageInfo.endCursor },
    );
    expect(body.errors).toBeUndefined();
    const rest = body.data!["stagePeople"];
    expect(rest.totalCount).toBe(2);
    expect(rest.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
    expect([first.edges[0].node.id, rest.edges[0].node.id].sort()).toEqual([f.p2, f.p3].sort());
  });

  it("lists a service's hand-offs and ranks services by them", async () => {
    const body = await query(
      `query ($serviceId: ID!) {
      handoffs(serviceId: $serviceId) { totalCount edges { node { service { id } fromStage { id } toStage { id } from { id } to { id } } } }
      servicesByHandoffs(first: 500) { edges { node { service { id } handoffCount stageCount organisationCount } } }
    }`,
      { serviceId: f.S },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!["handoffs"].totalCount).toBe(2);
    expect(body.data!["handoffs"].edges[1].node).toEqual({
      service: { id: f.S },
      fromStage: { id: f.st2 },
      toStage: { id: f.st3 },
      from: [{ id: f.A }],
      to: [{ id: f.C }],
    });
    const ranked = body.data!["servicesByHandoffs"].edges.map((e: any) => e.node);
    expect(ranked.find((r: any) => r.service.id === f.S)).toEqual({ service: { id: f.S }, handoffCount: 2, stageCount: 4, organisationCount: 3 });
    const counts = ranked.map((r: any) => r.handoffCount);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
  });

  it("finds each kind of gap", async () => {
    const body = await query(
      `query ($serviceId: ID!) {
      gaps(serviceId: $serviceId) { totalCount edges { node { kind stage { id } profession { id } organisation { id } successors { id } } } }
      closed: gaps(serviceId: $serviceId, kinds: [CLOSED_ORGANISATION_RESPONSIBLE]) { totalCount }
    }`,
      { serviceId: f.S },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!["gaps"].edges.map((e: any) => e.node)).toEqual([
      { kind: "MISSING_PROFESSION", stage: { id: f.st2 }, profession: { id: f.X }, organisation: null, successors: [] },
      { kind: "CLOSED_ORGANISATION_RESPONSIBLE", stage: { id: f.st3 }, profession: null, organisation: { id: f.C }, successors: [{ id: f.B }] },
      { kind: "NO_RESPONSIBLE_ORGANISATION", stage: { id: f.st4 }, profession: null, organisation: null, successors: [] },
      { kind: "NOBODY_WORKING", stage: { id: f.st4 }, profession: null, organisation: null, successors: [] },
    ]);
    expect(body.data!["closed"].totalCount).toBe(1);
  });

  it("searches names, ranked, by type, a page at a time", async () => {
    const body = await query(
      `query ($text: String!) {
      all: search(text: $text) { totalCount edges { node { type id name organisation { id acronym } person { id } } } }
      people: search(text: $text, types: [PERSON]) { totalCount edges { node { type id } } }
      page: search(text: $text, first: 2) { edges { cursor } pageInfo { hasNextPage endCursor } }
    }`,
      { text: f.word.slice(0, 7) },
    );
    expect(body.errors).toBeUndefined();
    const all = body.data!["all"];
    expect(all.totalCount).toBe(5);
    expect(all.edges.map((e: any) => e.node.id).sort()).toEqual([f.D, f.A, f.S, f.K, f.p1].sort());
    expect(all.edges.find((e: any) => e.node.id === f.A).node).toMatchObject({ type: "ORGANISATION", organisation: { id: f.A, acronym: "AA" }, person: null });
    expect(body.data!["people"]).toEqual({ totalCount: 1, edges: [{ node: { type: "PERSON", id: f.p1 } }] });
    expect(body.data!["page"].pageInfo.hasNextPage).toBe(true);
  });

  it("reads a user's text as words, never as Lucene syntax", () => {
    const query = searchQueryFor('  HM  "Revenue"(* ');
    // Any word may match, those matching both first; a word of two letters is not read as the start of every longer one.
    expect(query).toMatch(/^\(\(.*\) AND \(.*\)\)\^4 OR \(.*\) OR \(.*\)$/);
    expect(query).toContain("name:hm^8");
    expect(query).not.toContain("hm*");
    expect(query).toContain('name:\\"revenue\\"\\(\\**^2');
    // Stop words are left out: "a" would otherwise match every word starting with it.
    expect(searchQueryFor("registering a company")).not.toMatch(/:a\b/);
  });

  it("answers fields the analysis did not read by asking the graph, not with null", async () => {
    const body = await query(
      `query ($serviceId: ID!) { journey(serviceId: $serviceId) {
      service { communities { id } }
      stages { stage { expectedProfessions { id } } responsibilities { organisation { stages(limit: 10) { id } } } }
    } }`,
      { serviceId: f.S },
    );
    expect(body.errors).toBeUndefined();
    const trace = body.data!["journey"];
    expect(trace.service.communities).toEqual([{ id: f.K }]);
    expect(trace.stages[1].stage.expectedProfessions.map((p: any) => p.id).sort()).toEqual([f.X, f.Y].sort());
    expect(trace.stages[0].responsibilities[0].organisation.stages.map((s: any) => s.id).sort()).toEqual([f.st1, f.st2, f.st4].sort());
  });

  it("refuses bad arguments by name, and answers unknown ids plainly", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [`query ($id: ID!) { journey(serviceId: $id, peoplePerStage: -1) { asAt } }`, { id: f.S }, "peoplePerStage"],
      [`{ gaps(first: 501) { totalCount } }`, {}, "first"],
      [`{ handoffs(after: "not-a-cursor") { totalCount } }`, {}, "after"],
      [`{ search(text: "   ") { totalCount } }`, {}, "text"],
      [`{ stagePeople(stageId: "no-such-stage") { totalCount } }`, {}, "stageId"],
    ];
    for (const [source, variables, argument] of cases) {
      const body = await query(source, variables);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument });
      expect(body.errors?.[0]?.message).toContain(argument);
    }
    // 0 is the default (20), as for every limit: never none, never an error.
    const zero = await query(`query ($id: ID!) { journey(serviceId: $id, peoplePerStage: 0) { asAt } }`, { id: f.S });
    expect(zero.errors).toBeUndefined();
    const hostile = await query(`query ($text: String!) { search(text: $text) { totalCount } }`, { text: '"(* AND OR: ~ [x TO y] \\ /re/' });
    expect(hostile.errors).toBeUndefined();
    expect(hostile.data!["search"].totalCount).toEqual(expect.any(Number));
    const unknown = await query(`{ journey(serviceId: "no-such-service") { asAt } }`);
    expect(unknown).toEqual({ data: { journey: null } });
  });
  it("a real journey (Employ someone, of the demo data) shows who delivers each stage from its links, and its owners where nobody is assigned", async () => {
    const body = await query(
      `{ journey(serviceId: "employ-someone") {
          service { owners { id } }
          stages { stage { name } responsibilities { lane organisation { id } source derivation evidence } journeyOwners { id } }
        }
        gaps(serviceId: "employ-someone", kinds: [NO_RESPONSIBLE_ORGANISATION]) { edges { node { stage { name } journeyOwners { id } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const { journey, gaps } = body.data as any;
    const stage = (name: string) => journey.stages.find((s: any) => s.stage.name === name);
    expect(stage("Recruit someone").responsibilities).toEqual([
      {
        lane: "FRONTSTAGE",
        organisation: { id: "acas" },
        source: "step-by-step:step-by-steps-2024-11.json",
        derivation: "organisation-domain",
        evidence: "https://www.acas.org.uk/hiring-someone",
      },
    ]);
    expect(stage("Recruit someone").journeyOwners).toEqual([]);
    const owners = journey.service.owners.map((o: any) => o.id).sort();
    const unassigned = journey.stages.filter((s: any) => s.responsibilities.length === 0);
    expect(unassigned.length).toBeGreaterThan(0);
    for (const s of unassigned) expect(s.journeyOwners.map((o: any) => o.id).sort()).toEqual(owners);
    // The gaps table still says nobody is assigned, and who holds the journey.
    expect(gaps.edges.map((e: any) => e.node.stage.name)).toEqual(unassigned.map((s: any) => s.stage.name));
    for (const e of gaps.edges) expect(e.node.journeyOwners.map((o: any) => o.id).sort()).toEqual(owners);
  });
  it("gives DBT, on 7 February 2023, the lanes of Starting a Business that BEIS and DIT held the day before (the demo data)", async () => {
    const held = async (asAt: string, organisationIds: string[]) => {
      const body = await query(
        `query ($asAt: Date) { journey(serviceId: "starting-a-business", asAt: $asAt) { stages { stage { name } responsibilities { lane organisation { id } } } } }`,
        { asAt },
      );
      expect(body.errors).toBeUndefined();
      return (body.data as any).journey.stages
        .flatMap((s: any) => s.responsibilities.filter((r: any) => organisationIds.includes(r.organisation.id)).map((r: any) => `${s.stage.name}: ${r.lane}`))
        .sort();
    };
    const [before, after] = await Promise.all([
      held("2023-02-06", ["department-for-business-energy-and-industrial-strategy", "department-for-international-trade"]),
      held("2023-02-07", ["department-for-business-and-trade"]),
    ]);
    expect(after).toContain("Register the company: SUPPORT");
    expect(after).toEqual(before);
  });

  it("scores each department's ownership: services, stages nobody holds, gaps and services not assessed lately; and counts services by department", async () => {
    const driver = testDriver();
    const event = `${f.S}-assessed`;
    const worker = `${f.S}-former-worker`;
    try {
      await driver.executeQuery("MATCH (a:Organisation {id: $A}), (s:Service {id: $S}) CREATE (a)-[:OWNS]->(s)", { A: f.A, S: f.S });
      const scorecard = async () => {
        const body = await query(
          `{ ownershipScorecard(first: 100) { edges { node { department { id } serviceCount stageCount unassignedStageCount gapCount notRecentlyAssessedServiceCount assessedSince } } } }`,
        );
        expect(body.errors).toBeUndefined();
        return (body.data as any).ownershipScorecard.edges.map((e: any) => e.node).find((n: any) => n.department.id === f.D);
      };
      const threeYearsAgo = new Date();
      threeYearsAgo.setUTCFullYear(threeYearsAgo.getUTCFullYear() - 3);
      // A's service counts for its department D; st4 nobody holds; gaps: X missing (st2), C closed (st3), nobody responsible for and nobody on st4.
      expect(await scorecard()).toEqual({
        department: { id: f.D },
        serviceCount: 1,
        stageCount: 4,
        unassignedStageCount: 1,
        gapCount: 4,
        notRecentlyAssessedServiceCount: 1,
        assessedSince: threeYearsAgo.toISOString().slice(0, 10),
      });
      await driver.executeQuery(
        "MATCH (s:Service {id: $S}) CREATE (s)-[:HAS_EVENT]->(:ServiceEvent {id: $event, date: date() - duration('P1Y'), label: 'Passed beta assessment', assessedPhase: 'BETA'})",
        {
          S: f.S,
          event,
        },
      );
      expect((await scorecard()).notRecentlyAssessedServiceCount).toBe(0);
      // The same gaps as gaps() reports for the department's one service, today and on a date when A still held st4,
      // someone worked on it (work since ended) and C had not yet closed.
      await driver.executeQuery(
        `MATCH (st4:Stage {id: $st4}), (c:Organisation {id: $C})
         SET c.closedOn = date('2021-01-01'), c.openStatus = 'LIVE'
         CREATE (:Person {id: $worker, name: 'Former worker'})-[:WORKED_ON {role: 'adviser', since: date('2018-01-01'), until: date('2020-01-01')}]->(st4)`,
        { st4: f.st4, C: f.C, worker },
      );
      for (const asAt of [null, "2019-06-01"]) {
        const body = await query(
          `query ($asAt: Date, $S: ID!) { gaps(serviceId: $S, asAt: $asAt, first: 500) { totalCount } ownershipScorecard(asAt: $asAt, first: 100) { edges { node { department { id } gapCount unassignedStageCount } } } }`,
          { asAt, S: f.S },
        );
        expect(body.errors).toBeUndefined();
        const card = (body.data as any).ownershipScorecard.edges.map((e: any) => e.node).find((n: any) => n.department.id === f.D);
        expect(card.gapCount, String(asAt)).toBe((body.data as any).gaps.totalCount);
        expect(card.unassignedStageCount, String(asAt)).toBe(asAt ? 0 : 1);
      }

      const counts = await query(`{ serviceCounts(by: DEPARTMENT, first: 500) { edges { node { key department { id } serviceCount } } } }`);
      expect(counts.errors).toBeUndefined();
      expect((counts.data as any).serviceCounts.edges.map((e: any) => e.node).find((n: any) => n.department?.id === f.D)).toEqual({
        key: `Department ${f.word}`,
        department: { id: f.D },
        serviceCount: 1,
      });
    } finally {
      await driver.executeQuery("MATCH (e:ServiceEvent {id: $event}) DETACH DELETE e", { event });
      await driver.executeQuery("MATCH (p:Person {id: $worker}) DETACH DELETE p", { worker });
      await driver.executeQuery("MATCH (c:Organisation {id: $C}) REMOVE c.closedOn, c.openStatus", { C: f.C });
      await driver.close();
    }
  });
});
