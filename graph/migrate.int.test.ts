import { describe, expect, it } from "vitest";
import { migrate, schemaObjectName, schemaStatements } from "./migrate.js";
import { testDriver, testNeo4j, uniqueId } from "../test/helpers.js";

/** Serial (vitest.config.ts): it drops one of the graph's indexes and stamps, which every other file relies on. */
describe("the migration", () => {
  it("names what each schema statement creates or drops", () => {
    expect(schemaStatements.map(schemaObjectName)).toContain("person_name");
    expect(schemaObjectName("DROP INDEX search_names IF EXISTS")).toBe("search_names");
    expect(() => schemaObjectName("MATCH (n) RETURN n")).toThrow(/names what it creates or drops/);
  });

  it("creates again an index that is missing, and waits until it is online", async () => {
    await using driver = testDriver();
    const { database } = testNeo4j();
    await driver.executeQuery("DROP INDEX person_name IF EXISTS", {}, { database });
    await migrate(driver, database);
    const { records } = await driver.executeQuery("SHOW INDEXES YIELD name, state WHERE name = 'person_name' RETURN state", {}, { database });
    expect(records.map((record) => record.get("state"))).toEqual(["ONLINE"]);
  });

  it("rewrites the data's words to enum names on a graph not stamped, and only then", async () => {
    await using driver = testDriver();
    const { database } = testNeo4j();
    const [unstamped, stamped] = [uniqueId("migrate-words"), uniqueId("migrate-stamped")];
    try {
      await driver.executeQuery("MATCH (m:MigrationState {id: 'data-rewrites'}) DELETE m", {}, { database });
      await driver.executeQuery("CREATE (:Service {id: $id, name: 'A service written before enums', phase: 'Public beta'})", { id: unstamped }, { database });
      await migrate(driver, database);
      const phase = async (id: string) =>
        (await driver.executeQuery("MATCH (s:Service {id: $id}) RETURN s.phase AS phase", { id }, { database })).records[0]?.get("phase");
      expect(await phase(unstamped)).toBe("PUBLIC_BETA");

      // Stamped now: imports write enum names themselves, so the rewrites' full scans are not repeated.
      await driver.executeQuery("CREATE (:Service {id: $id, name: 'Written after the stamp', phase: 'Public beta'})", { id: stamped }, { database });
      await migrate(driver, database);
      expect(await phase(stamped)).toBe("Public beta");
    } finally {
      await driver.executeQuery("MATCH (s:Service) WHERE s.id IN $ids DETACH DELETE s", { ids: [unstamped, stamped] }, { database });
    }
  });
});
