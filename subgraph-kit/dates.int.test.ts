/**
 * Date and DateTime inputs on the subgraphs (platform/dates.ts): a day that does not exist is refused with
 * BAD_USER_INPUT naming the value, in filters, mutations and the analysis fields' `asAt`, whether
 * written in the document or sent as a variable, and nothing is stored.
 */
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startSubgraph, testDriver, testNeo4j, uniqueId } from "../test/helpers.js";
import type { RunningServer } from "./server.js";

describe("dates that do not exist", () => {
  let driver: Driver;
  let organisations: RunningServer;
  let services: RunningServer;
  const id = uniqueId("dates-organisation");

  beforeAll(async () => {
    driver = testDriver();
    ({ running: organisations } = await startSubgraph("organisations", driver));
    ({ running: services } = await startSubgraph("services", driver));
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (o:Organisation {id: $id}) DETACH DELETE o", { id }, { database: testNeo4j().database });
    await organisations?.close();
    await services?.close();
    await driver.close();
  });

  const refused = async (url: string, document: string, variables: Record<string, unknown>, value: string) => {
    const { body } = await postGraphQL(url, document, variables);
    expect(body.errors?.map((e) => e.extensions?.["code"])).toEqual(["BAD_USER_INPUT"]);
    expect(body.errors![0]!.message).toContain(JSON.stringify(value));
  };

  it("refuses them in filters, written in the document or sent as variables", async () => {
    for (const value of ["2024-02-30", "-0001-01-01"]) {
      await refused(organisations.url, `{ organisations(where: { closedAt: { gt: "${value}" } }) { id } }`, {}, value);
      await refused(organisations.url, `query ($d: Date) { organisations(where: { closedAt: { gt: $d } }) { id } }`, { d: value }, value);
    }
    await refused(organisations.url, `{ organisations(where: { importedAt: { gt: "2024-02-30T00:00:00Z" } }) { id } }`, {}, "2024-02-30T00:00:00Z");
  });

  it("refuses them in mutations, and stores nothing", async () => {
    await refused(
      organisations.url,
      `mutation ($input: [OrganisationCreateInput!]!) { createOrganisations(input: $input) { organisations { id closedAt } } }`,
      { input: [{ id, name: "Dates Test", closedAt: "2024-02-30" }] },
      "2024-02-30",
    );
    const { records } = await driver.executeQuery("MATCH (o:Organisation {id: $id}) RETURN o", { id }, { database: testNeo4j().database });
    expect(records).toHaveLength(0);
  });

  it("refuses them as the analysis fields' asAt", async () => {
    await refused(services.url, `query ($asAt: Date) { handoffs(asAt: $asAt) { totalCount } }`, { asAt: "2023-02-29" }, "2023-02-29");
    await refused(services.url, `{ gaps(asAt: "2024-04-31") { totalCount } }`, {}, "2024-04-31");
  });

  it("still takes real days, leap days included", async () => {
    const { body } = await postGraphQL(organisations.url, `{ organisations(where: { closedAt: { gt: "2024-02-29" } }, limit: 1) { id } }`);
    expect(body.errors).toBeUndefined();
    const handoffs = await postGraphQL(services.url, `{ handoffs(asAt: "2024-02-29", first: 1) { totalCount } }`);
    expect(handoffs.body.errors).toBeUndefined();
  });
});
