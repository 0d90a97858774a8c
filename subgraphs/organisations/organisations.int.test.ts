import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { postGraphQL, startSubgraph, testDriver, uniqueId } from "../../test/helpers.js";
import type { RunningServer } from "../../subgraph-kit/server.js";
import { createDriver } from "../../graph/neo4j.js";

describe("organisations subgraph", () => {
  let driver: Driver;
  let running: RunningServer;
  const parent = uniqueId("department");
  const child = uniqueId("agency");

  beforeAll(async () => {
    driver = testDriver();
    ({ running } = await startSubgraph("organisations", driver));
    const created = await postGraphQL(
      running.url,
      `
      mutation Create($input: [OrganisationCreateInput!]!) { createOrganisations(input: $input) { organisations { id } } }`,
      {
        input: [
          { id: parent, name: "Test Department", type: "MINISTERIAL_DEPARTMENT", status: "LIVE" },
          { id: child, name: "Test Agency", type: "EXECUTIVE_AGENCY", status: "LIVE", parents: { connect: [{ where: { node: { id: { eq: parent } } } }] } },
        ],
      },
    );
    expect(created.body.errors).toBeUndefined();
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (o:Organisation) WHERE o.id IN $ids DETACH DELETE o", { ids: [parent, child] });
    await running.close();
    await driver.close();
  });

  it("answers GET /healthcheck", async () => {
    const response = await fetch(running.url.replace("/graphql", "/healthcheck"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", subgraph: "organisations" });
  });

  it("answers GET /readiness: ready while Neo4j answers, 503 at once when it does not", async () => {
    const ready = await fetch(running.url.replace("/graphql", "/readiness"));
    expect(ready.status).toBe(200);
    await using unreachable = createDriver({ NEO4J_URI: "bolt://127.0.0.1:1", NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: "whatever-password" });
    await using orphan = await startSubgraph("organisations", unreachable);
    const response = await fetch(orphan.running.url.replace("/graphql", "/readiness"));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "unavailable", subgraph: "organisations", reason: "the graph database does not answer" });
  });

  it("resolves Organisation entities by id through _entities, with their parents and department", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Organisation { id name parents { id } department { id } }
        }
      }`,
      {
        representations: [
          { __typename: "Organisation", id: child },
          { __typename: "Organisation", id: parent },
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["_entities"]).toEqual([
      { id: child, name: "Test Agency", parents: [{ id: parent }], department: { id: parent } },
      { id: parent, name: "Test Department", parents: [], department: { id: parent } },
    ]);
  });

  it("gives null for an entity that does not exist", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Organisation { id } } }`,
      { representations: [{ __typename: "Organisation", id: uniqueId("missing") }] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["_entities"]).toEqual([null]);
  });

  it("holds the GOV.UK organisations of the demo data, with parents and successors", async () => {
    const { body } = await postGraphQL(
      running.url,
      `{
      companiesHouse: organisations(where: { id: { eq: "companies-house" } }) { parents { id } }
      beis: organisations(where: { id: { eq: "department-for-business-energy-and-industrial-strategy" } }) {
        status closedStatus successors(sort: [{ id: ASC }]) { id }
      }
      organisationsConnection { totalCount }
    }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["companiesHouse"]).toEqual([{ parents: [{ id: "department-for-business-and-trade" }] }]);
    expect(body.data?.["beis"]).toEqual([
      {
        status: "CLOSED",
        closedStatus: "SPLIT",
        successors: [
          { id: "department-for-business-and-trade" },
          { id: "department-for-energy-security-and-net-zero" },
          { id: "department-for-science-innovation-and-technology" },
        ],
      },
    ]);
    expect(body.data?.["organisationsConnection"].totalCount).toBeGreaterThanOrEqual(1256);
  });

  it("opens no organisation after it closed: GOV.UK first lists some only once they had closed", async () => {
    // First listed on 2026-07-20: the AI Safety Institute, closed on 2025-02-14 renamed as the AI Security
    // Institute; the Incubator for Artificial Intelligence, renamed from the Incubator for Automation and
    // Innovation on 2023-11-20 and merged into GDS on 2025-01-21; MHCLG (2018 to 2021), closed on 2021-09-20.
    const { body } = await postGraphQL(
      running.url,
      `{
      organisations(where: { id: { in: ["ai-safety-institute", "ai-security-institute", "incubator-for-artificial-intelligence", "ministry-of-housing-communities-and-local-government-2018-2021"] } }, sort: [{ id: ASC }]) {
        id since sinceEarliest sinceLatest sinceApproximate closedOn
      }
      aiSecurityInstitute: organisations(where: { id: { eq: "ai-security-institute" } }) { in2024: statusAt(asAt: "2024-06-01") in2025: statusAt(asAt: "2025-06-01") }
      dsit: organisations(where: { id: { eq: "department-for-science-innovation-and-technology" } }) {
        in2024: childrenAt(asAt: "2024-06-01") { id }
        in2025: childrenAt(asAt: "2025-06-01") { id }
      }
    }`,
    );
    expect(body.errors).toBeUndefined();
    const opened = (since: string | null, earliest: string | null, latest: string, approximate: boolean) => ({
      since,
      sinceEarliest: earliest,
      sinceLatest: latest,
      sinceApproximate: approximate,
    });
    expect(body.data?.["organisations"]).toEqual([
      // Known only to have opened after 2023-01-01 (not listed then) and by its closing; `since` is the later bound.
      { id: "ai-safety-institute", ...opened("2025-02-14", "2023-01-01", "2025-02-14", true), closedOn: "2025-02-14" },
      { id: "ai-security-institute", ...opened("2025-02-14", "2025-02-14", "2025-02-14", false), closedOn: null },
      { id: "incubator-for-artificial-intelligence", ...opened("2023-11-20", "2023-11-20", "2023-11-20", false), closedOn: "2025-01-21" },
      // Closed before the first snapshot, which did not list it: nothing bounds its opening but its closing.
      { id: "ministry-of-housing-communities-and-local-government-2018-2021", ...opened(null, null, "2021-09-20", true), closedOn: "2021-09-20" },
    ]);
    expect(body.data?.["aiSecurityInstitute"]).toEqual([{ in2024: null, in2025: "EXEMPT" }]);
    const ids = (list: { id: string }[]) => list.map((o) => o.id);
    expect(ids(body.data?.["dsit"][0].in2024)).toContain("incubator-for-artificial-intelligence");
    expect(ids(body.data?.["dsit"][0].in2025)).toContain("ai-security-institute");
  });

  it("bounds every list: 100 by default, 1000 at most, and refuses more by name", async () => {
    const { body } = await postGraphQL(running.url, "{ unasked: organisations { id } most: organisations(limit: 1000) { id } }");
    expect(body.errors).toBeUndefined();
    expect(body.data?.["unasked"]).toHaveLength(100);
    expect(body.data?.["most"]).toHaveLength(1000);
    const greedy = await postGraphQL(running.url, "{ organisations(limit: 5000) { id } }");
    expect(greedy.body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(greedy.body.errors?.[0]?.message).toMatch(/limit/);
  });

  it("refuses a second organisation with an existing id, keeping the first", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      mutation { createOrganisations(input: [{ id: "${parent}", name: "Impostor" }]) { organisations { id } } }`,
    );
    expect(body.errors?.[0]?.message).toBe("An id given is already taken by another node of that type; nothing was changed.");
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("CONFLICT");
    const { records } = await driver.executeQuery("MATCH (o:Organisation {id: $id}) RETURN o.name AS name", { id: parent });
    expect(records.map((r) => r.get("name"))).toEqual(["Test Department"]);
  });
});
