/** A subgraph process takes its operation bounds from the environment (SUBGRAPH_MAX_*, platform/config.ts). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testNeo4j } from "../test/helpers.js";
import { spawnSubgraph, type SubgraphProcess } from "../test/subgraph-process.js";
import { send } from "../bench/abuse/subgraph-attacks.js";

describe("a subgraph process with SUBGRAPH_MAX_RESULT_VALUES set", () => {
  let subgraph: SubgraphProcess;

  beforeAll(async () => {
    subgraph = await spawnSubgraph("organisations", testNeo4j(), { SUBGRAPH_MAX_RESULT_VALUES: "100" });
  });
  afterAll(async () => {
    await subgraph?.stop();
  });

  it("stops a request past it (the default, 150,000, answers it), and answers one within it", async () => {
    const target = { url: subgraph.url, secret: subgraph.secret };
    // 200 organisations' ids are a few hundred values.
    expect((await send(target, `{ organisations(limit: 200) { id } }`)).codes).toEqual(["RESULT_TOO_LARGE"]);
    const small = await send(target, `{ organisations(limit: 5) { id } }`);
    expect(small.codes).toEqual([]);
    expect(small.data?.["organisations"]).toHaveLength(5);
    expect(subgraph.alive()).toBe(true);
  });
});
