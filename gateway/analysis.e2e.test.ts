import { describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite } from "../test/helpers.js";
import { exampleOperations } from "./gateway.js";

const example = (name: string) => exampleOperations().find((o) => o.name === name)!.query;

describe("analysis of the demo data through the gateway", () => {
  const stack = stackForSuite();
  const run = async (name: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await postGraphQL(stack.gateway.url, example(name), variables);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    return body.data as any;
  };

  it("maps Starting a Business: nine stages, who holds each, the hand-offs and the professions missing", async () => {
    const { journey } = await run("journey-map");
    expect(journey.service.name).toBe("Starting a Business");
    expect(journey.stages.map((s: any) => s.stage.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(journey.handoffCount).toBe(7);
    const byName = Object.fromEntries(journey.stages.map((s: any) => [s.stage.name, s]));
    // GOV.UK's 2026-08-22 snapshot relabels DBT "Other", so today Companies House has no department above it.
    expect(byName["Set up a workplace pension"].responsibilities.map((r: any) => [r.lane, r.organisation.name, r.department?.acronym])).toContainEqual([
      "FRONTSTAGE",
      "The Pensions Regulator",
      "DWP",
    ]);
    expect(byName["Choose a business structure"].missingProfessions).toEqual([{ name: "Legal" }]);
    expect(byName["Choose a business structure"].handoff).toMatchObject({ from: [{ acronym: "BBB" }] });
    expect(journey.stages.every((s: any) => s.people.totalCount > 0)).toBe(true);
  });

  it("shows the journey before the 2023 machinery-of-government change: BEIS live, with no successors yet", async () => {
    const { journey } = await run("journey-map", { asAt: "2022-06-01" });
    const first = journey.stages[0].responsibilities.find((r: any) => r.lane === "FRONTSTAGE");
    expect(first.organisation).toMatchObject({ acronym: "BEIS", status: "LIVE" });
    expect(first.successors).toEqual([]);
    const register = journey.stages.find((s: any) => s.stage.name === "Register the company");
    expect(register.responsibilities.find((r: any) => r.organisation.name === "Companies House").department.acronym).toBe("BEIS");
  });

  it("is answered by the services subgraph alone: the trace works with the other two down", async () => {
    await stack.stopSubgraph("people");
    await stack.stopSubgraph("organisations");
    try {
      const { journey } = await run("journey-map");
      expect(journey.stages).toHaveLength(9);
    } finally {
      await stack.restartSubgraph("people");
      await stack.restartSubgraph("organisations");
    }
  });

  it("lists hand-offs, ranks services by them and finds the gaps", async () => {
    const data = await run("handoffs-and-gaps");
    expect(data.handoffs.totalCount).toBe(7);
    expect(data.servicesByHandoffs.edges[0].node).toMatchObject({ service: { name: "Starting a Business" }, handoffCount: 7, stageCount: 9 });
    const gaps = data.gaps.edges.map((e: any) => e.node);
    expect(gaps).toContainEqual({
      kind: "MISSING_PROFESSION",
      stage: { position: 2, name: "Choose a business structure" },
      profession: { name: "Legal" },
      organisation: null,
      successors: [],
    });
    expect(gaps.filter((g: any) => g.kind === "MISSING_PROFESSION")).toHaveLength(3);
  });

  it("links departments with evidence, brokers and paths", async () => {
    const data = await run("department-links");
    const strongest = data.organisationLinks.edges[0].node;
    expect(strongest.organisation.name).toBe("HM Revenue & Customs");
    expect(strongest.evidence).toContainEqual({ kind: "STAGE", name: "Register the company" });
    const pair = (a: string, b: string) =>
      data.departmentMatrix.links.find((l: any) => [l.from.acronym, l.organisation.acronym].sort().join() === [a, b].sort().join());
    expect(pair("DBT", "HMRC").strength).toBeGreaterThan(pair("DBT", "DWP").strength);
    expect(data.brokers.edges).toHaveLength(5);
    expect(data.path.steps.at(-1)).toMatchObject({ kind: "ORGANISATION", name: "The Pensions Regulator" });
    expect(data.path.length).toBe(data.path.steps.length - 1);
  });

  it("finds The Pensions Regulator first for 'pens reg'", async () => {
    const { search } = await run("search");
    expect(search.edges[0].node).toMatchObject({ type: "ORGANISATION", name: "The Pensions Regulator" });
  });

  describe("search understands phrasing: English words stemmed, any of them matching, names first", () => {
    const names = async (text: string, types: string[] | null = null) => {
      const { status, body } = await postGraphQL(
        stack.gateway.url,
        "query ($text: String!, $types: [SearchType!]) { search(text: $text, types: $types, first: 10) { totalCount edges { node { type name } } } }",
        { text, types },
      );
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      return body.data!["search"].edges.map((e: any) => e.node.name) as string[];
    };

    it("'workplace pensions' finds 'Set up a workplace pension'", async () => {
      expect((await names("workplace pensions")).slice(0, 3)).toContain("Set up a workplace pension");
    });

    it("'registering a company' finds Companies House's stage and Companies House", async () => {
      const found = await names("registering a company");
      expect(found.slice(0, 5)).toContain("Register the company");
      expect(await names("registering a company", ["ORGANISATION"])).toContain("Companies House");
    });

    it("'company' finds Companies House", async () => {
      expect((await names("company", ["ORGANISATION"])).slice(0, 3)).toContain("Companies House");
    });
  });
});
