/**
 * GET /export/<graphml|gexf|csv|jsonl>?asAt=YYYY-MM-DD&withPeople=true&table=nodes|edges: the graph as
 * a file for Gephi, Cytoscape, networkx or a spreadsheet, streamed as it is read. Each subgraph reads
 * its own nodes and edges (subgraph-kit/export.ts), signed with the caller as every call is, so the
 * export sees what the caller may read: without a reader's token, no people. The gateway only writes
 * the file (export/formats.ts), all nodes before the first edge, holding one batch at a time.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { GraphQLError } from "graphql";
import { gatewayTokenHeader, signGatewayToken, type Viewer } from "../platform/caller.js";
import { subgraphNames, type SubgraphName } from "../platform/config.js";
import { exportFile, exportFormatNames, writeExport, type ExportFormatName } from "../export/formats.js";
import type { ExportEdge, ExportNode, ExportPart, ExportScope } from "../export/records.js";
import { ExportRequestError, exportScopeOf, refuseUnknownParameters, refuseUnlessMayExport } from "../export/scope.js";
import type { TokenVerifier } from "./auth.js";

export interface GraphExportOptions {
  verify: TokenVerifier;
  subgraphSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** The longest a subgraph may go without sending anything before the export gives up on it. */
  idleTimeoutMs: number;
  /** Exports written at once; one more is refused with 503 (each holds a read of the whole graph in every subgraph). */
  maxConcurrent?: number;
}

const exportUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, "/export");

/** The lines of a body as they arrive; the idle timer restarts with each chunk. */
async function* linesOf(body: ReadableStream<Uint8Array>, onChunk: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = read.value;
    onChunk();
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const line of lines) if (line) yield line;
  }
  if (rest + decoder.decode()) throw new Error("a subgraph's export ended in the middle of a record");
}

