import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { assertNeo4jReady, createDriver } from "./neo4j.js";
import { repoRoot } from "../platform/paths.js";
import { subgraphTypeDefs } from "../subgraph-kit/type-defs.js";
import { testNeo4j } from "../test/helpers.js";

async function startUpError(uri: string, password: string): Promise<string> {
  const driver = createDriver({ NEO4J_URI: uri, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: password });
  try {
    await assertNeo4jReady(driver, uri, new Neo4jGraphQL({ typeDefs: subgraphTypeDefs("organisations"), driver }));
    return "ready";
  } catch (error) {
    return (error as Error).message;
  } finally {
    await driver.close();
  }
}

describe("start-up checks against Neo4j", () => {
  it("pass on the test Neo4j, which has APOC core", async () => {
    const { uri, password } = testNeo4j();
    expect(await startUpError(uri, password)).toBe("ready");
  });

  it("name a wrong password", async () => {
    const { uri } = testNeo4j();
    expect(await startUpError(uri, "not-the-password")).toBe(`Neo4j at ${uri} refused the credentials: check NEO4J_USERNAME and NEO4J_PASSWORD.`);
  });

  it("name an unreachable address", async () => {
    expect(await startUpError("bolt://127.0.0.1:1", "whatever-password")).toMatch(
      /^Cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1: is it running, and is NEO4J_URI right\?/,
    );
  });

  it("stop a subgraph process with that plain message and exit code 1, not a stack trace", () => {
    const { uri } = testNeo4j();
    const result = spawnSync(process.execPath, ["--import", "tsx", resolve(repoRoot, "subgraphs/people/index.ts")], {
      env: {
        ...process.env,
        NEO4J_URI: uri,
        NEO4J_PASSWORD: "not-the-password",
        PEOPLE_PORT: "0",
        LOG_LEVEL: "silent",
        SUBGRAPH_SECRET: "a-subgraph-secret-of-at-least-32-characters",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`people subgraph: Neo4j at ${uri} refused the credentials`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("stop a subgraph process on invalid configuration, naming the variable", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", resolve(repoRoot, "subgraphs/people/index.ts")], {
      env: { ...process.env, NEO4J_URI: "http://wrong:7474", PEOPLE_PORT: "not-a-port" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("NEO4J_URI: must be a bolt://, neo4j:// or neo4j+s:// URI");
    expect(result.stderr).toContain("PEOPLE_PORT");
  });
});
