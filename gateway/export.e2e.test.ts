/**
 * The graph export through the gateway and the three real subgraphs: each format read back by a real
 * parser (an XML DOM parser for GraphML and GEXF, checked against their structure; csv-parse; JSON),
 * and by networkx where Python has it; what an anonymous caller and a reader get; the graph as on
 * 1 June 2022; every refusal naming what was wrong; `npm run export` giving the same records.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../platform/paths.js";
import { headersFor, startStack, testNeo4jEnvironment, testReader, type TestCaller, type TestStack } from "../test/helpers.js";

const beis = "Organisation:department-for-business-energy-and-industrial-strategy";
const dbt = "Organisation:department-for-business-and-trade";
const companiesHouse = "Organisation:companies-house";
const graphmlNs = "http://graphml.graphdrawing.org/xmlns";
const gexfNs = "http://www.gexf.net/1.2draft";
/** Other test files write `test-…` nodes meanwhile: they may appear between one part and the next. */
const isOthers = (id: string) => /^[A-Za-z]+:test-/.test(id);

function parseXml(text: string) {
  const problems: string[] = [];
  const document = new DOMParser({ onError: (level, message) => void problems.push(`${level}: ${message}`) }).parseFromString(text, "text/xml");
  expect(problems).toEqual([]);
  return document.documentElement!;
}
const children = (element: Element, name: string) =>
  Array.from(element.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === name);
const child = (element: Element, name: string) => {
  const found = children(element, name);
  expect(found, `one <${name}> in <${element.localName}>`).toHaveLength(1);
  return found[0]!;
};

/** networkx, where this machine's Python has it: the number of nodes and edges it reads from the file. */
function networkxCounts(file: string, reader: "read_graphml" | "read_gexf"): { nodes: number; edges: number } | undefined {
  const probe = spawnSync("python3", ["-c", "import networkx"], { encoding: "utf8" });
  if (probe.status !== 0) return undefined;
  const run = spawnSync(
    "python3",
    [
      "-c",
      `import networkx as nx, json, sys; g = nx.${reader}(sys.argv[1]); print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}))`,
      file,
    ],
    {
      encoding: "utf8",
    },
  );
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as { nodes: number; edges: number };
}

