import { describe, expect, it } from "vitest";
import { QueryLane } from "./query-lane.js";

/** A read that ends when the test says so. */
function heldRead() {
  let finish!: () => void;
  const done = new Promise<string>((resolve) => (finish = () => resolve("answered")));
  return { work: () => done, finish };
}

describe("a query lane", () => {
  it("runs as many as it may, queues as many as it may in arrival order, and refuses the next at once, naming why", async () => {
    const lane = new QueryLane("departmentMatrix", { running: 1, waiting: 1, maxWaitMs: 10_000 });
    const first = heldRead();
    const second = heldRead();
    const running = lane.run(first.work);
    const queued = lane.run(second.work);
    await expect(lane.run(() => Promise.resolve("never"))).rejects.toMatchObject({
      message: "The subgraph is busy (1 departmentMatrix running and 1 waiting); try again shortly.",
      extensions: { code: "SUBGRAPH_BUSY" },
    });
    first.finish();
    await expect(running).resolves.toBe("answered");
    second.finish();
    await expect(queued).resolves.toBe("answered");
    // Both slots free again.
    await expect(lane.run(() => Promise.resolve("again"))).resolves.toBe("again");
  });

  it("refuses a query that waited its longest, and frees its slot when a read fails", async () => {
    const lane = new QueryLane("departmentMatrix", { running: 1, waiting: 1, maxWaitMs: 20 });
    const first = heldRead();
    const running = lane.run(first.work);
    await expect(lane.run(() => Promise.resolve("late"))).rejects.toMatchObject({ message: expect.stringContaining("no departmentMatrix slot within 20 ms") });
    first.finish();
    await running;
    await expect(lane.run(() => Promise.reject(new Error("Neo4j said no")))).rejects.toThrow("Neo4j said no");
    await expect(lane.run(() => Promise.resolve("after a failure"))).resolves.toBe("after a failure");
  });
});
