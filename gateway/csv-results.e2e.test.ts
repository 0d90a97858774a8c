/**
 * Every analysis answer as a CSV table, through the gateway: the query sent with `Accept: text/csv`,
 * the answer read back by csv-parse, one row per item of the analysis's list with the fields asked for.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headersFor, startStack, testReader, type TestCaller, type TestStack } from "../test/helpers.js";

/** Each analysis field, a query asking for it, and a column its table must have. */
const analyses: [string, string, string][] = [
  [
    "journey",
    `{ journey(serviceId: "starting-a-business") { stages { stage { position name } responsibilities { lane organisation { name } } } } }`,
    "responsibilities.organisation.name",
  ],
  ["stagePeople", `{ stagePeople(stageId: "sab-choose-a-structure") { edges { role node { name } organisations { acronym } } } }`, "role"],
  [
    "handoffs",
    `{ handoffs(serviceId: "starting-a-business") { edges { node { fromStage { name } toStage { name } from { acronym } to { acronym } } } } }`,
    "to.acronym",
  ],
  ["servicesByHandoffs", `{ servicesByHandoffs(first: 10) { edges { node { service { name } handoffCount stageCount } } } }`, "service.name"],
  ["gaps", `{ gaps(serviceId: "starting-a-business") { edges { node { kind stage { name } profession { name } } } } }`, "kind"],
  ["ownershipScorecard", `{ ownershipScorecard(first: 10) { edges { node { department { acronym } serviceCount gapCount } } } }`, "department.acronym"],
  ["serviceCounts", `{ serviceCounts(by: PHASE) { edges { node { key serviceCount } } } }`, "serviceCount"],
  ["search", `{ search(text: "company") { edges { node { type name score } } } }`, "score"],
  [
    "organisationLinks",
    `{ organisationLinks(organisationId: "hm-revenue-customs") { edges { node { organisation { acronym } strength evidence { kind name } } } } }`,
    "evidence.kind",
  ],
  [
    "departmentMatrix",
    `{ departmentMatrix(organisationIds: ["hm-revenue-customs", "department-for-work-pensions", "companies-house"]) { links { from { acronym } organisation { acronym } strength } } }`,
    "from.acronym",
  ],
  ["changes", `{ changes(from: "2022-01-01") { edges { node { kind date description source } } } }`, "description"],
  ["countsOverTime", `{ countsOverTime(departmentIds: ["hm-revenue-customs"]) { date department { acronym } organisationCount peopleCount } }`, "date"],
  ["brokers", `{ brokers(first: 5) { edges { node { person { name } organisationCount communityCount } } } }`, "person.name"],
  ["path", `{ path(fromId: "demo-person-01", toId: "the-pensions-regulator") { length steps { kind name via } } }`, "name"],
];

describe("analysis answers as CSV, through the gateway", () => {
  let stack: TestStack;
  const ask = async (query: string, accept = "text/csv, application/json", as: TestCaller | null = testReader) => {
    const response = await fetch(stack.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept, ...(await headersFor(as)) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  beforeAll(async () => {
    stack = await startStack();
    // A matrix's first run in a process compiles for seconds, which could outlast the gateway's 5 s: run once on the subgraph.
    await fetch(stack.subgraphs.organisations.running.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await headersFor(testReader)) },
      body: JSON.stringify({ query: analyses.find(([field]) => field === "departmentMatrix")![1] }),
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it.each(analyses)("gives %s as a table a spreadsheet reads", async (field, query, column) => {
    const { status, headers, text } = await ask(query);
    expect(status, text).toBe(200);
    expect(headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(headers.get("content-disposition")).toBe(`attachment; filename="${field}.csv"`);
    const rows = parseCsv<Record<string, string>>(text, { columns: true });
    expect(rows.length, text).toBeGreaterThan(0);
    expect(Object.keys(rows[0]!)).toContain(column);
  });

  it("writes a page's nodes as rows, nested fields as dotted columns and lists in one cell", async () => {
    const { text } = await ask(analyses[0]![1]);
    const rows = parseCsv<Record<string, string>>(text, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual(["stage.position", "stage.name", "responsibilities.lane", "responsibilities.organisation.name"]);
    const register = rows.find((row) => row["stage.name"] === "Register the company")!;
    expect(register["responsibilities.organisation.name"]!.split("; ")).toContain("Companies House");
  });

  it("keeps a list's values in step across its columns when one of them is null", async () => {
    // Companies House has no acronym (its acronym would be its name): its place in the cell stays, empty.
    const { text } = await ask(
      `{ journey(serviceId: "starting-a-business") { stages { stage { name } responsibilities { lane organisation { name acronym } } } } }`,
    );
    const rows = parseCsv<Record<string, string>>(text, { columns: true });
    const register = rows.find((row) => row["stage.name"] === "Register the company")!;
    const names = register["responsibilities.organisation.name"]!.split("; ");
    const acronyms = register["responsibilities.organisation.acronym"]!.split("; ");
    expect(acronyms).toHaveLength(names.length);
    expect(acronyms[names.indexOf("Companies House")]).toBe("");
    for (const row of rows) expect(row["responsibilities.lane"]!.split("; ").length).toBe(row["responsibilities.organisation.acronym"]!.split("; ").length);
  });

  it("answers JSON with the errors when the query fails, and for more than one root field", async () => {
    const refused = await ask(`{ journey(serviceId: "starting-a-business", asAt: "1/6/2022") { asAt } }`, "text/csv, application/json");
    expect(refused.headers.get("content-type")).toMatch(/json/);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const two = await ask(`{ a: serviceCounts(by: PHASE) { totalCount } b: serviceCounts(by: THEME) { totalCount } }`, "text/csv, application/json");
    expect(two.headers.get("content-type")).toMatch(/json/);
    expect(JSON.parse(two.text).data.a.totalCount).toBeGreaterThan(0);
  });
});