describe("the graph export, through the gateway", () => {
  let stack: TestStack;
  let origin: string;
  const dir = mkdtempSync(join(tmpdir(), "service-graph-export-"));
  const download = async (path: string, as: TestCaller | null = null) => {
    const response = await fetch(`${origin}${path}`, { headers: await headersFor(as) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  beforeAll(async () => {
    stack = await startStack();
    origin = new URL(stack.gateway.url).origin;
  });
  afterAll(async () => {
    await stack.close();
  });

  it("writes GraphML that an XML parser and networkx read: keys declared first, every edge between nodes, provenance on each, no people for an anonymous caller", async () => {
    const { status, headers, text } = await download("/export/graphml");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/graphml+xml; charset=utf-8");
    expect(headers.get("content-disposition")).toMatch(/^attachment; filename="service-graph-\d{4}-\d{2}-\d{2}\.graphml"$/);
    expect(headers.get("cache-control")).toBe("no-store");

    const root = parseXml(text);
    expect([root.namespaceURI, root.localName]).toEqual([graphmlNs, "graphml"]);
    const keys = new Map(children(root, "key").map((key) => [key.getAttribute("id")!, key]));
    for (const key of keys.values()) {
      expect(["node", "edge"]).toContain(key.getAttribute("for"));
      expect(["string", "int"]).toContain(key.getAttribute("attr.type"));
    }
    const graph = child(root, "graph");
    expect(graph.getAttribute("edgedefault")).toBe("directed");
    // GraphML's schema: every <key> before the <graph>.
    const order = Array.from(root.childNodes)
      .filter((n) => n.nodeType === 1)
      .map((n) => (n as Element).localName);
    expect(order.lastIndexOf("key")).toBeLessThan(order.indexOf("graph"));

    const nodes = children(graph, "node");
    const data = (element: Element, kind: "node" | "edge") =>
      Object.fromEntries(
        children(element, "data").map((d) => {
          const key = keys.get(d.getAttribute("key")!);
          expect(key?.getAttribute("for"), `key ${d.getAttribute("key")}`).toBe(kind);
          return [key!.getAttribute("attr.name")!, d.textContent];
        }),
      );
    const nodeData = new Map(nodes.map((n) => [n.getAttribute("id")!, data(n, "node")]));
    expect(nodeData.size).toBe(nodes.length);
    expect([...nodeData.values()].filter((d) => d["kind"] === "Person")).toEqual([]);
    expect(nodeData.get("Organisation:hm-revenue-customs")).toMatchObject({
      kind: "Organisation",
      label: "HM Revenue & Customs",
      acronym: "HMRC",
      status: "LIVE",
    });
    expect(nodeData.get("Organisation:hm-revenue-customs")!["provenance"]).toMatch(/^govuk-organisations:govuk-organisations-\d{4}-\d{2}-\d{2}\.json$/);
    expect(nodeData.get("Service:starting-a-business")).toMatchObject({ kind: "Service", label: "Starting a Business" });

    const edges = children(graph, "edge");
    expect(new Set(edges.map((e) => e.getAttribute("id"))).size).toBe(edges.length);
    const labels = new Set<string>();
    for (const edge of edges) {
      const [source, target] = [edge.getAttribute("source")!, edge.getAttribute("target")!];
      if (isOthers(source) || isOthers(target)) continue;
      expect(nodeData.has(source), source).toBe(true);
      expect(nodeData.has(target), target).toBe(true);
      labels.add(data(edge, "edge")["label"]!);
    }
    expect([...labels].sort()).toEqual(["EXPECTS_PROFESSION", "FOCUSES_ON", "HAS_STAGE", "OWNS", "PART_OF", "RESPONSIBLE_FOR", "SUPERSEDED_BY"]);
    const responsibilities = edges.map((e) => data(e, "edge")).filter((d) => d["label"] === "RESPONSIBLE_FOR");
    expect(responsibilities.every((d) => ["frontstage", "backstage", "support"].includes(d["lane"]!))).toBe(true);
    expect(responsibilities.filter((d) => d["provenance"]).length).toBeGreaterThan(0);

    const file = join(dir, "graph.graphml");
    writeFileSync(file, text);
    const read = networkxCounts(file, "read_graphml");
    if (read) expect(read).toEqual({ nodes: nodes.length, edges: edges.length });
  });

  it("writes GEXF 1.2 for a reader with people, as on 1 June 2022: BEIS live with Companies House in it, no DBT, people and the stages they work on", async () => {
    const { status, headers, text } = await download("/export/gexf?asAt=2022-06-01&withPeople=true", testReader);
    expect(status).toBe(200);
    expect(headers.get("content-disposition")).toBe('attachment; filename="service-graph-2022-06-01-with-people.gexf"');
    const root = parseXml(text);
    expect([root.namespaceURI, root.localName, root.getAttribute("version")]).toEqual([gexfNs, "gexf", "1.2"]);
    const graph = child(root, "graph");
    expect(graph.getAttribute("defaultedgetype")).toBe("directed");
    const declared = Object.fromEntries(
      children(graph, "attributes").map((a) => [
        a.getAttribute("class")!,
        new Map(children(a, "attribute").map((x) => [x.getAttribute("id")!, x.getAttribute("type")])),
      ]),
    );
    expect(Object.keys(declared).sort()).toEqual(["edge", "node"]);
    const order = Array.from(graph.childNodes)
      .filter((n) => n.nodeType === 1)
      .map((n) => (n as Element).localName);
    expect(order).toEqual(["attributes", "attributes", "nodes", "edges"]);
    const values = (element: Element, kind: "node" | "edge") =>
      Object.fromEntries(
        children(element, "attvalues").flatMap((a) =>
          children(a, "attvalue").map((v) => {
            const type = declared[kind]!.get(v.getAttribute("for")!);
            expect(type, `${kind} attribute ${v.getAttribute("for")}`).toBeDefined();
            if (type === "integer") expect(v.getAttribute("value")).toMatch(/^-?\d+$/);
            return [v.getAttribute("for")!, v.getAttribute("value")!];
          }),
        ),
      );
    const nodes = new Map(
      children(child(graph, "nodes"), "node").map((n) => [n.getAttribute("id")!, Object.assign(values(n, "node"), { label: n.getAttribute("label") })]),
    );
    expect(nodes.get(beis)).toMatchObject({ label: "Department for Business, Energy & Industrial Strategy", status: "LIVE" });
    expect(nodes.has(dbt)).toBe(false);
    expect([...nodes.values()].filter((n) => n["kind"] === "Person").length).toBeGreaterThan(10);
    const edges = children(child(graph, "edges"), "edge").map((e) =>
      Object.assign(values(e, "edge"), { source: e.getAttribute("source")!, target: e.getAttribute("target")!, label: e.getAttribute("label") }),
    );
    for (const { source, target } of edges) {
      if (isOthers(source) || isOthers(target)) continue;
      expect(nodes.has(source) && nodes.has(target), `${source} → ${target}`).toBe(true);
    }
    expect(edges).toContainEqual(expect.objectContaining({ source: companiesHouse, target: beis, label: "PART_OF" }));
    expect(edges.some((e) => e["label"] === "WORKS_ON" && e["role"])).toBe(true);
    expect(edges.some((e) => e["label"] === "WORKS_FOR" && e["target"] === dbt)).toBe(false);

    const file = join(dir, "graph.gexf");
    writeFileSync(file, text);
    const read = networkxCounts(file, "read_gexf");
    if (read) expect(read.nodes).toBe(nodes.size);
  });

  it("writes CSV tables a spreadsheet reads, one of nodes and one of edges, whose edges join the nodes", async () => {
    const nodesFile = await download("/export/csv?table=nodes");
    const edgesFile = await download("/export/csv?table=edges");
    expect([nodesFile.status, edgesFile.status]).toEqual([200, 200]);
    expect(nodesFile.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(edgesFile.headers.get("content-disposition")).toMatch(/-edges\.csv"$/);
    const nodes = parseCsv<Record<string, string>>(nodesFile.text, { columns: true });
    const edges = parseCsv<Record<string, string>>(edgesFile.text, { columns: true });
    expect(Object.keys(nodes[0]!).slice(0, 3)).toEqual(["id", "kind", "label"]);
    expect(Object.keys(edges[0]!).slice(0, 4)).toEqual(["id", "source", "target", "label"]);
    const ids = new Set(nodes.map((n) => n["id"]!));
    expect(ids.size).toBe(nodes.length);
    expect(nodes.filter((n) => n["kind"] === "Person")).toEqual([]);
    expect(nodes.find((n) => n["id"] === "Organisation:hm-revenue-customs")).toMatchObject({ label: "HM Revenue & Customs", acronym: "HMRC" });
    // A closing known only between two snapshots keeps its bounds; the API says the same.
    expect(nodes.find((n) => n["id"] === "Organisation:department-of-finance-and-personnel-for-northern-ireland")).toMatchObject({
      until: "2026-07-20",
      untilEarliest: "2023-01-01",
      untilLatest: "2026-07-20",
    });
    expect(nodes.find((n) => n["id"] === "Organisation:hm-revenue-customs")).toMatchObject({ untilEarliest: "", untilLatest: "" });
    for (const edge of edges)
      if (!isOthers(edge["source"]!) && !isOthers(edge["target"]!)) expect(ids.has(edge["source"]!) && ids.has(edge["target"]!)).toBe(true);
    expect(edges.filter((e) => e["label"] === "PART_OF" && e["provenance"]).length).toBeGreaterThan(100);
  });

  it("writes JSON lines, and npm run export writes the same records from Neo4j", async () => {
    const { status, text } = await download("/export/jsonl?asAt=2022-06-01&withPeople=true", testReader);
    expect(status).toBe(200);
    const records = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ record: "export", asAt: "2022-06-01", withPeople: true });

    const cli = spawnSync(
      process.execPath,
      ["--import", "tsx", resolve(repoRoot, "scripts/export.ts"), "--format", "jsonl", "--as-at", "2022-06-01", "--with-people"],
      {
        cwd: repoRoot,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          ...testNeo4jEnvironment(),
          LOG_LEVEL: "silent",
        },
      },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const fromCli = cli.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const ours = (list: Record<string, unknown>[]) =>
      list
        .filter((r) => r["record"] !== "export" && ![r["id"], r["source"], r["target"]].some((id) => typeof id === "string" && isOthers(id)))
        .map(({ id, ...rest }) => JSON.stringify(rest["record"] === "edge" ? rest : { id, ...rest }))
        .sort();
    expect(ours(fromCli)).toEqual(ours(records));
  });

  it("refuses what it cannot write, naming what was wrong, and people to an anonymous caller", async () => {
    const refusals: [string, TestCaller | null, number, string, RegExp][] = [
      ["/export/graphml?withPeople=true", null, 401, "UNAUTHENTICATED", /reader role.*Without withPeople the export leaves them out/],
      ["/export/pdf", null, 404, "NOT_FOUND", /\/export\/graphml, \/export\/gexf, \/export\/csv, \/export\/jsonl/],
      ["/export/graphml?asAt=1/6/2022", null, 400, "BAD_USER_INPUT", /^asAt: "1\/6\/2022" is not a date/],
      ["/export/graphml?asAt=2023-02-30", testReader, 400, "BAD_USER_INPUT", /^asAt/],
      ["/export/jsonl?withPeople=yes", testReader, 400, "BAD_USER_INPUT", /^withPeople/],
      ["/export/csv", null, 400, "BAD_USER_INPUT", /^table: a CSV file is one table/],
      ["/export/gexf?table=nodes", null, 400, "BAD_USER_INPUT", /^table: not a parameter/],
      ["/export/graphml?limit=10", null, 400, "BAD_USER_INPUT", /^limit: not a parameter/],
    ];
    for (const [path, as, status, code, message] of refusals) {
      const answer = await download(path, as);
      expect(answer.status, path).toBe(status);
      const body = JSON.parse(answer.text) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code, path).toBe(code);
      expect(body.errors[0]!.message, path).toMatch(message);
    }
    const posted = await fetch(`${origin}/export/graphml`, { method: "POST" });
    expect(posted.status).toBe(405);
  });

  it("refuses people to a subgraph asked directly without a reader, as the gateway does", async () => {
    const url = stack.subgraphs.people.running.url.replace(/\/graphql$/, "/export");
    const anonymous = await fetch(`${url}?part=nodes&withPeople=true`, { headers: await headersFor(null) });
    expect(anonymous.status).toBe(401);
    const unsigned = await fetch(`${url}?part=nodes`);
    expect(unsigned.status).toBe(401);
  });

  it("answers 502 naming the part of the graph that is down, and nothing else, while a subgraph is stopped", async () => {
    await stack.stopSubgraph("services");
    try {
      const { status, text } = await download("/export/jsonl");
      expect(status).toBe(502);
      expect(JSON.parse(text)).toMatchObject({
        errors: [{ message: expect.stringMatching(/^Part of the graph \(services\) is unavailable/), extensions: { code: "SUBGRAPH_UNAVAILABLE" } }],
      });
    } finally {
      await stack.restartSubgraph("services");
    }
  });
});
