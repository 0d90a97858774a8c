import { DOMParser } from "@xmldom/xmldom";
import { parse as parseCsv } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { exportFile, writeExport, type ExportFormatName } from "./formats.js";
import type { ExportEdge, ExportNode, ExportPart } from "./records.js";

const awkward = "A & B <\"quoted\">, 'apostrophe'\nnew line\u0000\u0007 and \uD800 a lone surrogate";
const nodes: ExportNode[] = [
  { id: "Organisation:a&b", attributes: { kind: "Organisation", label: awkward, acronym: '=HYPERLINK("x")' } },
  { id: "Stage:s1", attributes: { kind: "Stage", label: "Register", position: 3 } },
];
const edges: ExportEdge[] = [
  { source: "Organisation:a&b", target: "Stage:s1", attributes: { label: "RESPONSIBLE_FOR", lane: "frontstage", provenance: "step-by-step:x.json" } },
];

async function write(format: ExportFormatName, table?: ExportPart): Promise<string> {
  const file = exportFile(format, { asAt: "2022-06-01", withPeople: false }, table);
  let text = "";

  for await (const chunk of writeExport(file, async function* (part) {
    yield* part === "nodes" ? nodes : edges;
  }))
    text += chunk;
  return text;
}

const parseXml = (text: string) => {
  const problems: string[] = [];
  const document = new DOMParser({ onError: (level, message) => void problems.push(`${level}: ${message}`) }).parseFromString(text, "text/xml");
  return { document, problems };
};

describe("the export's formats", () => {
  it.each(["graphml", "gexf"] as const)(
    "keeps %s well-formed whatever the text holds: escaped, control characters and lone surrogates dropped",
    async (format) => {
      const { document, problems } = parseXml(await write(format));
      expect(problems).toEqual([]);
      const text =
        document.documentElement!.textContent +
        Array.from(document.getElementsByTagName("node"))
          .map((n) => n.getAttribute("label") ?? "")
          .join("");
      expect(text).toContain("A & B <\"quoted\">, 'apostrophe'\nnew line and  a lone surrogate");
      expect(document.getElementsByTagName("node").length).toBe(2);
      expect(document.getElementsByTagName("edge").length).toBe(1);
    },
  );

  it("writes GEXF's edges after all its nodes even with no edge at all", async () => {
    const file = exportFile("gexf", { asAt: "2022-06-01", withPeople: false });
    let text = "";

    for await (const chunk of writeExport(file, async function* (part) {
      if (part === "nodes") yield* nodes;
    }))
      text += chunk;
    const { document, problems } = parseXml(text);
    expect(problems).toEqual([]);
    expect(document.getElementsByTagName("edges").length).toBe(1);
  });

  it("writes CSV a spreadsheet reads as it was, with no cell that runs as a formula", async () => {
    const rows = parseCsv<Record<string, string>>(await write("csv", "nodes"), { columns: true });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: "Organisation:a&b", kind: "Organisation", acronym: '\'=HYPERLINK("x")' });
    expect(rows[0]!["label"]).toContain("<\"quoted\">, 'apostrophe'\nnew line");
    expect(rows[1]).toMatchObject({ position: "3", acronym: "" });
    const edgeRows = parseCsv<Record<string, string>>(await write("csv", "edges"), { columns: true });
    expect(edgeRows).toEqual([
      expect.objectContaining({ id: "e1", source: "Organisation:a&b", target: "Stage:s1", label: "RESPONSIBLE_FOR", lane: "frontstage" }),
    ]);
  });

  it("writes one JSON object a line, the scope first", async () => {
    const lines = (await write("jsonl"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l["record"])).toEqual(["export", "node", "node", "edge"]);
    expect(lines[0]).toMatchObject({ asAt: "2022-06-01", withPeople: false });
    expect(lines[2]).toEqual({ record: "node", id: "Stage:s1", kind: "Stage", label: "Register", position: 3 });
  });
});
