/**
 * GET /csv/handoffs and GET /csv/gaps: every hand-off or gap that matches the filters (`serviceId`,
 * `departmentId`, `asAt`, and for gaps `kinds`), as one CSV file written as it is read. The gateway
 * pages through the services subgraph's own `handoffs` and `gaps` fields by cursor, signed with the
 * caller as every call is, so the file holds what the same query would give that caller, no more; it
 * holds one page at a time. Past `maxRows` matching rows the download is refused before it starts,
 * naming the filters that would narrow it: nothing is cut short without a word.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { GraphQLError } from "graphql";
import { gatewayTokenHeader, signGatewayToken, type Viewer } from "../platform/caller.js";
import { isValidDate } from "../platform/dates.js";
import { csvCell } from "../export/formats.js";
import { ExportRequestError, refuseUnknownParameters } from "../export/scope.js";
import type { TokenVerifier } from "./auth.js";
import { fileRoute } from "./export-route.js";

export interface AnalysisCsvOptions {
  verify: TokenVerifier;
  subgraphSecret: string;
  /** The services subgraph's GraphQL endpoint, which answers `handoffs` and `gaps`. */
  servicesUrl: string;
  /** The longest one page may take. */
  pageTimeoutMs: number;
  /** Rows a file may hold; more matching is refused with 400 (the README's figure: 20,000). */
  maxRows?: number;
  /** Rows asked for at a time: the fields' maximum unless a test wants several pages of a small graph. */
  pageSize?: number;
  /** Downloads written at once; one more is refused with 503 (each reads the whole analysis once a page). */
  maxConcurrent?: number;
}

export const defaultMaxCsvRows = 20_000;

const gapKinds = ["MISSING_PROFESSION", "NO_RESPONSIBLE_ORGANISATION", "NOBODY_WORKING", "CLOSED_ORGANISATION_RESPONSIBLE"];

interface Named {
  id: string;
  name: string;
  acronym?: string | null;
}
interface StageRef extends Named {
  position: number;
}

/** One table: the field it pages through, what it selects of each node, and the node as CSV cells. */
interface Table {
  field: "handoffs" | "gaps";
  rowName: string;
  parameters: readonly string[];
  selection: string;
  headings: string[];
  cells(node: Record<string, unknown>): string[];
}

const organisation = "{ id name acronym }";
const names = (list: unknown) => (list as Named[]).map((o) => (o.acronym && o.acronym !== o.name ? `${o.name} (${o.acronym})` : o.name)).join("; ");
const stageCell = (stage: unknown) => `${(stage as StageRef).position}. ${(stage as StageRef).name}`;

const tables: Record<string, Table> = {
  handoffs: {
    field: "handoffs",
    rowName: "hand-offs",
    parameters: ["serviceId", "departmentId", "asAt"],
    selection: `service { id name } fromStage { id name position } toStage { id name position } from ${organisation} to ${organisation} continuing ${organisation}`,
    headings: ["Service", "Service id", "From stage", "To stage", "Handed over by", "Taken over by", "Continuing"],
    cells: (h) => [
      (h["service"] as Named).name,
      (h["service"] as Named).id,
      stageCell(h["fromStage"]),
      stageCell(h["toStage"]),
      names(h["from"]),
      names(h["to"]),
      names(h["continuing"]),
    ],
  },
  gaps: {
    field: "gaps",
    rowName: "gaps",
    parameters: ["serviceId", "departmentId", "kinds", "asAt"],
    selection: `kind service { id name } stage { id name position } profession { id name } organisation ${organisation} successors ${organisation} journeyOwners ${organisation}`,
    headings: ["Service", "Service id", "Stage", "Kind", "Profession", "Organisation", "Successors", "Journey owners"],
    cells: (g) => [
      (g["service"] as Named).name,
      (g["service"] as Named).id,
      stageCell(g["stage"]),
      g["kind"] as string,
      (g["profession"] as Named | null)?.name ?? "",
      g["organisation"] ? names([g["organisation"]]) : "",
      names(g["successors"]),
      names(g["journeyOwners"]),
    ],
  },
};

const badInput = (message: string) => new ExportRequestError(400, "BAD_USER_INPUT", message);
const csvLine = (cells: string[]) => `${cells.map(csvCell).join(",")}\r\n`;

/** The filters in the address as the field's arguments, each checked and refused by its name. */
export function csvFiltersOf(table: Table, query: URLSearchParams): Record<string, unknown> {
  refuseUnknownParameters(query, table.parameters);
  for (const name of new Set(query.keys()))
    if (query.getAll(name).length > 1) throw badInput(`${name}: give it once${name === "kinds" ? ", the kinds separated by commas" : ""}.`);
  const variables: Record<string, unknown> = {};
  for (const name of ["serviceId", "departmentId"]) {
    const id = query.get(name);
    if (id === null) continue;
    if (!/^[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}$/.test(id)) throw badInput(`${name}: "${id.slice(0, 200)}" is not an id (letters, digits and - . _ / :).`);
    variables[name] = id;
  }
  const asAt = query.get("asAt");
  if (asAt !== null) {
    if (!isValidDate(asAt)) throw badInput(`asAt: "${asAt.slice(0, 40)}" is not a date that exists, as YYYY-MM-DD (for example 2022-06-01).`);
    variables["asAt"] = asAt;
  }
  const kinds = query.get("kinds");
  if (kinds !== null) {
    const asked = kinds.split(",").map((k) => k.trim());
    const unknown = asked.filter((k) => !gapKinds.includes(k));
    if (unknown.length > 0)
      throw badInput(`kinds: ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(", ")} is not a kind of gap; the kinds are ${gapKinds.join(", ")}.`);
    variables["kinds"] = [...new Set(asked)];
  }
  return variables;
}

