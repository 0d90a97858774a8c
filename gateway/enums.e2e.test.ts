/**
 * Known value sets are enums, through the gateway with the real servers: organisations filtered by
 * status and type, services by phase, every value served as its enum name, and a value outside the
 * set refused as the caller's own input (docs/adr/0011).
 */
import { describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite } from "../test/helpers.js";

const beis = "department-for-business-energy-and-industrial-strategy";
const dbt = "department-for-business-and-trade";

describe("known value sets as enums", () => {
  const stack = stackForSuite();
  const ask = async (query: string, variables: Record<string, unknown> = {}) => {
    const { body } = await postGraphQL(stack.gateway.url, query, variables);
    expect(body.errors).toBeUndefined();
    return body.data as Record<string, any>;
  };

  it("filters organisations by status and type, and serves them as enum names", async () => {
    const ids = [beis, dbt, "companies-house"];
    const data = await ask(
      `query ($ids: [ID!]) {
        closed: organisations(where: { id: { in: $ids }, status: { eq: CLOSED } }) { id status closedStatus type }
        open: organisations(where: { id: { in: $ids }, status: { in: [LIVE, EXEMPT] } }, sort: [{ id: ASC }]) { id status }
        agencies: organisations(where: { id: { in: $ids }, NOT: { type: { in: [MINISTERIAL_DEPARTMENT, OTHER] } } }) { id type }
      }`,
      { ids },
    );
    expect(data["closed"]).toEqual([{ id: beis, status: "CLOSED", closedStatus: "SPLIT", type: "MINISTERIAL_DEPARTMENT" }]);
    expect(data["open"]).toEqual([
      { id: "companies-house", status: "LIVE" },
      { id: dbt, status: "LIVE" },
    ]);
    expect(data["agencies"]).toEqual([{ id: "companies-house", type: "EXECUTIVE_AGENCY" }]);
  });

  it("takes an enum as a variable, and gives the status and version as at a date as enum names", async () => {
    const data = await ask(
      `query ($status: OrganisationStatus!) {
        organisations(where: { id: { eq: "${beis}" }, status: { eq: $status } }) { statusAt(asAt: "2022-06-01") stateAt(asAt: "2022-06-01") { type status } }
      }`,
      { status: "CLOSED" },
    );
    expect(data["organisations"]).toEqual([{ statusAt: "LIVE", stateAt: { type: "MINISTERIAL_DEPARTMENT", status: "LIVE" } }]);
  });

  it("filters services by phase, and counts them by phase under the enum names", async () => {
    const data = await ask(`{
      services(where: { phase: { eq: BETA } }, limit: 1000) { phase }
      serviceCounts(by: PHASE) { edges { node { key serviceCount } } }
    }`);
    const counts = Object.fromEntries(data["serviceCounts"].edges.map((e: any) => [e.node.key, e.node.serviceCount]));
    expect(data["services"].length).toBe(counts["BETA"]);
    expect(new Set(data["services"].map((s: any) => s.phase))).toEqual(new Set(["BETA"]));
    expect(
      Object.keys(counts).every((key) => key === "none" || ["BACKLOG", "DISCOVERY", "ALPHA", "BETA", "LIVE", "RETIRED", "EXPERIMENTAL"].includes(key)),
    ).toBe(true);
  });

  it("refuses a value outside the set given as a variable with BAD_USER_INPUT, naming the variable", async () => {
    for (const [query, variables, named] of [
      ["query ($status: OrganisationStatus) { organisations(where: { status: { eq: $status } }) { id } }", { status: "live" }, "$status"],
      [
        'mutation ($phase: ServicePhase) { updateServices(where: { id: { eq: "starting-a-business" } }, update: { phase: { set: $phase } }) { services { id } } }',
        { phase: "gamma" },
        "$phase",
      ],
    ] as const) {
      const { status, body } = await postGraphQL(stack.gateway.url, query, variables);
      expect(status, query).toBe(400);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.map((e) => [e.extensions?.["code"], e.message])).toEqual([
        ["BAD_USER_INPUT", expect.stringContaining(`Variable "${named}" got invalid value "${Object.values(variables)[0]}"`)],
      ]);
    }
  });

  it.each([
    [
      "a string for an enum, inside a filter",
      '{ organisations(where: { status: { eq: "live" } }) { id } }',
      'Argument "where" of "organisations" got invalid value "live" at "where.status.eq"; Enum "OrganisationStatus" cannot represent non-enum value: "live".',
    ],
    [
      "a name outside the set, in a list inside a filter",
      "{ organisations(where: { type: { in: [MINISTERIAL_DEPARTMENT, AGENCY] } }) { id } }",
      'Argument "where" of "organisations" got invalid value AGENCY at "where.type.in[1]"; Value "AGENCY" does not exist in "OrganisationType" enum.',
    ],
    [
      "a misspelt name in a list argument, nested under an alias",
      '{ map: journey(serviceId: "starting-a-business", lanes: [FRONTSTAG]) { asAt } }',
      'Argument "lanes" of "journey" got invalid value FRONTSTAG at "lanes[0]"; Value "FRONTSTAG" does not exist in "Lane" enum.',
    ],
    [
      "a name outside the set as the whole argument",
      "{ serviceCounts(by: COLOUR) { totalCount } }",
      'Argument "by" of "serviceCounts" got invalid value COLOUR; Value "COLOUR" does not exist in "ServiceGrouping" enum.',
    ],
  ])("refuses %s written in the document as a variable is refused: BAD_USER_INPUT naming the argument and the path", async (_case, query, message) => {
    const { status, body } = await postGraphQL(stack.gateway.url, query);
    expect(status).toBe(400);
    expect(body.data ?? null).toBeNull();
    const argument = message.slice('Argument "'.length, message.indexOf('"', 'Argument "'.length));
    expect(body.errors?.map((e) => [e.extensions?.["code"], e.extensions?.["argument"], e.message])).toEqual([["BAD_USER_INPUT", argument, message]]);
  });

  it("refuses the same value the same way, with the same code, written in the document or given as a variable", async () => {
    const literal = await postGraphQL(stack.gateway.url, '{ organisations(where: { status: { eq: "live" } }) { id } }');
    const variable = await postGraphQL(stack.gateway.url, "query ($s: OrganisationStatus) { organisations(where: { status: { eq: $s } }) { id } }", {
      s: "live",
    });
    expect(literal.status).toBe(variable.status);
    expect(literal.body.errors?.map((e) => e.extensions?.["code"])).toEqual(variable.body.errors?.map((e) => e.extensions?.["code"]));
  });

  it("leaves GraphQL's own errors for what is not a value: an input field the filter does not have", async () => {
    const { status, body } = await postGraphQL(stack.gateway.url, '{ organisations(where: { colour: { eq: "red" } }) { id } }');
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.["code"])).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });
});
