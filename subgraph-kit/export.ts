/**
 * A subgraph's part of the graph export (export/): the nodes and edges it owns, read by its own
 * Cypher queries as on a date, served to the gateway as JSON lines on GET /export, one part (nodes or
 * edges) a request. People are read only when asked for, and only for a reader: the subgraph decides,
 * as it does for its fields. The gateway's /export/<format> and `npm run export` write the files.
 */
import type express from "express";
import neo4j, { type Driver } from "neo4j-driver";
import type { Logger } from "pino";
import type { Viewer } from "../platform/caller.js";
import { ExportRequestError, exportScopeOf, refuseUnknownParameters, refuseUnlessMayExport } from "../export/scope.js";
import type { AttributeValue, ExportEdge, ExportNode, ExportPart, ExportScope } from "../export/records.js";

/**
 * One query of an export. It takes `$asAt` (a Date) and returns, for nodes, `kind`, `id` and any of
 * export/records.ts's node attributes; for edges, `sourceKind`, `source`, `targetKind`, `target` and
 * edge attributes. Null columns are left out of the record.
 */
export interface ExportQuery {
  cypher: string;
  /** It reads people: run only when people are asked for. */
  personal?: boolean;
}

/** What a subgraph exports: the nodes of its labels and the edges of its relationship types. */
export type SubgraphExport = Record<ExportPart, readonly ExportQuery[]>;

const nodeId = (kind: unknown, id: unknown) => `${String(kind)}:${String(id)}`;

function attributesOf(row: Record<string, unknown>, skip: readonly string[]): Partial<Record<string, AttributeValue>> {
  const attributes: Partial<Record<string, AttributeValue>> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value === null || value === undefined || skip.includes(name)) continue;
    attributes[name] = neo4j.isInt(value) ? value.toNumber() : typeof value === "number" || typeof value === "string" ? value : JSON.stringify(value);
  }
  return attributes;
}

/**
 * The records of one part, read in one transaction and handed on as they arrive: the driver fetches
 * the next batch only as the caller takes them, so a slow reader holds the query, not its rows.
 */
export async function* exportRecords(
  driver: Driver,
  database: string | undefined,
  exported: SubgraphExport,
  part: ExportPart,
  scope: ExportScope,
): AsyncGenerator<ExportNode | ExportEdge> {
  const session = driver.session({ database, defaultAccessMode: neo4j.session.READ, fetchSize: 1000 });
  const tx = await session.beginTransaction();
  try {
    const [year, month, day] = scope.asAt.split("-").map(Number) as [number, number, number];
    const asAt = new neo4j.types.Date(year, month, day);
    for (const query of exported[part]) {
      if (query.personal && !scope.withPeople) continue;
      for await (const record of tx.run(query.cypher, { asAt })) {
        const row = record.toObject() as Record<string, unknown>;
        yield part === "nodes"
          ? ({ id: nodeId(row["kind"], row["id"]), attributes: { kind: String(row["kind"]), ...attributesOf(row, ["kind", "id"]) } } satisfies ExportNode)
          : ({
              source: nodeId(row["sourceKind"], row["source"]),
              target: nodeId(row["targetKind"], row["target"]),
              attributes: attributesOf(row, ["sourceKind", "source", "targetKind", "target"]),
            } satisfies ExportEdge);
      }
    }
    await tx.commit();
  } finally {
    if (tx.isOpen()) await tx.rollback();
    await session.close();
  }
}

export interface ExportRouteOptions {
  driver: Driver;
  database: string | undefined;
  exported: SubgraphExport;
  logger: Logger;
  /** How many exports this process reads at once; one more is refused with 503 (each holds a transaction for the whole graph). */
  maxConcurrent?: number;
}

/** GET /export?part=nodes|edges&asAt=…&withPeople=…, after the gateway's token is checked (res.locals.viewer). */
export function exportRoute(options: ExportRouteOptions): express.RequestHandler {
  const maxConcurrent = options.maxConcurrent ?? 2;
  let running = 0;
  return async (req, res) => {
    let scope: ExportScope;
    let part: ExportPart;
    try {
      const query = new URLSearchParams(req.url.split("?")[1] ?? "");
      refuseUnknownParameters(query, ["part", "asAt", "withPeople"]);
      const given = query.get("part");
      if (given !== "nodes" && given !== "edges") throw new ExportRequestError(400, "BAD_USER_INPUT", `part: "${given ?? ""}" is not nodes or edges.`);
      part = given;
      scope = exportScopeOf(query);
      refuseUnlessMayExport(scope, res.locals["viewer"] as Viewer | undefined);
      if (running >= maxConcurrent)
        throw new ExportRequestError(503, "SUBGRAPH_BUSY", "This subgraph is already exporting as much as it can: try again in a few seconds.");
    } catch (error) {
      const refused = error instanceof ExportRequestError ? error : new ExportRequestError(500, "INTERNAL_SERVER_ERROR", "Unexpected error.");
      res.status(refused.status).type("application/json").send(refused.body);
      return;
    }
    running++;
    const records = exportRecords(options.driver, options.database, options.exported, part, scope);
    // A client that goes away stops the query at its next batch.
    res.once("close", () => void records.return(undefined));
    try {
      res.status(200).type("application/x-ndjson");
      for await (const record of records) {
        if (!res.write(`${JSON.stringify(record)}\n`)) await new Promise((resolveDrain) => res.once("drain", resolveDrain).once("close", resolveDrain));
        if (res.destroyed) break;
      }
      res.end();
    } catch (error) {
      options.logger.error({ err: error }, "export failed");
      // Headers are sent: cutting the connection tells the gateway the part is incomplete.
      res.destroy();
    } finally {
      running--;
    }
  };
}
