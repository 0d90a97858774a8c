/**
 * The graph's version, as the response cache reads it before every query (gateway/response-cache.ts):
 * the bookmark Neo4j ends a read transaction with, which names the last transaction committed to the
 * database. Every commit changes it, by whatever process, so nothing that writes needs to say so, and
 * every gateway in front of the database reads the same one.
 *
 * A read is shared only by the requests that arrive before it is sent: one sent earlier could end
 * before a write that a later request's client has already seen committed. One read is in flight at a
 * time: the requests that arrive meanwhile share the next, sent when it ends, so under load Neo4j is
 * asked once a round trip rather than once a request, and each request waits two round trips at most.
 */
import neo4j, { type Driver } from "neo4j-driver";
import type { GraphVersion } from "./response-cache.js";

export interface GraphVersionOptions {
  /** A read that takes longer fails: the query is answered without the cache rather than kept waiting. */
  readTimeoutMs?: number;
  /** After a read failed, the next ones fail at once for this long, without asking Neo4j. */
  pauseAfterFailureMs?: number;
}

export function graphVersionOf(driver: Driver, database = "neo4j", options: GraphVersionOptions = {}): GraphVersion {
  const { readTimeoutMs = 500, pauseAfterFailureMs = 1_000 } = options;
  /** The read the requests arriving now will share: not sent yet. */
  let next: Promise<string> | undefined;
  /** The read sent last, while it is in flight. */
  let inFlight: Promise<string> | undefined;
  let failedAt = -Infinity;
  const read = async (): Promise<string> => {
    // The leader's (WRITE): in a cluster a follower may not have applied the latest commits yet.
    const session = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Neo4j did not tell the graph's version within ${readTimeoutMs} ms`)), readTimeoutMs);
      });
      await Promise.race([session.run("RETURN 1"), timedOut]);
      const bookmarks = session.lastBookmarks();
      if (bookmarks.length === 0) throw new Error("Neo4j returned no bookmark");
      return bookmarks.join(",");
    } catch (error) {
      failedAt = performance.now();
      throw error;
    } finally {
      clearTimeout(timer);
      // Not awaited: a session whose Neo4j hangs closes when it answers.
      void session.close().catch(() => undefined);
    }
  };
  return () => {
    if (performance.now() - failedAt < pauseAfterFailureMs) return Promise.reject(new Error("Neo4j's graph version could not be read just now"));
    next ??= Promise.all([inFlight?.catch(() => undefined), new Promise<void>((resolveTurn) => setImmediate(resolveTurn))]).then(() => {
      next = undefined;
      const reading = read();
      inFlight = reading;
      void reading.then(
        () => (inFlight === reading ? (inFlight = undefined) : undefined),
        () => (inFlight === reading ? (inFlight = undefined) : undefined),
      );
      return reading;
    });
    return next;
  };
}