export function useGraphExport(options: GraphExportOptions): GatewayPlugin {
  const maxConcurrent = options.maxConcurrent ?? 2;
  let running = 0;

  /** One subgraph's part, refused with the subgraph's own status and reason when it will not send it. */
  async function openPart(subgraph: SubgraphName, part: ExportPart, scope: ExportScope, viewer: Viewer | undefined, signal: AbortSignal) {
    const query = new URLSearchParams({ part, asAt: scope.asAt, withPeople: String(scope.withPeople) });
    let response: Response;
    try {
      response = await fetch(`${exportUrl(options.subgraphUrls[subgraph])}?${query}`, {
        headers: { [gatewayTokenHeader]: await signGatewayToken(viewer, options.subgraphSecret) },
        signal,
      });
    } catch {
      throw new ExportRequestError(
        502,
        "SUBGRAPH_UNAVAILABLE",
        `Part of the graph (${subgraph}) is unavailable right now, so no export can be made; try again later.`,
      );
    }
    if (!response.ok || !response.body) {
      const said = (await response.json().catch(() => undefined)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | undefined;
      const error = said?.errors?.[0];
      throw new ExportRequestError(
        response.status >= 500 ? 503 : response.status,
        error?.extensions?.code ?? "SUBGRAPH_UNAVAILABLE",
        error?.message ?? `The ${subgraph} subgraph did not send its part.`,
      );
    }
    return response.body;
  }

  async function answer(url: URL, request: Request, fetchAPI: { Response: typeof Response }): Promise<Response> {
    if (request.method !== "GET") throw new ExportRequestError(405, "METHOD_NOT_ALLOWED", "An export is read with GET.");
    const format = /^\/export\/([^/]*)$/.exec(url.pathname)?.[1] as ExportFormatName | undefined;
    if (!format || !exportFormatNames.includes(format))
      throw new ExportRequestError(404, "NOT_FOUND", `No such export: the formats are ${exportFormatNames.map((f) => `/export/${f}`).join(", ")}.`);
    refuseUnknownParameters(url.searchParams, format === "csv" ? ["asAt", "withPeople", "table"] : ["asAt", "withPeople"]);
    const table = url.searchParams.get("table");
    if (format === "csv" && table !== "nodes" && table !== "edges")
      throw new ExportRequestError(
        400,
        "BAD_USER_INPUT",
        `table: a CSV file is one table; give table=nodes or table=edges${table === null ? "" : ` (not "${table}")`}.`,
      );
    const scope = exportScopeOf(url.searchParams);
    let viewer: Viewer | undefined;
    try {
      viewer = await options.verify(request.headers.get("authorization"));
    } catch (error) {
      throw new ExportRequestError(401, "UNAUTHENTICATED", error instanceof GraphQLError ? error.message : "The bearer token is not valid.");
    }
    refuseUnlessMayExport(scope, viewer);
    if (running >= maxConcurrent)
      throw new ExportRequestError(503, "EXPORT_BUSY", `${maxConcurrent} exports are being written already: try again in a few seconds.`);

    const file = exportFile(format, scope, table === "edges" ? "edges" : "nodes");
    const abort = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const stillSending = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(), options.idleTimeoutMs);
    };
    running++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
      clearTimeout(idle);
      abort.abort();
    };
    try {
      // Every subgraph's first part is asked for before answering, so that a refusal or a subgraph that is down gets its status.
      stillSending();
      const opened = subgraphNames.map((subgraph) => openPart(subgraph, file.parts[0]!, scope, viewer, abort.signal));
      const first = await Promise.all(opened.map((part) => part.catch((error: unknown) => error)));
      const failed = first.find((part) => part instanceof Error);
      if (failed) {
        await Promise.all(first.map((part) => (part instanceof ReadableStream ? part.cancel() : Promise.resolve())));
        throw failed;
      }
      async function* records(part: ExportPart): AsyncGenerator<ExportNode | ExportEdge> {
        for (const [index, subgraph] of subgraphNames.entries()) {
          stillSending();
          const body = part === file.parts[0] ? (first[index] as ReadableStream<Uint8Array>) : await openPart(subgraph, part, scope, viewer, abort.signal);
          for await (const line of linesOf(body, stillSending)) yield JSON.parse(line) as ExportNode | ExportEdge;
        }
      }
      const chunks = writeExport(file, records);
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await chunks.next();
            if (next.done) {
              release();
              controller.close();
            } else controller.enqueue(encoder.encode(next.value));
          } catch (error) {
            release();
            // Headers are sent: an error ends the transfer unfinished, so no client takes a part for the whole.
            controller.error(error);
          }
        },
        async cancel() {
          release();
          await chunks.return(undefined);
        },
      });
      return new fetchAPI.Response(body, {
        headers: {
          "content-type": file.contentType,
          "content-disposition": `attachment; filename="${file.filename}"`,
          // What is in it depends on the caller's token.
          "cache-control": "no-store",
        },
      });
    } catch (error) {
      release();
      throw error;
    }
  }

  return fileRoute("/export", answer);
}

/**
 * A plugin answering GET <prefix>/… with a file, before the GraphQL endpoint sees the request; a
 * refusal (ExportRequestError) goes back as its status and a GraphQL-shaped error, 503 with Retry-After.
 */
export function fileRoute(prefix: string, answer: (url: URL, request: Request, fetchAPI: { Response: typeof Response }) => Promise<Response>): GatewayPlugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
      return answer(url, request, fetchAPI).then(endResponse, (error: unknown) => {
        const refused = error instanceof ExportRequestError ? error : new ExportRequestError(500, "INTERNAL_SERVER_ERROR", "Unexpected error.");
        endResponse(
          new fetchAPI.Response(refused.body, {
            status: refused.status,
            headers: { "content-type": "application/json; charset=utf-8", ...(refused.status === 503 ? { "retry-after": "5" } : {}) },
          }),
        );
      });
    },
  };
}
