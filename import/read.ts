/** Streaming readers: one record at a time with where it stands in its file, never the whole file in memory. */
import { createReadStream } from "node:fs";
import { parse as parseCsv } from "csv-parse";
import chain from "stream-chain";
import { parser } from "stream-json";
import { pick } from "stream-json/filters/pick.js";
import { streamArray } from "stream-json/streamers/stream-array.js";
import { streamValues } from "stream-json/streamers/stream-values.js";

export interface RawRecord {
  value: unknown;
  /** Where the record stands: a JSON path (`$[12]`) or a CSV line (`line 40`). */
  location: string;
}

/** The elements of a JSON array: the whole document, or the array at `arrayPath` (dot-separated keys). */
export async function* readJsonArray(file: string, arrayPath?: string): AsyncGenerator<RawRecord> {
  const pipeline = chain([
    createReadStream(file),
    parser(),
    ...(arrayPath ? [pick({ filter: arrayPath })] : []),
    streamArray(),
  ]);
  for await (const { key, value } of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
    yield { value, location: `$${arrayPath ? `.${arrayPath}` : ""}[${key}]` };
  }
}

/** A JSON document holding one record. */
export async function* readJsonDocument(file: string): AsyncGenerator<RawRecord> {
  const pipeline = chain([createReadStream(file), parser(), streamValues()]);
  for await (const { value } of pipeline as AsyncIterable<{ value: unknown }>) yield { value, location: "$" };
}

/** The rows of a CSV file with a header line, as objects keyed by column name. */
export async function* readCsv(file: string): AsyncGenerator<RawRecord> {
  const rows = createReadStream(file).pipe(
    parseCsv({ columns: true, bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  for await (const { record, info } of rows as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { value: record, location: `line ${info.lines}` };
  }
}
