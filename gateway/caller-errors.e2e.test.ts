/**
 * Errors that name the caller's own input, through the gateway with the real servers: dates only in
 * ISO 8601, refused under the caller's variable name (never the query plan's), and a field the caller
 * may not read null with its own error while the rest of the answer stands.
 */
import { describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite } from "../test/helpers.js";
import { exampleOperations } from "./gateway.js";

describe("errors that name the caller's input", () => {
  const stack = stackForSuite();

  it.each(["1/6/2022", "2022-6-1", "01-06-2022", "2022-02-30", "June 2022"])(
    "refuses the date %s as a variable, naming the caller's variable",
    async (date) => {
      for (const query of [
        'query ($when: Date) { journey(serviceId: "starting-a-business", asAt: $when) { asAt } }',
        "query ($when: Date) { handoffs(asAt: $when) { totalCount } }",
        'query ($when: Date) { journey(serviceId: "starting-a-business") { stages { people { totalCount } } } stagePeople(stageId: "sab-register-company", asAt: $when) { totalCount } }',
      ]) {
        const { status, body } = await postGraphQL(stack.gateway.url, query, { when: date });
        expect(status, query).toBe(400);
        expect(body.data ?? null).toBeNull();
        expect(body.errors).toHaveLength(1);
        expect(body.errors![0]!.message).toMatch(
          new RegExp(`^Variable "\\$when" got invalid value "${date}"; "${date}" is not a valid Date: give a date that exists, as YYYY-MM-DD`),
        );
        expect(body.errors![0]!.message).not.toMatch(/\$_/);
        expect(body.errors![0]!.extensions?.["code"]).toBe("BAD_USER_INPUT");
      }
    },
  );

  it("refuses a date written in the document that is not ISO 8601, naming the value, its argument and where it is", async () => {
    const { status, body } = await postGraphQL(stack.gateway.url, '{ journey(serviceId: "starting-a-business", asAt: "1/6/2022") { asAt } }');
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message:
          'Argument "asAt" of "journey" got invalid value "1/6/2022"; "1/6/2022" is not a valid Date: give a date that exists, as YYYY-MM-DD with a year from 0001 to 9999, for example 2024-02-29.',
        locations: [{ line: 1, column: 51 }],
        extensions: { code: "BAD_USER_INPUT", argument: "asAt" },
      },
    ]);
  });

  it("reads an ISO 8601 date as that day", async () => {
    const { body } = await postGraphQL(stack.gateway.url, 'query ($when: Date) { journey(serviceId: "starting-a-business", asAt: $when) { asAt } }', {
      when: "2022-06-01",
    });
    expect(body).toEqual({ data: { journey: { asAt: "2022-06-01" } } });
  });

  it("runs the IDE's department links anonymously: the public links stand, brokers and path are null with their own errors", async () => {
    const query = exampleOperations().find((o) => o.name === "department-links")!.query;
    const { status, body } = await postGraphQL(stack.gateway.url, query, {}, null);
    expect(status).toBe(200);
    expect(body.data!["organisationLinks"].edges.length).toBeGreaterThan(0);
    expect(body.data!["departmentMatrix"].links.length).toBeGreaterThan(0);
    expect(body.data!["brokers"]).toBeNull();
    expect(body.data!["path"]).toBeNull();
    expect(body.errors?.map((e) => [e.path?.join("."), e.extensions?.["code"]]).sort()).toEqual([
      ["brokers", "UNAUTHENTICATED"],
      ["path", "UNAUTHENTICATED"],
    ]);
  });

  it("refuses an organisation id that names none the same way in every question, naming the argument and the id", async () => {
    const questions: [string, string][] = [
      ['{ brokers(organisationId: "no-such-organisation") { totalCount } }', "organisationId"],
      ['{ organisationLinks(organisationId: "no-such-organisation") { totalCount } }', "organisationId"],
      ['{ departmentMatrix(organisationIds: ["no-such-organisation", "hm-revenue-customs"]) { links { strength } } }', "organisationIds"],
      ['{ countsOverTime(departmentIds: ["no-such-organisation"]) { date } }', "departmentIds"],
      ['{ changes(from: "2022-01-01", departmentId: "no-such-organisation") { totalCount } }', "departmentId"],
      ['{ gaps(departmentId: "no-such-organisation") { totalCount } }', "departmentId"],
    ];
    for (const [query, argument] of questions) {
      const { body } = await postGraphQL(stack.gateway.url, query);
      expect(
        body.errors?.map((e) => [e.message, e.extensions?.["code"]]),
        query,
      ).toEqual([[`"${argument}": no organisation has the id "no-such-organisation".`, "BAD_USER_INPUT"]]);
    }
  });

  it("keeps the rest of an answer when the audit trail is refused to a reader", async () => {
    const { body } = await postGraphQL(
      stack.gateway.url,
      "{ auditTrail(first: 1) { totalCount } services(limit: 1) { id } }",
      {},
      { sub: "r", roles: ["reader"] },
    );
    expect(body.data!["auditTrail"]).toBeNull();
    expect(body.data!["services"]).toHaveLength(1);
    expect(body.errors?.map((e) => e.path?.join("."))).toEqual(["auditTrail"]);
  });
});
