/**
 * What every writer of the graph shares, the importers and the mutations that re-derive facts alike:
 * provenance on what it writes, the counts it reports, and the removal of links a source no longer gives.
 */
import type { ManagedTransaction } from "neo4j-driver";

/** Where a fact came from: written on every node and relationship an import creates or changes. */
export interface Provenance {
  /** `<source>:<file name>`, for example `govuk-organisations:2026-07-20.json`. */
  source: string;
  /** The date the data describes, from the file name or `--snapshot`; null when unknown. */
  snapshot: string | null;
}

export interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
  relationshipsCreated: number;
  relationshipsDeleted: number;
}

/** What runs a query in a transaction: an import's managed one, or a mutation's (subgraph-kit/mutations/audit.ts). */
export type QueryRunner = Pick<ManagedTransaction, "run">;

/** Cypher integers arrive as neo4j Integers, parameters we sent as numbers come back as numbers. */
export const toNumber = (value: unknown): number => (typeof value === "number" ? value : (value as { toNumber(): number }).toNumber());

export interface LinkShape {
  from: string;
  type: string;
  to: string;
}

/**
 * Deletes the `type` links of the given nodes to targets the source no longer lists: a later
 * snapshot replaces what an earlier one said, and nothing any other source wrote is touched.
 * `incoming` prunes links that point at the given nodes instead, such as (Organisation)-[:OWNS]->(Service).
 * `madeBy` (a source's name) limits the pruning to the links that source made, where several sources
 * write links of one type to one node (the owners of a service in the services list and a portfolio).
 */
export async function pruneLinks(
  tx: QueryRunner,
  shape: LinkShape,
  current: { id: string; targets: string[] }[],
  incoming = false,
  madeBy?: string,
): Promise<Partial<WriteCounts>> {
  const pattern = incoming
    ? `(a:${shape.to} {id: row.id})<-[r:${shape.type}]-(b:${shape.from})`
    : `(a:${shape.from} {id: row.id})-[r:${shape.type}]->(b:${shape.to})`;
  const result = await tx.run(
    `UNWIND $current AS row
     MATCH ${pattern}
     WHERE NOT b.id IN row.targets AND ($madeBy IS NULL OR r.source STARTS WITH $madeBy)
     DELETE r
     RETURN count(r) AS deleted`,
    { current, madeBy: madeBy === undefined ? null : `${madeBy}:` },
  );
  return { relationshipsDeleted: toNumber(result.records[0]?.get("deleted") ?? 0) };
}
