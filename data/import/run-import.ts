/**
 * Runs an import: for each file, validates every record, writes nodes then relationships in batched
 * transactions, and reports what was created, updated, unchanged and rejected. Every write merges on
 * ids, so a second run, or a run after one that was killed half-way, ends in the same graph.
 */
import { basename } from "node:path";
import type { Driver, ManagedTransaction } from "neo4j-driver";
import { addCounts, type ImportSource } from "./source.js";
import { type Provenance, type WriteCounts } from "../../graph/writes.js";
import { markBrokerSummariesStale, recountBrokerSummaries } from "../../graph/broker-summaries.js";
import { markServiceSummariesStale, recountServiceSummaries } from "../../graph/service-summaries.js";

export interface Rejection {
  file: string;
  location: string;
  reason: string;
}

export interface ImportSummary extends WriteCounts {
  source: string;
  files: string[];
  dryRun: boolean;
  read: number;
  /** Records that hold no data of ours, such as totals rows. */
  skipped: number;
  rejected: number;
  rejections: Rejection[];
  seconds: number;
}

export interface ImportOptions {
  driver: Driver;
  database?: string | undefined;
  dryRun?: boolean;
  /** Records per transaction. */
  batchSize?: number;
  /** The snapshot date, when the file name does not give it. */
  snapshot?: string;
  /** Run the source's finishing step (true unless set false: a caller importing several runs in a row finishes once, after the last). */
  finish?: boolean;
  /** Called after each batch of nodes with the records written so far and how many there are to write. */
  onProgress?: (written: number, total: number) => void;
}

export async function runImport<T, C>(source: ImportSource<T, C>, files: string[], options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const summary: ImportSummary = {
    source: source.name,
    files,
    dryRun: options.dryRun ?? false,
    read: 0,
    skipped: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    relationshipsCreated: 0,
    relationshipsDeleted: 0,
    rejected: 0,
    rejections: [],
    seconds: 0,
  };
  const batchSize = options.batchSize ?? 1000;
  const context = (await source.prepare?.(options.driver, options.database)) as C;

  // Pass 0 over every file: every record checked, duplicates found, and a file broken as a whole
  // (not UTF-8, truncated, columns missing) refused before anything is written.
  // Pass 1: nodes. Pass 2: relationships, once every node of every file exists (a junior post's
  // senior post may stand in another file).
  const firstLocationOf = new Map<string, string>();
  const provenanceOf = (file: string): Provenance => ({
    source: `${source.name}:${basename(file)}`,
    snapshot: options.snapshot ?? source.snapshotOf?.(file) ?? null,
  });
  const passes = summary.dryRun ? (["check"] as const) : source.writeLinks ? (["check", "nodes", "links"] as const) : (["check", "nodes"] as const);
  for (const pass of passes) {
    for (const file of files) {
      const provenance = provenanceOf(file);
      const reject = (location: string, reason: string) => {
        summary.rejected++;
        summary.rejections.push({ file, location, reason });
      };
      let batch: T[] = [];
      let locations: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const items = batch;
        const where = locations;
        batch = [];
        locations = [];
        if (pass === "nodes") {
          addCounts(summary, await withSession(options, (tx) => source.writeNodes(tx, items, provenance)));
          // The check pass counted the records to write, so progress can be shown against a total.
          options.onProgress?.(summary.created + summary.updated + summary.unchanged, summary.read - summary.skipped - summary.rejected);
        } else if (pass === "links") {
          const result = await withSession(options, (tx) => source.writeLinks!(tx, items, provenance));
          addCounts(summary, result.counts);
          for (const { index, reason } of result.rejected) reject(where[index]!, reason);
        }
      };
      for await (const raw of source.records(file)) {
        const parsed = source.parse(raw.value, context, `${basename(file)} ${raw.location}`);
        const here = `${file}\u0000${raw.location}`;
        if (pass === "check") {
          summary.read++;
          if (!parsed.ok) {
            if (parsed.skip) summary.skipped++;
            else reject(raw.location, parsed.reason);
            continue;
          }
          const key = source.keyOf?.(parsed.item);
          if (key !== undefined) {
            const first = firstLocationOf.get(key);
            if (first === undefined) firstLocationOf.set(key, here);
            else {
              const [firstFile = "", firstLocation = ""] = first.split("\u0000");
              reject(
                raw.location,
                `duplicate: ${key} already stands at ${firstLocation}${firstFile === file ? "" : ` of ${basename(firstFile)}`}; only that one is imported`,
              );
            }
          }
          continue;
        }
        if (!parsed.ok) continue;
        const key = source.keyOf?.(parsed.item);
        if (key !== undefined && firstLocationOf.get(key) !== here) continue;
        batch.push(parsed.item);
        locations.push(raw.location);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    }
  }
  if (!summary.dryRun && source.finish && options.finish !== false)
    addCounts(summary, await source.finish(options.driver, options.database, files.map(provenanceOf)));
  // The services' and the brokers' summaries, marked stale by each batch, counted again from everything written.
  if (!summary.dryRun) {
    await recountServiceSummaries(options.driver, options.database);
    await recountBrokerSummaries(options.driver, options.database);
  }
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
}

/** One batch's transaction; it marks the services' and the brokers' summaries stale, so that none is read until they are counted again at the end. */
async function withSession<R>(options: ImportOptions, work: (tx: ManagedTransaction) => Promise<R>): Promise<R> {
  const session = options.driver.session({ database: options.database, defaultAccessMode: "WRITE" });
  try {
    return await session.executeWrite(async (tx) => {
      const result = await work(tx);
      await markServiceSummariesStale(tx);
      await markBrokerSummariesStale(tx);
      return result;
    });
  } finally {
    await session.close();
  }
}
