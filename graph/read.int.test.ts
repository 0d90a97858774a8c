import { Neo4jError } from "neo4j-driver";
import { describe, expect, it } from "vitest";
import { graphReader } from "./read.js";
import { testDriver, testNeo4j } from "../test/helpers.js";

describe("hand-written reads", () => {
  it("are stopped by Neo4j at the timeout they are given, as departmentMatrix is, not left running", async () => {
    await using driver = testDriver();
    const graph = graphReader(driver, testNeo4j().database);
    const started = performance.now();
    const stopped = await graph.rows("CALL apoc.util.sleep(10000) RETURN 1 AS one", {}, { timeoutMs: 300 }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(Neo4jError);
    expect((stopped as Neo4jError).code).toMatch(/^Neo\.ClientError\.Transaction\.TransactionTimedOut/);
    expect(performance.now() - started).toBeLessThan(9000);
    expect(await graph.rows("RETURN 1 AS one", {}, { timeoutMs: 300 })).toEqual([{ one: 1 }]);
  });

  it("are stopped at the reader's own bound when their caller gives none, row by row too", async () => {
    await using driver = testDriver();
    const graph = graphReader(driver, testNeo4j().database, { timeoutMs: 300 });
    const started = performance.now();
    const stopped = await Promise.all([
      graph.rows("CALL apoc.util.sleep(10000) RETURN 1 AS one").catch((error: unknown) => error),
      graph.each("CALL apoc.util.sleep(10000) RETURN 1 AS one", {}, () => undefined).catch((error: unknown) => error),
    ]);
    for (const error of stopped) {
      expect(error).toBeInstanceOf(Neo4jError);
      expect((error as Neo4jError).code).toMatch(/^Neo\.ClientError\.Transaction\.TransactionTimedOut/);
    }
    expect(performance.now() - started).toBeLessThan(9000);
  });
});