interface PageAnswer {
  totalCount: number;
  nodes: Record<string, unknown>[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export function useAnalysisCsv(options: AnalysisCsvOptions): GatewayPlugin {
  const maxRows = options.maxRows ?? defaultMaxCsvRows;
  const pageSize = options.pageSize ?? 500;
  const maxConcurrent = options.maxConcurrent ?? 2;
  let running = 0;

  /** One page of the field as the caller would have it; a refusal keeps the subgraph's message and code. */
  async function pageOf(
    table: Table,
    variables: Record<string, unknown>,
    after: string | null,
    viewer: Viewer | undefined,
    signal: AbortSignal,
  ): Promise<PageAnswer> {
    const argumentList = [
      "serviceId: ID",
      "departmentId: ID",
      "asAt: Date",
      "first: Int",
      "after: String",
      ...(table.field === "gaps" ? ["kinds: [GapKind!]"] : []),
    ];
    const query = `query Csv(${argumentList.map((a) => `$${a}`).join(", ")}) { page: ${table.field}(${argumentList.map((a) => `${a.split(":")[0]}: $${a.split(":")[0]}`).join(", ")}) {
      totalCount edges { node { ${table.selection} } } pageInfo { hasNextPage endCursor } } }`;
    let said: {
      data?: { page?: { totalCount: number; edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    try {
      const response = await fetch(options.servicesUrl, {
        method: "POST",
        headers: { "content-type": "application/json", [gatewayTokenHeader]: await signGatewayToken(viewer, options.subgraphSecret) },
        body: JSON.stringify({ query, variables: { ...variables, first: pageSize, after } }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.pageTimeoutMs)]),
      });
      said = (await response.json()) as typeof said;
    } catch {
      throw new ExportRequestError(
        502,
        "SUBGRAPH_UNAVAILABLE",
        "Part of the graph (services) is unavailable right now, so no file can be made; try again later.",
      );
    }
    const error = said.errors?.[0];
    if (error || !said.data?.page) {
      const code = error?.extensions?.code;
      // The subgraph's own refusals (an unknown id, a busy or slow graph) are written for callers; anything else is not shown.
      if (error && code === "BAD_USER_INPUT") throw badInput(error.message);
      if (error && code && ["QUERY_TIMEOUT", "SUBGRAPH_BUSY", "DATABASE_UNAVAILABLE", "RESULT_TOO_LARGE"].includes(code))
        throw new ExportRequestError(503, code, error.message);
      throw new ExportRequestError(502, "SUBGRAPH_UNAVAILABLE", "The services subgraph could not answer; try again later.");
    }
    const { page } = said.data;
    return { totalCount: page.totalCount, nodes: page.edges.map((e) => e.node), ...page.pageInfo };
  }

  async function answer(url: URL, request: Request, fetchAPI: { Response: typeof Response }): Promise<Response> {
    if (request.method !== "GET") throw new ExportRequestError(405, "METHOD_NOT_ALLOWED", "A CSV file is read with GET.");
    const name = /^\/csv\/([^/]*)$/.exec(url.pathname)?.[1] ?? "";
    const table = Object.hasOwn(tables, name) ? tables[name]! : undefined;
    if (!table)
      throw new ExportRequestError(
        404,
        "NOT_FOUND",
        `No such file: the CSV files are ${Object.keys(tables)
          .map((t) => `/csv/${t}`)
          .join(", ")}.`,
      );
    const variables = csvFiltersOf(table, url.searchParams);
    let viewer: Viewer | undefined;
    try {
      viewer = await options.verify(request.headers.get("authorization"));
    } catch (error) {
      throw new ExportRequestError(401, "UNAUTHENTICATED", error instanceof GraphQLError ? error.message : "The bearer token is not valid.");
    }
    if (running >= maxConcurrent)
      throw new ExportRequestError(503, "EXPORT_BUSY", `${maxConcurrent} files are being written already: try again in a few seconds.`);

    running++;
    const abort = new AbortController();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
      abort.abort();
    };
    try {
      // The first page before answering: a refusal (an unknown id, too many rows) gets its status.
      let page = await pageOf(table, variables, null, viewer, abort.signal);
      if (page.totalCount > maxRows)
        throw new ExportRequestError(
          400,
          "RESULT_TOO_LARGE",
          `${page.totalCount.toLocaleString("en-GB")} ${table.rowName} match, and a file holds at most ${maxRows.toLocaleString("en-GB")}: narrow it with ${table.parameters.join(", ")}.`,
        );
      const total = page.totalCount;
      let written = 0;
      let headed = false;
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            if (!headed) {
              headed = true;
              controller.enqueue(encoder.encode(csvLine(table.headings)));
              return;
            }
            const rows = page.nodes.slice(0, maxRows - written);
            written += rows.length;
            if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((node) => csvLine(table.cells(node))).join("")));
            if (!page.hasNextPage || written >= Math.min(total, maxRows)) {
              release();
              controller.close();
              return;
            }
            page = await pageOf(table, variables, page.endCursor, viewer, abort.signal);
          } catch (error) {
            release();
            // Headers are sent: an error ends the transfer unfinished, so no client takes a part for the whole.
            controller.error(error);
          }
        },
        cancel() {
          release();
        },
      });
      return new fetchAPI.Response(body, {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${table.field}.csv"`,
          // How many rows the file holds, said before it is read, so a client can tell it came whole.
          "x-total-count": String(total),
          // What is in it depends on the caller's token.
          "cache-control": "no-store",
        },
      });
    } catch (error) {
      release();
      throw error;
    }
  }

  return fileRoute("/csv", answer);
}
