import { beforeAll, describe, expect, it } from "vitest";
import { onAnalysisFixture, type AnalysisFixture } from "../../test/analysis-fixture.js";

describe("brokers and paths, on a hand-built graph", () => {
  const context = onAnalysisFixture("people");
  const { query } = context;
  let f: AnalysisFixture;
  beforeAll(() => {
    f = context.fixture;
  });

  it("ranks people by the organisations their work and communities span", async () => {
    const body = await query(
      `query ($a: ID!, $b: ID!) {
      a: brokers(organisationId: $a) { totalCount edges { node { person { id } organisationCount communityCount stageCount sample { id } } } }
      b: brokers(organisationId: $b) { edges { node { person { id } organisationCount sample { id } } } }
    }`,
      { a: f.A, b: f.B },
    );
    expect(body.errors).toBeUndefined();
    // p2: works for B, on st2 (A, B) and st3 (B, C), and shares community K with p1 of A.
    expect(body.data!["b"].edges).toEqual([
      { node: { person: { id: f.p2 }, organisationCount: 3, sample: expect.arrayContaining([{ id: f.A }, { id: f.B }, { id: f.C }]) } },
    ]);
    // p1 (A; K with p2 of B) and p3 (A; st2 with B) each span two.
    expect(body.data!["a"].totalCount).toBe(2);
    expect(body.data!["a"].edges.map((e: any) => [e.node.person.id, e.node.organisationCount])).toEqual([
      [f.p1, 2],
      [f.p3, 2],
    ]);
    expect(body.data!["a"].edges[0].node).toMatchObject({ communityCount: 1, stageCount: 1 });
  });

  it("finds the shortest connection as typed steps, within the depth asked", async () => {
    const body = await query(
      `query ($from: ID!, $to: ID!) {
      path(fromId: $from, toId: $to) { length steps { kind id via forward } }
      short: path(fromId: $from, toId: $to, maxDepth: 3) { length }
      self: path(fromId: $from, toId: $from) { length steps { id via } }
    }`,
      { from: f.p1, to: f.C },
    );
    expect(body.errors).toBeUndefined();
    const path = body.data!["path"];
    expect(path.length).toBe(4);
    expect(path.steps).toHaveLength(5);
    expect(path.steps[0]).toEqual({ kind: "PERSON", id: f.p1, via: null, forward: null });
    expect(path.steps[4]).toMatchObject({ kind: "ORGANISATION", id: f.C });
    expect(path.steps.slice(1).every((s: any) => typeof s.via === "string" && typeof s.forward === "boolean")).toBe(true);
    expect(body.data!["short"]).toBeNull();
    expect(body.data!["self"]).toEqual({ length: 0, steps: [{ id: f.p1, via: null }] });
  });

  it("refuses unknown ends and depths out of range, by name", async () => {
    for (const [source, argument] of [
      [`{ path(fromId: "no-such-person", toId: "${f.A}") { length } }`, "fromId"],
      [`{ path(fromId: "${f.p1}", toId: "no-such-organisation") { length } }`, "toId"],
      [`{ path(fromId: "${f.p1}", toId: "${f.A}", maxDepth: 7) { length } }`, "maxDepth"],
      [`{ brokers(first: 101) { totalCount } }`, "first"],
    ] as const) {
      const body = await query(source);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument });
    }
  });
});
