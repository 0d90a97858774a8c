/**
 * departmentMatrix takes every department, through the gateway; what bounds its work is what it
 * reads and answers, not how many organisations it names: a link for each pair counted against the
 * list items before anything runs (and Neo4j's timeout on the matrix itself, graph/read.int.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startStack, type TestStack } from "../test/helpers.js";

const matrix = `query ($ids: [ID!]!, $evidence: Int) {
  departmentMatrix(organisationIds: $ids, evidencePerKind: $evidence) {
    organisations { id }
    links { from { id } organisation { id } strength evidence { kind id } }
  }
}`;

describe("departmentMatrix over every department", () => {
  let stack: TestStack;
  let departments: string[];

  beforeAll(async () => {
    stack = await startStack();
    const { body } = await postGraphQL(
      stack.gateway.url,
      `{ organisations(where: { type: { in: [MINISTERIAL_DEPARTMENT, NON_MINISTERIAL_DEPARTMENT] } }, limit: 200) { id } }`,
    );
    departments = (body.data!["organisations"] as { id: string }[]).map((o) => o.id);
    // On a graph just seeded, the first matrix over every family reads it from disk and can outlast the
    // gateway's 5 s: asked once of the subgraph itself, with no timeout to meet, the tests below see a warm graph.
    await postGraphQL(stack.subgraphs.organisations.running.url, matrix, { ids: departments, evidence: 0 });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("links every department pairwise, well past the 50 it once took", async () => {
    expect(departments.length).toBeGreaterThan(50);
    const { status, body } = await postGraphQL(stack.gateway.url, matrix, { ids: departments, evidence: 5 });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    const { organisations, links } = body.data!["departmentMatrix"];
    expect(organisations).toHaveLength(departments.length);
    expect(links.length).toBeGreaterThan(0);
    expect(links.length).toBeLessThanOrEqual((departments.length * (departments.length - 1)) / 2);
    for (const link of links) expect(departments).toContain(link.organisation.id);
  });

  it("refuses more than 100 organisations at the gateway, named, whether written in the document or passed as a variable", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `organisation-${i}`);
    const asVariable = await postGraphQL(stack.gateway.url, matrix, { ids });
    const asLiteral = await postGraphQL(stack.gateway.url, matrix.replace("$ids: [ID!]!, ", "").replace("$ids", JSON.stringify(ids)), {});
    for (const { status, body } of [asVariable, asLiteral]) {
      expect(status).toBe(400);
      expect(body.errors?.[0]).toMatchObject({
        message: '"organisationIds" of "departmentMatrix" must name 2 to 100 organisations; it was 101.',
        extensions: { code: "BAD_USER_INPUT", argument: "organisationIds" },
      });
    }
  });

  it("refuses the widest answer before anything runs: 100 organisations' 4,950 pairs with 20 examples of each kind", async () => {
    const ids = [...departments, ...Array.from({ length: 100 - departments.length }, (_, i) => `organisation-${i}`)];
    const { status, body } = await postGraphQL(stack.gateway.url, matrix, { ids, evidence: 20 });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^This document may ask for 401,050 list items, more than the 100,000 this API answers/);
  });
});
