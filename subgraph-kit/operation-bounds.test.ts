import { describe, expect, it } from "vitest";
import { parseConfig } from "../platform/config.js";
import { defaultOperationBounds, operationBoundsFromConfig } from "./operation-bounds.js";

describe("operation bounds from the environment", () => {
  it("are the measured defaults when nothing is set", () => {
    expect(operationBoundsFromConfig(parseConfig({}))).toEqual(defaultOperationBounds);
  });

  it("take SUBGRAPH_MAX_RESULT_VALUES, _HELD_VALUES, _CONCURRENT_QUERIES and _QUEUED_QUERIES", () => {
    const config = parseConfig({
      SUBGRAPH_MAX_RESULT_VALUES: "20000",
      SUBGRAPH_MAX_HELD_VALUES: "60000",
      SUBGRAPH_MAX_CONCURRENT_QUERIES: "4",
      SUBGRAPH_MAX_QUEUED_QUERIES: "0",
    });
    expect(operationBoundsFromConfig(config)).toEqual({
      ...defaultOperationBounds,
      maxValuesPerRequest: 20_000,
      maxValuesInFlight: 60_000,
      maxConcurrentQueries: 4,
      maxQueuedQueries: 0,
    });
  });

  it("refuses values a bound cannot be", () => {
    expect(() => parseConfig({ SUBGRAPH_MAX_RESULT_VALUES: "0", SUBGRAPH_MAX_CONCURRENT_QUERIES: "two", SUBGRAPH_MAX_QUEUED_QUERIES: "-1" })).toThrowError(
      /SUBGRAPH_MAX_RESULT_VALUES[\s\S]*SUBGRAPH_MAX_CONCURRENT_QUERIES[\s\S]*SUBGRAPH_MAX_QUEUED_QUERIES/,
    );
  });
});
