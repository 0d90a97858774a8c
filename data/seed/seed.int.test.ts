import { afterAll, describe, expect, it } from "vitest";
import { seedDemoData } from "./seed.js";
import { testDriver, testNeo4j } from "../../test/helpers.js";

// The services' summaries are left out: the seed's count of them also deletes those of services that
// other tests deleted straight in Neo4j (graph/service-summaries.ts), which is the summaries kept true.
const countQuery = `
  CALL { MATCH (n) WHERE NOT n:ServiceSummary RETURN count(n) AS nodes }
  CALL { MATCH ()-[r]->() RETURN count(r) AS relationships }
  CALL { MATCH (o:Organisation) RETURN collect(o.id + '|' + o.name + '|' + o.status)[..50] AS sample }
  RETURN nodes, relationships, sample`;

describe("demo data", () => {
  const driver = testDriver();
  afterAll(() => driver.close());

  it("seeding again changes nothing: same nodes, relationships and properties", async () => {
    const before = (await driver.executeQuery(countQuery, {}, { database: testNeo4j().database })).records[0]!.toObject();
    await seedDemoData(driver, testNeo4j().database);
    const after = (await driver.executeQuery(countQuery, {}, { database: testNeo4j().database })).records[0]!.toObject();
    expect(after).toEqual(before);
  });

  it("links every announced organisation's closed departments to their successors", async () => {
    const { records } = await driver.executeQuery(
      `
      MATCH (o:Organisation) WHERE o.id IN ['department-for-business-energy-and-industrial-strategy', 'department-for-international-trade']
      MATCH (o)-[:SUPERSEDED_BY]->(s)
      RETURN o.id AS id, o.status AS status, collect(s.id) AS successors`,
      {},
      { database: testNeo4j().database },
    );
    const byId = Object.fromEntries(records.map((r) => [r.get("id"), { status: r.get("status"), successors: (r.get("successors") as string[]).sort() }]));
    expect(byId["department-for-international-trade"]).toEqual({ status: "CLOSED", successors: ["department-for-business-and-trade"] });
    expect(byId["department-for-business-energy-and-industrial-strategy"]?.successors).toContain("department-for-business-and-trade");
  });
});
