import neo4j from "neo4j-driver";
import { beforeAll, describe, expect, it } from "vitest";
import { today } from "../../graph/read.js";
import { onAnalysisFixture, type AnalysisFixture } from "../../test/analysis-fixture.js";
import { testDriver, testNeo4j } from "../../test/helpers.js";
import { linksQuery, matrixQuery } from "./resolvers/links.js";

const linkFields = "from { id } organisation { id } strength sharedStageCount sharedServiceCount sharedCommunityCount peopleCount evidence { kind id }";

describe("links between organisations, on a hand-built graph", () => {
  const context = onAnalysisFixture("organisations");
  const { query } = context;
  let f: AnalysisFixture;
  beforeAll(() => {
    f = context.fixture;
  });

  it("gives each linked organisation with its strength, counts and evidence, strongest first", async () => {
    const body = await query(`query ($id: ID!) { organisationLinks(organisationId: $id) { totalCount edges { node { ${linkFields} } } } }`, { id: f.A });
    expect(body.errors).toBeUndefined();
    const links = body.data!["organisationLinks"];
    expect(links.totalCount).toBe(2);
    // A and B: stage st2, service S, community K, and p2 (B's, on A's st2) and p3 (A's, on B's st2).
    expect(links.edges[0].node).toEqual({
      from: { id: f.A },
      organisation: { id: f.B },
      strength: 5,
      sharedStageCount: 1,
      sharedServiceCount: 1,
      sharedCommunityCount: 1,
      peopleCount: 2,
      evidence: [
        { kind: "STAGE", id: f.st2 },
        { kind: "SERVICE", id: f.S },
        { kind: "COMMUNITY", id: f.K },
        ...[
          { kind: "PERSON", id: f.p3 },
          { kind: "PERSON", id: f.p2 },
        ],
      ],
    });
    // A and closed C share only the service (A's st4 responsibility ended in 2020).
    expect(links.edges[1].node).toMatchObject({ organisation: { id: f.C }, strength: 1, sharedServiceCount: 1 });
  });

  it("counts the organisations below one when asked", async () => {
    const body = await query(
      `query ($id: ID!) {
      alone: organisationLinks(organisationId: $id) { totalCount }
      withChildren: organisationLinks(organisationId: $id, includeChildren: true) { totalCount edges { node { organisation { id } strength } } }
    }`,
      { id: f.D },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!["alone"].totalCount).toBe(0);
    expect(body.data!["withChildren"].edges.map((e: any) => [e.node.organisation.id, e.node.strength])).toEqual([
      [f.B, 5],
      [f.C, 1],
    ]);
  });

  it("builds the matrix of a chosen set, one link per pair", async () => {
    const body = await query(
      `query ($ids: [ID!]!) { departmentMatrix(organisationIds: $ids, evidencePerKind: 0) { organisations { id } links { ${linkFields} } } }`,
      { ids: [f.D, f.B, f.C] },
    );
    expect(body.errors).toBeUndefined();
    const matrix = body.data!["departmentMatrix"];
    expect(matrix.organisations.map((o: any) => o.id)).toEqual([f.D, f.B, f.C]);
    const strength = Object.fromEntries(matrix.links.map((l: any) => [[l.from.id, l.organisation.id].sort().join(" "), l.strength]));
    expect(strength).toEqual({
      [[f.D, f.B].sort().join(" ")]: 5,
      // B and C: stage st3, service S, and p2 (B's, on C's st3).
      [[f.B, f.C].sort().join(" ")]: 3,
      [[f.D, f.C].sort().join(" ")]: 1,
    });
    expect(matrix.links.every((l: any) => l.evidence.length === 0)).toBe(true);
  });

  it("pages with cursors and refuses bad arguments by name", async () => {
    const first = await query(
      `query ($id: ID!) { organisationLinks(organisationId: $id, first: 1) { edges { node { organisation { id } } } pageInfo { hasNextPage endCursor } } }`,
      { id: f.A },
    );
    const { endCursor, hasNextPage } = first.data!["organisationLinks"].pageInfo;
    expect(hasNextPage).toBe(true);
    const second = await query(
      `query ($id: ID!, $after: String) { organisationLinks(organisationId: $id, first: 1, after: $after) { edges { node { organisation { id } } } pageInfo { hasNextPage } } }`,
      { id: f.A, after: endCursor },
    );
    expect(second.data!["organisationLinks"]).toEqual({ edges: [{ node: { organisation: { id: f.C } } }], pageInfo: { hasNextPage: false } });

    for (const [source, argument] of [
      [`{ organisationLinks(organisationId: "no-such-organisation") { totalCount } }`, "organisationId"],
      [`{ organisationLinks(organisationId: "${f.A}", evidencePerKind: 21) { totalCount } }`, "evidencePerKind"],
      [`{ departmentMatrix(organisationIds: ["${f.A}"]) { links { strength } } }`, "organisationIds"],
      [`{ departmentMatrix(organisationIds: ["${f.A}", "no-such-organisation"]) { links { strength } } }`, "organisationIds"],
    ] as const) {
      const body = await query(source);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument });
    }
  });

  it("plans no row that holds the families' organisations", async () => {
    // A UNION's distinct keyed every row on the list of the families' organisations too: the matrix of every
    // department on the civil-service graph then needed more than Neo4j's 1.4 GiB of transaction memory.
    await using driver = testDriver();
    const parameters = {
      roots: [f.A],
      targets: [f.A],
      includeChildren: true,
      evidencePerKind: neo4j.int(5),
      offset: neo4j.int(0),
      end: neo4j.int(20),
      asAt: today(),
    };
    interface Plan {
      operatorType: string;
      arguments: Record<string, unknown>;
      children: Plan[];
    }
    const holdingMine = (plan: Plan): string[] => [
      ...(/distinct|aggregation|sort/i.test(plan.operatorType) &&
      /\bmine\b/.test(String(plan.arguments["Details"])) &&
      !/AS mine\b/.test(String(plan.arguments["Details"]))
        ? [`${plan.operatorType}: ${String(plan.arguments["Details"])}`]
        : []),
      ...plan.children.flatMap(holdingMine),
    ];
    for (const query of [...Object.values(matrixQuery), ...Object.values(linksQuery)]) {
      const { summary } = await driver.executeQuery(`EXPLAIN ${query}`, parameters, { database: testNeo4j().database });
      expect(holdingMine(summary.plan as unknown as Plan)).toEqual([]);
    }
  });
});
