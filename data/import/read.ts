/**
 * Streaming readers: one record at a time with where it stands in its file, never the whole file in
 * memory. A file that is broken as a whole (not UTF-8, truncated JSON, columns missing) throws an
 * ImportFileError naming the file and the problem.
 */
import { createReadStream } from "node:fs";
import { Transform, type TransformCallback } from "node:stream";
import { basename } from "node:path";
import { parse as parseCsv } from "csv-parse";
import chain from "stream-chain";
import { parser } from "stream-json";
import { streamArray } from "stream-json/streamers/stream-array.js";
import { streamValues } from "stream-json/streamers/stream-values.js";

export interface RawRecord {
  value: unknown;
  /** Where the record stands: a JSON path (`$[12]`) or a CSV line (`line 40`). */
  location: string;
}

export class ImportFileError extends Error {
  override name = "ImportFileError";
  constructor(file: string, problem: string) {
    super(`${basename(file)}: ${problem}; nothing was imported`);
  }
}

/** Decodes UTF-8 strictly: a byte sequence that is not UTF-8 stops the file instead of turning into "�". */
function strictUtf8(file: string): Transform {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        offset += chunk.length;
        callback(null, text);
      } catch {
        callback(
          new ImportFileError(file, `it is not UTF-8 text (an invalid byte within bytes ${offset}–${offset + chunk.length}); convert it to UTF-8 first`),
        );
      }
    },
    flush(callback) {
      try {
        callback(null, decoder.decode());
      } catch {
        callback(new ImportFileError(file, "it ends in the middle of a UTF-8 character"));
      }
    },
  });
}

async function* jsonRecords(
  file: string,
  streamer: ReturnType<typeof streamArray> | ReturnType<typeof streamValues>,
  location: (key: unknown) => string,
): AsyncGenerator<RawRecord> {
  const pipeline = chain([createReadStream(file), strictUtf8(file), parser(), streamer]);
  try {
    for await (const { key, value } of pipeline as AsyncIterable<{ key: unknown; value: unknown }>) yield { value, location: location(key) };
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(file, `it is not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
}

/** The elements of a JSON array that is the whole document. */
export function readJsonArray(file: string): AsyncGenerator<RawRecord> {
  return jsonRecords(file, streamArray(), (key) => `$[${String(key)}]`);
}

/** A JSON document holding one record. */
export function readJsonDocument(file: string): AsyncGenerator<RawRecord> {
  return jsonRecords(file, streamValues(), () => "$");
}

/**
 * The rows of a CSV file with a header line, as objects keyed by column name. `requiredColumns`
 * lists alternatives: the header must hold every column of at least one of them.
 */
export async function* readCsv(file: string, requiredColumns: string[][] = []): AsyncGenerator<RawRecord> {
  const rows = createReadStream(file)
    .pipe(strictUtf8(file))
    .pipe(
      parseCsv({
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        columns: (header: string[]) => {
          const present = new Set(header.map((h) => h.trim()));
          if (requiredColumns.length > 0 && !requiredColumns.some((set) => set.every((c) => present.has(c)))) {
            const closest = requiredColumns.map((set) => set.filter((c) => !present.has(c))).sort((a, b) => a.length - b.length)[0]!;
            throw new ImportFileError(file, `its header lacks the column${closest.length > 1 ? "s" : ""} ${closest.map((c) => `"${c}"`).join(", ")}`);
          }
          return header.map((h) => h.trim());
        },
      }),
    );
  try {
    for await (const { record, info } of rows as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { value: record, location: `line ${info.lines}` };
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof ImportFileError) throw cause;
    throw new ImportFileError(file, `it is not valid CSV (${(error as Error).message.split("\n")[0]})`);
  }
}
