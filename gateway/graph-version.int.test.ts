/**
 * The graph's version over the test Neo4j: a write committed before a version is asked for is in the
 * version told, even when a read sent before the write is still in flight; and the requests that
 * arrive while one read is in flight share the next one.
 */
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDriver, uniqueId } from "../test/helpers.js";
import { graphVersionOf } from "./graph-version.js";

let driver: Driver;
beforeAll(() => {
  driver = testDriver();
});
afterAll(async () => {
  await driver.close();
});

/** Commits a write and gives the bookmark it ended with. */
async function write(id: string): Promise<string> {
  const session = driver.session();
  try {
    await session.executeWrite((tx) => tx.run("MERGE (n:GraphVersionTest {id: $id}) SET n.at = timestamp()", { id }));
    return session.lastBookmarks().join(",");
  } finally {
    await session.close();
  }
}

describe("the graph's version", () => {
  it("tells a write committed before it is asked for, though a read sent earlier is in flight", async () => {
    const version = graphVersionOf(driver);
    const id = uniqueId("version");
    try {
      for (let i = 0; i < 5; i++) {
        const earlier = version();
        // The earlier read is sent on the next turn: the write commits while it is in flight or after.
        await new Promise((resolveTurn) => setImmediate(resolveTurn));
        const written = await write(id);
        expect(await version()).toBe(written);
        await earlier;
      }
    } finally {
      await driver.executeQuery("MATCH (n:GraphVersionTest {id: $id}) DELETE n", { id });
    }
  });

  it("shares the next read among the requests arriving while one is in flight", async () => {
    let sessions = 0;
    const counting = new Proxy(driver, {
      get(target, property, receiver) {
        if (property === "session") return (...args: Parameters<Driver["session"]>) => (sessions++, target.session(...args));
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const version = graphVersionOf(counting);
    const asked: Promise<string>[] = [version()];
    // Twenty requests on twenty turns, all while the first read is in flight or just after.
    for (let i = 0; i < 20; i++) {
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
      asked.push(version());
    }
    await Promise.all(asked);
    expect(sessions).toBeLessThan(asked.length);
  });
});
