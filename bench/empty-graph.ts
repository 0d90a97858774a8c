/** Empties a benchmark's own Neo4j between runs. */
import type { Driver } from "neo4j-driver";
import { migrate } from "../graph/migrate.js";

/**
 * Deletes everything, then makes the constraints and indexes again. In batches of its own (auto-commit
 * queries), relationships first, so that a large graph needs no huge transaction: a node with 60,000
 * relationships would not fit one transaction's memory.
 */
export async function emptyGraph(driver: Driver): Promise<void> {
  const session = driver.session();
  try {
    await session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS");
    await session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS");
  } finally {
    await session.close();
  }
  const { records } = await driver.executeQuery("MATCH (n) RETURN count(n) AS left");
  if (Number(records[0]?.get("left")) !== 0) throw new Error("the benchmark's graph could not be emptied");
  await migrate(driver);
}
