/** What every import source provides, and the Cypher helpers that write what they parse. */
import type { Driver, ManagedTransaction } from "neo4j-driver";
import type { Parsed } from "./parse.js";
import type { RawRecord } from "./read.js";
import { pruneLinks, toNumber, type LinkShape, type Provenance, type WriteCounts } from "../../graph/writes.js";

export interface LinkResult {
  counts: Partial<WriteCounts>;
  /** Items of the batch whose links could not be made, by index in the batch, with why. */
  rejected: { index: number; reason: string }[];
}

export interface ImportSource<T, Context = undefined> {
  name: string;
  description: string;
  /** Streams the raw records of one file. */
  records(file: string): AsyncIterable<RawRecord>;
  /** Reads what parsing needs from the graph once per run (a name index, say). */
  prepare?(driver: Driver, database: string | undefined): Promise<Context>;
  /** Checks one record and shapes it for writing, or says why it is rejected; `location` is where it stands in its file. */
  parse(raw: unknown, context: Context, location: string): Parsed<T>;
  /** What identifies a record: a second record with the same key in the same run is rejected as a duplicate. */
  keyOf?(item: T): string;
  /** The first pass: creates or updates a batch's nodes. */
  writeNodes(tx: ManagedTransaction, batch: T[], provenance: Provenance): Promise<Partial<WriteCounts>>;
  /** The second pass, once every node of the file exists: a batch's relationships. */
  writeLinks?(tx: ManagedTransaction, batch: T[], provenance: Provenance): Promise<LinkResult>;
  /** Once every file is in (not in a dry run): work over the whole graph, such as rebuilding the history the files add to. */
  finish?(driver: Driver, database: string | undefined, files: Provenance[]): Promise<Partial<WriteCounts>>;
  /** The snapshot date a file name implies, if any. */
  snapshotOf?(file: string): string | null;
}

/** A node's id and the properties this source owns on it. */
export interface NodeRow {
  id: string;
  props: Record<string, unknown>;
}

/**
 * Creates or updates nodes by id and counts what happened to each. Properties and provenance are
 * written only when something changed, so importing the same data twice changes nothing at all.
 * A record's own `snapshot` property, where it has one, wins over the file's.
 */
export async function upsertNodes(tx: ManagedTransaction, label: string, rows: NodeRow[], provenance: Provenance): Promise<Partial<WriteCounts>> {
  const result = await tx.run(
    `UNWIND $rows AS row
     OPTIONAL MATCH (existing:${label} {id: row.id})
     WITH row, existing,
          CASE
            WHEN existing IS NULL THEN 'created'
            WHEN all(key IN keys(row.props) WHERE existing[key] = row.props[key] OR (existing[key] IS NULL AND row.props[key] IS NULL)) THEN 'unchanged'
            ELSE 'updated'
          END AS outcome
     MERGE (node:${label} {id: row.id})
     FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
       SET node.source = $source, node.snapshot = $snapshot, node.importedAt = datetime(), node += row.props)
     RETURN outcome, count(*) AS n`,
    { rows, ...provenance },
  );
  const counts: Partial<WriteCounts> = {};
  for (const record of result.records) counts[record.get("outcome") as "created" | "updated" | "unchanged"] = toNumber(record.get("n"));
  return counts;
}

export function addCounts(total: WriteCounts, more: Partial<WriteCounts>): void {
  for (const key of Object.keys(more) as (keyof WriteCounts)[]) total[key] += more[key] ?? 0;
}

/** Nothing written yet. */
export const noWrites = (): WriteCounts => ({ created: 0, updated: 0, unchanged: 0, relationshipsCreated: 0, relationshipsDeleted: 0 });

/** What the writes of one batch add up to. */
export function sumCounts(...parts: Partial<WriteCounts>[]): WriteCounts {
  const total = noWrites();
  for (const part of parts) addCounts(total, part);
  return total;
}

/** The link writes of one batch as one result: their counts summed, their rejections in the order they were written. */
export function sumLinkResults(...results: LinkResult[]): LinkResult {
  return { counts: sumCounts(...results.map((r) => r.counts)), rejected: results.flatMap((r) => r.rejected) };
}

export interface Link {
  /** The item's index in its batch, to report a link that cannot be made. */
  index: number;
  from: string;
  to: string;
}

/**
 * Creates `(from)-[type]->(to)` links between existing nodes, with provenance on the new ones; a link
 * whose end does not exist is reported, not invented. Types and labels come from our own code, never
 * from input, so they are written into the Cypher.
 */
export async function mergeLinks(tx: ManagedTransaction, shape: LinkShape, links: Link[], provenance: Provenance): Promise<LinkResult> {
  if (links.length === 0) return { counts: {}, rejected: [] };
  const result = await tx.run(
    `UNWIND $links AS link
     OPTIONAL MATCH (a:${shape.from} {id: link.from})
     OPTIONAL MATCH (b:${shape.to} {id: link.to})
     CALL (a, b) {
       WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
       OPTIONAL MATCH (a)-[existing:${shape.type}]->(b)
       MERGE (a)-[r:${shape.type}]->(b)
         ON CREATE SET r.source = $source, r.snapshot = $snapshot, r.importedAt = datetime()
       RETURN existing IS NULL AS created
     UNION
       WITH a, b WHERE a IS NULL OR b IS NULL
       RETURN null AS created
     }
     RETURN link.index AS index, link.from AS from, link.to AS to, a IS NULL AS missingFrom, created`,
    { links, ...provenance },
  );
  const rejected: LinkResult["rejected"] = [];
  let created = 0;
  for (const record of result.records) {
    const outcome = record.get("created") as boolean | null;
    if (outcome === null) {
      const [label, id] = record.get("missingFrom") ? [shape.from, record.get("from") as string] : [shape.to, record.get("to") as string];
      rejected.push({ index: toNumber(record.get("index")), reason: `${shape.type}: ${label} "${id}" does not exist` });
    } else if (outcome) {
      created++;
    }
  }
  return { counts: { relationshipsCreated: created }, rejected };
}

/** A node of a batch and every target it links to now; `index` is its item's place in the batch. */
export interface NodeLinks {
  index: number;
  id: string;
  targets: string[];
}

/**
 * Makes a batch's `shape` links what the source says now: links to targets it no longer lists are
 * pruned, the listed ones merged (see pruneLinks and mergeLinks for `incoming` and `madeBy`). With
 * `incoming`, each node is where its links end and its targets where they start.
 */
export async function replaceLinks(
  tx: ManagedTransaction,
  shape: LinkShape,
  nodes: NodeLinks[],
  provenance: Provenance,
  options: { incoming?: boolean; madeBy?: string } = {},
): Promise<LinkResult> {
  const pruned = await pruneLinks(
    tx,
    shape,
    nodes.map(({ id, targets }) => ({ id, targets })),
    options.incoming,
    options.madeBy,
  );
  const links = nodes.flatMap(({ index, id, targets }) =>
    targets.map((target) => (options.incoming ? { index, from: target, to: id } : { index, from: id, to: target })),
  );
  const merged = await mergeLinks(tx, shape, links, provenance);
  return { counts: sumCounts(pruned, merged.counts), rejected: merged.rejected };
}
