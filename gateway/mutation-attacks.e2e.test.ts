/**
 * Issue 11's attacks on changes and their audit trail (items 6 and 7), through the real gateway over
 * HTTP: bench/abuse/mutation-attacks.ts runs them, these check what they observed and the graph.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { startStack, testAdmin, testDriver, tokenFor, uniqueId, type TestCaller, type TestStack } from "../test/helpers.js";
import { auditEventsOf, deleteAudit, forgedRequestId, partialCommit, type MutationAttackTokens } from "../bench/abuse/mutation-attacks.js";
import { oneMutationFieldMessage } from "./mutations.js";

const companiesHouseEditor: TestCaller = { sub: "test-editor", roles: ["editor"], organisations: ["companies-house"] };

describe("changes and their audit trail under attack", () => {
  let stack: TestStack;
  let driver: Driver;
  let tokens: MutationAttackTokens;

  /** A person's properties and relationships, as one string: equal before and after means untouched. */
  const checksumOf = async (id: string) => {
    const { records } = await driver.executeQuery(
      "MATCH (p:Person {id: $id}) OPTIONAL MATCH (p)-[r]-(m) WITH p, r, m ORDER BY elementId(r) RETURN p { .* } AS p, collect([type(r), elementId(m), properties(r)]) AS rs",
      { id },
    );
    return JSON.stringify(records.map((r) => r.toObject()));
  };
  const count = async (cypher: string, parameters: Record<string, unknown>) =>
    (await driver.executeQuery(cypher, parameters)).records[0]!.get("n").toNumber() as number;

  beforeAll(async () => {
    stack = await startStack();
    driver = testDriver();
    tokens = { editor: await tokenFor(companiesHouseEditor), admin: await tokenFor(testAdmin) };
  });

  afterAll(async () => {
    await driver.close();
    await stack.close();
  });

  it("6. stores nothing of a request whose second change is refused, and records nothing", async () => {
    const before = await checksumOf("demo-person-05");
    const observed = await partialCommit(stack.gateway.url, tokens);
    expect(observed.data ?? null).toBeNull();
    expect(observed.messages).toEqual([oneMutationFieldMessage]);
    expect(observed).toMatchObject({ created: false, auditEvents: 0, otherPersonChanged: false });
    expect(await count("MATCH (n) WHERE n.id = $id RETURN count(n) AS n", { id: observed.probe })).toBe(0);
    expect(await count("MATCH (e:AuditEvent) WHERE e.entityId = $id RETURN count(e) AS n", { id: observed.probe })).toBe(0);
    expect(await checksumOf("demo-person-05")).toBe(before);
  });

  it("6. takes one change per request, each stored with its event under the gateway's id for the request", async () => {
    const [first, second] = [uniqueId("person"), uniqueId("person")];
    const create = (alias: string, id: string) =>
      `${alias}: createPeople(input: [{ id: "${id}", name: "All Or Nothing", organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { people { id } }`;
    const send = async (query: string) => {
      const response = await fetch(stack.gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${tokens.editor}` },
        body: JSON.stringify({ query }),
      });
      return { requestId: response.headers.get("x-request-id"), body: (await response.json()) as { data?: unknown; errors?: { message: string }[] } };
    };
    // Both allowed, and still refused together: the gateway could not store them all or nothing.
    const together = await send(`mutation { ${create("a", first)} ... on Mutation { ${create("b", second)} } }`);
    expect(together.body.errors?.map((e) => e.message)).toEqual([oneMutationFieldMessage]);
    expect(await count("MATCH (p:Person) WHERE p.id IN $ids RETURN count(p) AS n", { ids: [first, second] })).toBe(0);

    const one = await send(`mutation { ${create("a", first)} }`);
    const other = await send(`mutation { __typename ${create("b", second)} }`);
    expect([one.body, other.body]).toEqual([
      { data: { a: { people: [{ id: first }] } } },
      { data: { __typename: "Mutation", b: { people: [{ id: second }] } } },
    ]);
    const [firstEvent] = await auditEventsOf(stack.gateway.url, tokens.admin, first);
    const [secondEvent] = await auditEventsOf(stack.gateway.url, tokens.admin, second);
    expect([firstEvent?.requestId, secondEvent?.requestId]).toEqual([one.requestId, other.requestId]);
    await driver.executeQuery("MATCH (p:Person) WHERE p.id IN $ids DETACH DELETE p", { ids: [first, second] });
  });

  it("7. records every relationship a deleted organisation loses, this subgraph's and the others'", async () => {
    const observed = await deleteAudit(stack.gateway.url, tokens);
    expect(observed.relationshipsDeleted).toBe(4);
    expect(observed.recorded).toEqual(observed.expected);
  });

  it("7. keeps the gateway's own request id on the event, and a forged one only as the client's", async () => {
    const observed = await forgedRequestId(stack.gateway.url, tokens);
    expect(observed.adminRequestId).toEqual(expect.any(String));
    expect(observed.groupedWithAdmin).toBe(false);
    expect(observed.editorEventRequestId).not.toBe(observed.forged);
    expect(observed.editorEventRequestId).toBe(observed.editorAnswerRequestId);
    expect(observed.editorEventClientRequestId).toBe(observed.forged);
  });
});
