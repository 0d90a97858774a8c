/**
 * npm run export -- --format graphml|gexf|csv|jsonl [--as-at YYYY-MM-DD] [--with-people] [--table nodes|edges] [--out FILE]
 * The graph as a file for Gephi, Cytoscape, networkx or a spreadsheet, read straight from Neo4j by
 * each subgraph's own export queries (the same records as the gateway's GET /export/<format>).
 * Exit codes: 0 written, 2 unusable command or Neo4j.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { withGraph } from "../graph/with-graph.js";
import { exportFile, exportFormatNames, writeExport, type ExportFormatName } from "../export/formats.js";
import type { ExportPart } from "../export/records.js";
import { ExportRequestError, exportScopeOf } from "../export/scope.js";
import { exportRecords, type SubgraphExport } from "../subgraph-kit/export.js";
import { organisationsExport } from "../subgraphs/organisations/export.js";
import { peopleExport } from "../subgraphs/people/export.js";
import { servicesExport } from "../subgraphs/services/export.js";

function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error(`Usage: npm run export -- --format ${exportFormatNames.join("|")} [--as-at YYYY-MM-DD] [--with-people] [--table nodes|edges] [--out FILE]
  --as-at        the graph as on that day (today when left out)
  --with-people  people too, with where they worked, their professions, memberships and stages (never contact details)
  --table        for csv, which table: nodes or edges (a CSV file is one table)
  --out          the file to write (standard output when left out)`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        format: { type: "string" },
        "as-at": { type: "string" },
        "with-people": { type: "boolean", default: false },
        table: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();

if (values.help) usage();
const format = values.format as ExportFormatName | undefined;
if (!format || !exportFormatNames.includes(format)) usage(`--format: give one of ${exportFormatNames.join(", ")}.`);
if (format === "csv" && values.table !== "nodes" && values.table !== "edges") usage("--table: a CSV file is one table; give --table nodes or --table edges.");
if (format !== "csv" && values.table !== undefined) usage("--table is for csv only.");
const scope = (() => {
  try {
    return exportScopeOf(new URLSearchParams({ ...(values["as-at"] ? { asAt: values["as-at"] } : {}), withPeople: String(values["with-people"]) }));
  } catch (error) {
    return usage(error instanceof ExportRequestError ? error.message.replace(/^asAt/, "--as-at") : String(error));
  }
})();

// A reader that stops early (`| head`) ends the export, not with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => process.exit(error.code === "EPIPE" ? 0 : 2));

const exports: readonly SubgraphExport[] = [organisationsExport, servicesExport, peopleExport];
const file = exportFile(format, scope, values.table === "edges" ? "edges" : "nodes");

await withGraph(
  async ({ driver, database }) => {
    const out = values.out ? createWriteStream(values.out) : process.stdout;
    async function* records(part: ExportPart) {
      for (const exported of exports) yield* exportRecords(driver, database, exported, part, scope);
    }
    for await (const chunk of writeExport(file, records)) if (!out.write(chunk)) await once(out, "drain");
    if (out !== process.stdout) {
      out.end();
      await once(out, "finish");
      console.error(`Wrote ${values.out} (${file.contentType.split(";")[0]}), the graph as on ${scope.asAt}${scope.withPeople ? ", with people" : ""}.`);
    }
  },
  { failureExitCode: 2 },
);
