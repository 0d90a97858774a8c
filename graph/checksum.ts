/** A fingerprint of the whole graph, to show that something (an attack, a refused change) left it as it was. */
import { createHash } from "node:crypto";
import type { Driver } from "neo4j-driver";

/** A property value written out the same way whatever object the driver built for it (Integer, Date, a point, a list). */
function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value === null || typeof value !== "object") return value;
  const name = value.constructor?.name;
  // The driver's Integer, temporal and spatial values each write themselves out with toString.
  if (name && name !== "Object") return `${name}:${(value as { toString(): string }).toString()}`;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonicalValue(v)]),
  );
}

/**
 * A sha256 fingerprint of everything in the graph, independent of the order Neo4j returns it in and
 * of internal ids: each node's labels and properties, each relationship's two end nodes (by their
 * labels and properties), type and properties, every line sorted. Equal before and after an attack
 * means the attack wrote nothing, deleted nothing and changed nothing.
 */
export async function graphChecksum(driver: Driver, database?: string): Promise<string> {
  const options = database ? { database } : {};
  const nodes = await driver.executeQuery("MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props", {}, options);
  const nodeLine = new Map<string, string>();
  for (const record of nodes.records) {
    nodeLine.set(record.get("id") as string, JSON.stringify([[...(record.get("labels") as string[])].sort(), canonicalValue(record.get("props"))]));
  }
  const relationships = await driver.executeQuery(
    "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b",
    {},
    options,
  );
  const relationshipLines = relationships.records.map((record) =>
    JSON.stringify([nodeLine.get(record.get("a") as string), record.get("type"), canonicalValue(record.get("props")), nodeLine.get(record.get("b") as string)]),
  );
  const hash = createHash("sha256");
  for (const line of [...nodeLine.values()].sort()) hash.update(`node ${line}\n`);
  for (const line of relationshipLines.sort()) hash.update(`relationship ${line}\n`);
  return hash.digest("hex");
}
