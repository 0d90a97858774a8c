/**
 * npm run import -- <source> <file…> [--dry-run] [--json] [--batch-size N] [--snapshot YYYY-MM-DD]
 * Exit codes: 0 all imported, 1 some records rejected (the rest imported), 2 unusable command or Neo4j.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { withGraph } from "../graph/with-graph.js";
import { ImportFileError } from "../data/import/read.js";
import { runImport, type ImportSummary } from "../data/import/run-import.js";
import { importSources } from "../data/import/sources/index.js";

function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error(`Usage: npm run import -- <source> <file…> [--dry-run] [--json] [--batch-size N] [--snapshot YYYY-MM-DD]
Sources:
${Object.values(importSources)
  .map((s) => `  ${s.name.padEnd(22)} ${s.description}`)
  .join("\n")}`);
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        "dry-run": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "batch-size": { type: "string", default: "1000" },
        snapshot: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();

if (values.help) usage();
const [sourceName, ...files] = positionals;
if (!sourceName) usage("Name a source.");
const source = importSources[sourceName];
if (!source) usage(`Unknown source "${sourceName}".`);
if (files.length === 0) usage("Name at least one file.");
for (const file of files) if (!existsSync(file)) usage(`No such file: ${file}`);
const batchSize = Number(values["batch-size"]);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) usage("--batch-size must be a whole number from 1 to 50000.");
if (values.snapshot !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.snapshot)) usage("--snapshot must be a date, YYYY-MM-DD.");

let started = performance.now();
const tty = process.stderr.isTTY && !values.json;
const progress = (written: number, total: number) => {
  if (!tty) return;
  const seconds = (performance.now() - started) / 1000;
  const share = total > 0 ? Math.min(1, written / total) : 1;
  const bar = "█".repeat(Math.round(share * 30)).padEnd(30, "░");
  process.stderr.write(
    `\r${source.name} ${bar} ${Math.round(share * 100)}% ${written.toLocaleString("en-GB")}/${total.toLocaleString("en-GB")} records, ${Math.round(written / Math.max(seconds, 0.001)).toLocaleString("en-GB")} per second `,
  );
};

const summary: ImportSummary | undefined = await withGraph(
  ({ driver, database }) => {
    started = performance.now(); // the rate is the import's own, not Neo4j's start-up
    return runImport(source, files, {
      driver,
      database,
      dryRun: values["dry-run"],
      batchSize,
      ...(values.snapshot ? { snapshot: values.snapshot } : {}),
      onProgress: progress,
    });
  },
  { failureExitCode: 2, plainErrors: [ImportFileError] },
);

if (summary) {
  if (tty) process.stderr.write("\n");
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    // One line per distinct reason, with where it happened: 32 rows of one unmatched name are one problem.
    const byReason = new Map<string, string[]>();
    for (const r of summary.rejections) byReason.set(`${r.file}: ${r.reason}`, [...(byReason.get(`${r.file}: ${r.reason}`) ?? []), r.location]);
    for (const [reason, where] of byReason) {
      console.error(
        `rejected ${where.length === 1 ? where[0] : `${where.length} records (${where.slice(0, 3).join(", ")}${where.length > 3 ? ", …" : ""})`} of ${reason}`,
      );
    }
    console.log(
      `${summary.dryRun ? "dry run, nothing written: " : ""}${summary.source}: ${summary.read} read, ${summary.created} created, ` +
        `${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.skipped} skipped, ${summary.rejected} rejected; ` +
        `relationships ${summary.relationshipsCreated} created, ${summary.relationshipsDeleted} removed; ${summary.seconds} s`,
    );
  }
  if (summary.rejected > 0) process.exitCode = 1;
}
