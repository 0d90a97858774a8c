/**
 * The export's file formats, each written a node or an edge at a time so that a whole graph is never
 * held: GraphML (Cytoscape, Gephi, networkx's read_graphml, yEd), GEXF 1.2 (Gephi, networkx's
 * read_gexf, which reads 1.1 and 1.2 only), CSV tables of nodes or of edges (spreadsheets, pandas,
 * Gephi's and Cytoscape's table import) and JSON lines (jq, pandas' read_json(lines=True)).
 */
import { edgeAttributes, nodeAttributes, type AttributeValue, type ExportEdge, type ExportNode, type ExportPart, type ExportScope } from "./records.js";

export const exportFormatNames = ["graphml", "gexf", "csv", "jsonl"] as const;
export type ExportFormatName = (typeof exportFormatNames)[number];

/** Writes one file: its opening, each node, each edge (every node before the first edge), its end. */
export interface ExportWriter {
  start(): string;
  node(node: ExportNode): string;
  edge(edge: ExportEdge): string;
  end(): string;
}

export interface ExportFile {
  contentType: string;
  filename: string;
  /** The parts the file holds, in the order they must be written. */
  parts: readonly ExportPart[];
  writer(): ExportWriter;
}

const nodeKeys = Object.keys(nodeAttributes) as (keyof typeof nodeAttributes)[];
const edgeKeys = Object.keys(edgeAttributes) as (keyof typeof edgeAttributes)[];

