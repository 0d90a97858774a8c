/**
 * Any query's answer as a CSV table, for a spreadsheet: sent `Accept: text/csv`, the gateway runs
 * the query as ever and writes its one root field as rows: a page's nodes (its edges' other fields
 * beside them), a list's items, or the first list inside an object (a journey's stages); nested
 * objects become dotted columns (`organisation.name`) and nested lists one cell, their values joined
 * by "; ". An answer with errors, or with more than one root field, stays JSON, so nothing is lost
 * without a word.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { ExecutionResult } from "graphql";
import { csvCell } from "../export/formats.js";

type Value = unknown;
type Row = Map<string, string[]>;

const isObject = (value: Value): value is Record<string, Value> => typeof value === "object" && value !== null && !Array.isArray(value);
/** Paging's own fields, which say nothing about the rows. */
const pagingFields = new Set(["pageInfo", "cursor", "__typename"]);

/** The rows of a root field's value. */
function rowsOf(value: Value): Value[] {
  if (Array.isArray(value))
    return (value as Value[]).map((item) => (isObject(item) && isObject(item["node"]) ? { ...item["node"], ...withoutNode(item) } : item));
  if (!isObject(value)) return [value];
  if (Array.isArray(value["edges"])) return rowsOf(value["edges"]);
  const list = Object.entries(value).find(
    ([name, field]) => !pagingFields.has(name) && (Array.isArray(field) || (isObject(field) && Array.isArray(field["edges"]))),
  );
  return list ? rowsOf(list[1]) : [value];
}

function withoutNode(edge: Record<string, Value>): Record<string, Value> {
  const { node: _node, ...rest } = edge;
  return rest;
}

/**
 * Adds each leaf of `value` under its dotted path; the leaves of lists gather in one cell. Inside a
 * list a null takes its place as an empty value, so the n-th value of one column belongs with the
 * n-th of the next (a stage's lanes beside its organisations' acronyms, one of them without one).
 */
function flatten(value: Value, path: string, row: Row, inList = false): void {
  const add = (cell: string) => row.set(path, [...(row.get(path) ?? []), cell]);
  if (Array.isArray(value)) {
    for (const item of value) flatten(item, path, row, true);
    if (value.length === 0 && !row.has(path)) row.set(path, []);
  } else if (isObject(value)) {
    for (const [name, field] of Object.entries(value)) if (!pagingFields.has(name)) flatten(field, path ? `${path}.${name}` : name, row, inList);
  } else if (value !== null && value !== undefined) {
    // What is left is a scalar: a string as it is, a number or boolean as JSON writes it.
    add(typeof value === "string" ? value : JSON.stringify(value));
  } else if (inList) add("");
  else if (!row.has(path)) row.set(path, []);
}

/** The table of an answer's one root field, headed by its columns in the order first met. */
export function csvOfData(data: Record<string, Value>): string {
  const [root] = Object.keys(data);
  const rows = rowsOf(root === undefined ? [] : data[root]).map((value) => {
    const row: Row = new Map();
    flatten(value, isObject(value) ? "" : root!, row);
    return row;
  });
  const columns = [...new Set(rows.flatMap((row) => [...row.keys()]))];
  const line = (cells: string[]) => `${cells.map((cell) => csvCell(cell)).join(",")}\r\n`;
  return line(columns) + rows.map((row) => line(columns.map((column) => (row.get(column) ?? []).join("; ")))).join("");
}

/** Whether the request's Accept header names text/csv. */
const asksForCsv = (request: Request) =>
  (request.headers.get("accept") ?? "").split(",").some((type) => type.split(";")[0]!.trim().toLowerCase() === "text/csv");

export function useCsvResults(): GatewayPlugin {
  return {
    // After the runtime's own processors (JSON and the like), so that a CSV answer replaces theirs.
    onResultProcess({ request, result, setResultProcessor }) {
      if (!asksForCsv(request) || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const single = result as ExecutionResult;
      if (single.errors?.length || !single.data || Object.keys(single.data).length !== 1) return;
      const root = Object.keys(single.data)[0]!;
      setResultProcessor(
        (_result, fetchAPI) =>
          new fetchAPI.Response(csvOfData(single.data!), {
            headers: {
              "content-type": "text/csv; charset=utf-8",
              "content-disposition": `attachment; filename="${root}.csv"`,
              "cache-control": "no-store",
              vary: "accept, authorization",
            },
          }),
        "text/csv",
      );
    },
  };
}