// XML 1.0 cannot carry most control characters, even escaped: they are dropped, not the document.
const notXmlText = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Line breaks and tabs as references too: a parser reads them in an attribute's value as spaces otherwise.
const xmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;" };
export const xml = (value: AttributeValue): string =>
  String(value)
    .replace(notXmlText, "")
    .replace(/[&<>"'\n\r\t]/g, (c) => xmlEscapes[c]!);

/** A CSV cell as spreadsheets read it (RFC 4180); a text starting with = + - @ would run as a formula, so it gets a leading quote. */
export function csvCell(value: AttributeValue | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function describe(scope: ExportScope): string {
  return `Service Graph as on ${scope.asAt}, ${scope.withPeople ? "with" : "without"} people; each node and edge's provenance names its source`;
}

function graphml(scope: ExportScope): ExportWriter {
  let edges = 0;
  const data = (prefix: string, attributes: Partial<Record<string, AttributeValue>>) =>
    Object.entries(attributes)
      .map(([name, value]) => `<data key="${prefix}_${name}">${xml(value!)}</data>`)
      .join("");
  return {
    start: () =>
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
        `<desc>${xml(describe(scope))}</desc>`,
        ...nodeKeys.map((name) => `<key id="n_${name}" for="node" attr.name="${name}" attr.type="${nodeAttributes[name]}"/>`),
        ...edgeKeys.map((name) => `<key id="e_${name}" for="edge" attr.name="${name}" attr.type="${edgeAttributes[name]}"/>`),
        '<graph id="service-graph" edgedefault="directed">',
        "",
      ].join("\n"),
    node: (node) => `<node id="${xml(node.id)}">${data("n", node.attributes)}</node>\n`,
    edge: (edge) => `<edge id="e${++edges}" source="${xml(edge.source)}" target="${xml(edge.target)}">${data("e", edge.attributes)}</edge>\n`,
    end: () => "</graph>\n</graphml>\n",
  };
}

function gexf(scope: ExportScope): ExportWriter {
  let edges = 0;
  const gexfType = (type: string) => (type === "int" ? "integer" : type);
  const attvalues = (attributes: Partial<Record<string, AttributeValue>>, skip: string) => {
    const values = Object.entries(attributes).filter(([name]) => name !== skip);
    return values.length === 0 ? "" : `<attvalues>${values.map(([name, value]) => `<attvalue for="${name}" value="${xml(value!)}"/>`).join("")}</attvalues>`;
  };
  return {
    start: () =>
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">',
        `<meta><creator>Service Graph</creator><description>${xml(describe(scope))}</description></meta>`,
        '<graph defaultedgetype="directed" mode="static">',
        `<attributes class="node">${nodeKeys
          .filter((name) => name !== "label")
          .map((name) => `<attribute id="${name}" title="${name}" type="${gexfType(nodeAttributes[name])}"/>`)
          .join("")}</attributes>`,
        `<attributes class="edge">${edgeKeys
          .filter((name) => name !== "label")
          .map((name) => `<attribute id="${name}" title="${name}" type="${gexfType(edgeAttributes[name])}"/>`)
          .join("")}</attributes>`,
        "<nodes>",
        "",
      ].join("\n"),
    node: (node) => `<node id="${xml(node.id)}" label="${xml(node.attributes.label ?? node.id)}">${attvalues(node.attributes, "label")}</node>\n`,
    edge: (edge) =>
      `${edges === 0 ? "</nodes>\n<edges>\n" : ""}<edge id="e${++edges}" source="${xml(edge.source)}" target="${xml(edge.target)}"${
        edge.attributes.label === undefined ? "" : ` label="${xml(edge.attributes.label)}"`
      }>${attvalues(edge.attributes, "label")}</edge>\n`,
    end: () => `${edges === 0 ? "</nodes>\n<edges>\n" : ""}</edges>\n</graph>\n</gexf>\n`,
  };
}

const csvRow = (cells: (AttributeValue | undefined)[]) => `${cells.map(csvCell).join(",")}\r\n`;

function csvNodes(): ExportWriter {
  return {
    start: () => csvRow(["id", ...nodeKeys]),
    node: (node) => csvRow([node.id, ...nodeKeys.map((name) => node.attributes[name])]),
    edge: () => "",
    end: () => "",
  };
}

function csvEdges(): ExportWriter {
  let edges = 0;
  return {
    start: () => csvRow(["id", "source", "target", ...edgeKeys]),
    node: () => "",
    edge: (edge) => csvRow([`e${++edges}`, edge.source, edge.target, ...edgeKeys.map((name) => edge.attributes[name])]),
    end: () => "",
  };
}

function jsonLines(scope: ExportScope): ExportWriter {
  let edges = 0;
  return {
    start: () => `${JSON.stringify({ record: "export", description: describe(scope), ...scope })}\n`,
    node: (node) => `${JSON.stringify({ record: "node", id: node.id, ...node.attributes })}\n`,
    edge: (edge) => `${JSON.stringify({ record: "edge", id: `e${++edges}`, source: edge.source, target: edge.target, ...edge.attributes })}\n`,
    end: () => "",
  };
}

/** The file of a format; a CSV file is one table, of nodes or of edges. */
export function exportFile(format: ExportFormatName, scope: ExportScope, table: ExportPart = "nodes"): ExportFile {
  const base = `service-graph-${scope.asAt}${scope.withPeople ? "-with-people" : ""}`;
  switch (format) {
    case "graphml":
      return { contentType: "application/graphml+xml; charset=utf-8", filename: `${base}.graphml`, parts: ["nodes", "edges"], writer: () => graphml(scope) };
    case "gexf":
      return { contentType: "application/gexf+xml; charset=utf-8", filename: `${base}.gexf`, parts: ["nodes", "edges"], writer: () => gexf(scope) };
    case "csv":
      return { contentType: "text/csv; charset=utf-8", filename: `${base}-${table}.csv`, parts: [table], writer: table === "nodes" ? csvNodes : csvEdges };
    case "jsonl":
      return { contentType: "application/x-ndjson; charset=utf-8", filename: `${base}.jsonl`, parts: ["nodes", "edges"], writer: () => jsonLines(scope) };
  }
}

/** Writes a whole file from the records of each part, in order, as text chunks. */
export async function* writeExport(file: ExportFile, records: (part: ExportPart) => AsyncIterable<ExportNode | ExportEdge>): AsyncGenerator<string> {
  const writer = file.writer();
  yield writer.start();
  for (const part of file.parts) {
    let chunk = "";
    for await (const record of records(part)) {
      chunk += part === "nodes" ? writer.node(record as ExportNode) : writer.edge(record as ExportEdge);
      // A chunk of some kilobytes: a write per record would cost more than the writing.
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk) yield chunk;
  }
  yield writer.end();
}
