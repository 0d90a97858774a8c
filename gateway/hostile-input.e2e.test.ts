/**
 * The gateway open to the public: what a hostile client sends, and what it gets back. Each case
 * checks the HTTP status and the message, that nothing internal reaches the client, and that the
 * servers still answer afterwards; the last checks that the stored data is as it was before the suite.
 */
import { createHash } from "node:crypto";
import { buildASTSchema, getNamedType, getNullableType, isInputObjectType, isListType, parse, type GraphQLInputObjectType } from "graphql";
import { transformSupergraphToPublicSchema } from "@theguild/federation-composition";
import type { Driver } from "neo4j-driver";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../platform/config.js";
import { readCommittedSupergraph } from "../schema/compose.js";
import { startStack, testDriver, testNeo4j, testReader, tokenFor, withoutRateLimit, type TestStack } from "../test/helpers.js";
import type { RunningGateway } from "./gateway.js";
import { publicApiSettings } from "./public-api.js";
import { readPersistedDocuments } from "../dashboard/persisted-documents.js";

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  text: string;
}

/** One raw request: the test chooses the method, headers and body as a hostile client would. */
async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: BodyInit; duplex?: "half" } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? "POST",
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.duplex ? { duplex: init.duplex } : {}),
  });
  const text = await response.text();
  let body: Answer["body"] = {};
  try {
    body = JSON.parse(text) as Answer["body"];
  } catch {
    // Not JSON: the assertions on the status and text say so.
  }
  return { status: response.status, headers: response.headers, body, text };
}

const json = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
const postJson = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  send(url, { headers: { ...json, ...headers }, body: JSON.stringify(payload) });

/** Internal detail that must never reach a client: addresses, Cypher, stacks, driver errors, suggestions. */
function expectNothingInternal(answer: Answer, echoed: string[] = []): void {
  // The client's own input may come back in a message ("Variable "$text" got invalid value …"): it is not a leak.
  const text = echoed.reduce((rest, input) => rest.split(JSON.stringify(input).slice(1, -1)).join(""), answer.text);
  expect(text).not.toMatch(
    /127\.0\.0\.1|localhost|https?:\/\/|stacktrace|\bat [\w.<>]+ \(|MATCH \(|CALL \{|Neo4jError|Neo\.ClientError|ECONNREFUSED|Did you mean/i,
  );
}

const messages = (answer: Answer) => answer.body.errors?.map((e) => e.message) ?? [];
const codes = (answer: Answer) => answer.body.errors?.map((e) => e.extensions?.code) ?? [];

/**
 * Each node and relationship the tests did not make (ids starting "test-", audit events), by element
 * id, with a hash of its labels or type, ends and properties. Other test files may run at the same time
 * and write their own data: what existed before is what must be unchanged. The importers' timestamps
 * (importedAt) are left out, as an importer test may load a file again, and so are the services' summaries,
 * which a read counts again when it finds them stale (graph/service-summaries.ts).
 */
async function storedData(driver: Driver): Promise<Map<string, string>> {
  const { records } = await driver.executeQuery(
    `MATCH (n) WHERE NOT n:AuditEvent AND NOT n:ServiceSummary AND NOT n:SummaryState AND NOT coalesce(toString(n.id), "") STARTS WITH "test-"
     RETURN elementId(n) AS key, labels(n) AS shape, properties(n) AS properties
     UNION ALL
     MATCH (a)-[r]->(b) WHERE NOT coalesce(toString(a.id), "") STARTS WITH "test-" AND NOT coalesce(toString(b.id), "") STARTS WITH "test-"
     RETURN elementId(r) AS key, [type(r), elementId(a), elementId(b)] AS shape, properties(r) AS properties`,
    {},
    { database: testNeo4j().database },
  );
  return new Map(
    records.map((record) => {
      const { importedAt: _, ...properties } = record.get("properties") as Record<string, unknown>;
      const sorted = Object.keys(properties)
        .sort()
        .map((key) => [key, properties[key]]);
      return [
        record.get("key") as string,
        createHash("sha256")
          .update(JSON.stringify([record.get("shape"), sorted]))
          .digest("hex"),
      ];
    }),
  );
}

/** What injection looks like to Cypher, Lucene (the full-text search) and C strings. */
const injections = [
  `"}) MATCH (n) DETACH DELETE n //`,
  `' OR 1=1 --`,
  "\u0000",
  `*:* OR name:* AND "\\`,
  "x` ) DETACH DELETE n //",
  "%' UNION ALL CALL db.labels() YIELD label RETURN label //",
];

/**
 * Every argument of the public queries that filters by text: the analysis fields' ids and search
 * text, their cursors, and the generated fields' `where` on ids and names with each string operator.
 * Each selects one field of what it finds, under an alias per injection.
 */
function filterOperations(): { name: string; type: string; field: (v: string) => string }[] {
  const schema = buildASTSchema(transformSupergraphToPublicSchema(parse(readCommittedSupergraph())));
  const analysis = [
    { name: "search(text)", type: "String!", field: (v: string) => `search(text: ${v}, first: 5) { totalCount }` },
    { name: "search(after)", type: "String", field: (v: string) => `search(text: "tax", first: 1, after: ${v}) { totalCount }` },
    { name: "organisationLinks(organisationId)", type: "ID!", field: (v: string) => `organisationLinks(organisationId: ${v}, first: 5) { totalCount }` },
    {
      name: "organisationLinks(after)",
      type: "String",
      field: (v: string) => `organisationLinks(organisationId: "companies-house", first: 1, after: ${v}) { totalCount }`,
    },
    // With a real id beside it: one id alone is refused before any query (the matrix needs two).
    {
      name: "departmentMatrix(organisationIds)",
      type: "ID!",
      field: (v: string) => `departmentMatrix(organisationIds: [${v}, "hm-revenue-customs"]) { links { strength } }`,
    },
    { name: "brokers(organisationId)", type: "ID", field: (v: string) => `brokers(organisationId: ${v}, first: 5) { edges { node { organisationCount } } }` },
    { name: "brokers(after)", type: "String", field: (v: string) => `brokers(first: 1, after: ${v}) { edges { node { organisationCount } } }` },
    { name: "path(fromId)", type: "ID!", field: (v: string) => `path(fromId: ${v}, toId: "companies-house") { length }` },
    { name: "path(toId)", type: "ID!", field: (v: string) => `path(fromId: "demo-person-01", toId: ${v}) { length }` },
    { name: "journey(serviceId)", type: "ID!", field: (v: string) => `journey(serviceId: ${v}) { handoffCount }` },
    {
      name: "journey(organisationIds, professionIds)",
      type: "ID!",
      field: (v: string) => `journey(serviceId: "starting-a-business", organisationIds: [${v}], professionIds: [${v}]) { handoffCount }`,
    },
    { name: "journey(serviceId, asAt)", type: "ID!", field: (v: string) => `journey(serviceId: ${v}, asAt: "2022-06-01") { asAt }` },
    { name: "handoffs(serviceId)", type: "ID", field: (v: string) => `handoffs(serviceId: ${v}, first: 5) { totalCount }` },
    { name: "handoffs(after)", type: "String", field: (v: string) => `handoffs(first: 1, after: ${v}) { totalCount }` },
    {
      name: "servicesByHandoffs(after)",
      type: "String",
      field: (v: string) => `servicesByHandoffs(first: 1, after: ${v}) { edges { node { handoffCount } } }`,
    },
    { name: "gaps(serviceId)", type: "ID", field: (v: string) => `gaps(serviceId: ${v}, first: 5) { totalCount }` },
    { name: "gaps(after)", type: "String", field: (v: string) => `gaps(first: 1, after: ${v}) { totalCount }` },
  ];
  const generated = Object.values(schema.getQueryType()!.getFields()).flatMap((root) => {
    const where = root.args.find((a) => a.name === "where");
    if (!where) return [];
    const whereType = getNamedType(where.type) as GraphQLInputObjectType;
    const selection = root.name.endsWith("Connection") ? "{ totalCount }" : "{ id }";
    return ["id", "name"].flatMap((property) => {
      const filter = whereType.getFields()[property];
      const filterType = filter && getNamedType(filter.type);
      if (!filterType || !isInputObjectType(filterType)) return [];
      return Object.values(filterType.getFields()).map((operator) => {
        // `in` takes a list: the injection goes in as its one item.
        const list = isListType(getNullableType(operator.type));
        return {
          name: `${root.name}(where: { ${property}: { ${operator.name} } })`,
          type: list ? `${getNamedType(operator.type).name}!` : getNamedType(operator.type).name,
          field: (v: string) =>
            `${root.name}(where: { ${property}: { ${operator.name}: ${list ? `[${v}]` : v} } }, ${root.name.endsWith("Connection") ? "first" : "limit"}: 5) ${selection}`,
        };
      });
    });
  });
  return [...analysis, ...generated];
}

describe("the gateway under hostile input", () => {
  let stack: TestStack;
  let driver: Driver;
  let before: Map<string, string>;
  /** Development settings, the rate limit off: the suite's own requests must not trip it. */
  let url: string;
  let production: RunningGateway;
  let trusted: RunningGateway;
  let limited: RunningGateway;
  const development = publicApiSettings(parseConfig({}));
  const normalQuery = `{ organisations(where: { id: { eq: "companies-house" } }) { name } }`;

  beforeAll(async () => {
    driver = testDriver();
    before = await storedData(driver);
    stack = await startStack();
    url = stack.gateway.url;
    production = await stack.startGateway(withoutRateLimit(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production" }))));
    trusted = await stack.startGateway(
      withoutRateLimit(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production", GATEWAY_TRUSTED_DOCUMENTS: "true" }))),
    );
    limited = await stack.startGateway({ ...development, limits: { ...development.limits, rateLimit: { burst: 3, perSecond: 0.1 } } });
    // The first journey plans its queries at the gateway and in Neo4j, which on a busy machine can outlast the
    // subgraph timeout; these cases are about what the input does, not about a cold start.
    await postJson(url, { query: `{ journey(serviceId: "starting-a-business") { handoffCount } }` });
  });

  afterAll(async () => {
    await stack?.close();
    await driver?.close();
  });

  // The servers stay up: an ordinary query still works after each case.
  afterEach(async () => {
    const answer = await postJson(url, { query: normalQuery });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
  });

  describe("documents over a limit, refused before they run", () => {
    it("deep nesting", async () => {
      const query = `{ organisations(limit: 1) { ${"parents { ".repeat(30)}id${" }".repeat(30)} } }`;
      const answer = await postJson(url, { query });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toContain("Query depth limit of 12 exceeded, found 32.");
      expectNothingInternal(answer);
    });

    it("an alias flood", async () => {
      const query = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: organisations(limit: 1000) { id }`).join(" ")} }`;
      const answer = await postJson(url, { query });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(["Aliases limit of 15 exceeded, found 40."]);
      expectNothingInternal(answer);
    });

    it("an alias flood of __typename (cheap for the server, but no exemption)", async () => {
      const answer = await postJson(url, { query: `{ ${Array.from({ length: 200 }, (_, i) => `t${i}: __typename`).join(" ")} }` });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(["Aliases limit of 15 exceeded, found 200."]);
    });

    it("a field flood (one field repeated until the document is all tokens)", async () => {
      const answer = await postJson(url, { query: `{ organisations(limit: 1) { ${"name ".repeat(5000)}} }` });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(["Syntax Error: Token limit of 1000 exceeded."]);
      expectNothingInternal(answer);
    });

    it("a huge document (under the body limit, over the token limit)", async () => {
      const query = `query Huge { ${Array.from({ length: 2000 }, (_, i) => `f${i}: __typename`).join(" ")} }`;
      expect(query.length).toBeGreaterThan(20_000);
      const answer = await postJson(url, { query });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(["Syntax Error: Token limit of 1000 exceeded."]);
    });

    it("a costly document (many fields deep down)", async () => {
      const query = `{ organisations(limit: 1) { ${"parents(limit: 1) { ".repeat(9)}${"id ".repeat(170)}${" }".repeat(9)} } }`;
      const answer = await postJson(url, { query });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual([
        "This document's cost (its fields, weighted by depth) is 10,030, more than the 10,000 this API accepts: ask for fewer fields.",
      ]);
    });

    it("wide lists inside wide lists, by the list items they may give, not by their cost", async () => {
      const answer = await postJson(url, { query: "{ organisationsConnection(first: 1000) { edges { node { id name acronym children { id name } } } } }" });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual([
        "This document may ask for 101,000 list items, more than the 100,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
      ]);
    });

    it("circular fragments", async () => {
      const query =
        "query Loop { organisations(limit: 1) { ...A } } fragment A on Organisation { parents { ...B } } fragment B on Organisation { children { ...A } }";
      const answer = await postJson(url, { query });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toContain('Cannot spread fragment "A" within itself via "B".');
      expectNothingInternal(answer);
    });

    it("an unknown field, without suggesting the names it resembles", async () => {
      const answer = await postJson(url, { query: "{ service { nam } }" });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(['Cannot query field "service" on type "Query".']);
      expectNothingInternal(answer);
    });

    it("an alias named then, which promise helpers take for a promise, answered as any alias", async () => {
      const answer = await postJson(stack.gateway.url, {
        query: '{ then: organisations(where: { id: { eq: "companies-house" } }) { then: id then_: name } }',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { then: [{ then: "companies-house", then_: "Companies House" }] } });
      // As a table too, the column named by the alias.
      const table = await send(stack.gateway.url, {
        headers: { "content-type": "application/json", accept: "text/csv" },
        body: JSON.stringify({ query: '{ then: organisations(where: { id: { eq: "companies-house" } }) { then: id } }' }),
      });
      expect(table.text.split(/\r?\n/)[0]).toBe("then");
      // A refusal keeps the client's path: anonymous callers may not read brokers.
      const refused = await postJson(stack.gateway.url, { query: "{ then: brokers(first: 1) { totalCount } }" });
      expect(refused.body.errors?.map((e) => [e.extensions?.code, (e as { path?: unknown }).path])).toEqual([["UNAUTHENTICATED", ["then"]]]);
    });

    it("a misspelt enum value in a variable, without suggesting the right one", async () => {
      const answer = await postJson(url, {
        query: 'query ($lanes: [Lane!]) { journey(serviceId: "starting-a-business", lanes: $lanes) { asAt } }',
        variables: { lanes: ["FRONTSTAG"] },
      });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(['Variable "$lanes" got invalid value "FRONTSTAG" at "lanes[0]"; Value "FRONTSTAG" does not exist in "Lane" enum.']);
      expectNothingInternal(answer);
    });
  });

  describe("a small document that fans out over nested lists", () => {
    it("is refused by the count of list items it may ask for, though within depth, tokens and cost", async () => {
      // 30 tokens, depth 6: answered, it was 45 MB that held a subgraph's event loop for 4 s and the next query timed out.
      const fanOut = "{ organisations(limit: 1000) { parents { children(limit: 1000) { parents { children(limit: 1000) { id } } } } } }";
      const answer = await postJson(url, { query: fanOut });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual([
        "This document may ask for 10,010,100,101,000 list items, more than the 100,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
      ]);
      expectNothingInternal(answer);
      expect((await postJson(url, { query: normalQuery })).status).toBe(200);
    });

    it("counts sizes given as variables on every request, though the document was checked before", async () => {
      const byVariable = "query Fan($n: Int) { organisations(limit: $n) { children(limit: $n) { children(limit: $n) { children(limit: $n) { id } } } } }";
      expect((await postJson(url, { query: byVariable, variables: { n: 2 } })).status).toBe(200);
      const large = await postJson(url, { query: byVariable, variables: { n: 1000 } });
      expect(large.status).toBe(400);
      expect(messages(large)[0]).toMatch(/^This document may ask for 1,001,001,001,000 list items/);
      expect((await postJson(url, { query: byVariable, variables: { n: 2 } })).status).toBe(200);
    });
  });

  describe("a filter through many relationships", () => {
    // Each relationship filter is a subquery Neo4j plans before it runs: unbounded, an OR of four one-level
    // `all` filters planned for 4 s, and ten new shapes of two levels kept Neo4j planning until each timed out.
    const all = (n: number, text: string) =>
      `{ children: { all: ${"{ children: { all: ".repeat(n - 1)}{ name: { contains: "${text}" } }${" } }".repeat(n - 1)} } }`;
    const either = (filters: string[]) => `{ organisations(where: { OR: [${filters.join(", ")}] }, limit: 5) { id } }`;

    it("is refused before it runs, naming the argument, though within tokens, depth and cost; three are answered", async () => {
      const shapes = Array.from({ length: 10 }, (_, i) => either(Array.from({ length: 4 + (i % 3) }, (_, j) => all(1 + ((i + j) % 2), `attack ${i} ${j}`))));
      const answers = await Promise.all(shapes.map((query) => postJson(url, { query })));
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
        expect(messages(answer)[0]).toMatch(
          /^"where" of "organisations" filters through \d+ relationships \(children\), [12] nested: this API plans at most 3/,
        );
        expectNothingInternal(answer);
      }
      const three = await postJson(url, { query: either([all(1, "a"), all(1, "b"), all(1, "c")]) });
      expect(three.status).toBe(200);
      expect(codes(three)).toEqual([]);
      expect(Array.isArray(three.body.data?.["organisations"])).toBe(true);
      const byVariable = await postJson(url, {
        query: "query ($w: OrganisationWhere) { organisations(where: $w, limit: 5) { id } }",
        variables: { w: { children: { all: { children: { all: { children: { all: { id: { eq: "x" } } } } } } } } },
      });
      expect(byVariable.status).toBe(400);
      expect(messages(byVariable)[0]).toMatch(/3 nested/);
      expect((await postJson(url, { query: normalQuery })).status).toBe(200);
    });
  });

  describe("requests refused before they are parsed", () => {
    it("a batch of operations (a JSON array)", async () => {
      const answer = await postJson(url, [{ query: "{ __typename }" }, { query: "{ __typename }" }]);
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual(["Batching is not supported."]);
    });

    it("a body over the limit, by its Content-Length", async () => {
      const answer = await postJson(url, {
        query: "query ($text: String!) { search(text: $text, first: 1) { totalCount } }",
        variables: { text: "x".repeat(100_000) },
      });
      expect(answer.status).toBe(413);
      expect(messages(answer)).toEqual(["The request body is larger than the 65536 bytes this API accepts."]);
      expect(codes(answer)).toEqual(["REQUEST_ENTITY_TOO_LARGE"]);
    });

    it("a body over the limit, streamed without a Content-Length", async () => {
      const chunk = new TextEncoder().encode(`{"query":"{ __typename }","variables":{"pad":"${"x".repeat(20_000)}`);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 5; i++) controller.enqueue(chunk);
          controller.enqueue(new TextEncoder().encode(`"}}`));
          controller.close();
        },
      });
      const answer = await send(url, { headers: json, body, duplex: "half" });
      expect(answer.status).toBe(413);
      expect(messages(answer)).toEqual(["The request body is larger than the 65536 bytes this API accepts."]);
    });

    it("a mutation by GET", async () => {
      const query = `mutation { deleteOrganisations(where: { id: { eq: "companies-house" } }) { nodesDeleted } }`;
      const answer = await send(`${url}?query=${encodeURIComponent(query)}`, { method: "GET", headers: { accept: "application/json" } });
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST");
      expect(messages(answer)).toEqual(["Can only perform a mutation operation from a POST request."]);
    });

    it.each([
      [
        "text/plain",
        "text/plain;charset=UTF-8",
        JSON.stringify({ query: `mutation { deleteOrganisations(where: { id: { eq: "companies-house" } }) { nodesDeleted } }` }),
      ],
      [
        "a form",
        "application/x-www-form-urlencoded",
        `query=${encodeURIComponent(`mutation { deleteOrganisations(where: { id: { eq: "companies-house" } }) { nodesDeleted } }`)}`,
      ],
      [
        "multipart",
        "multipart/form-data; boundary=x",
        `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"mutation { deleteOrganisations(where: { id: { eq: \\"companies-house\\" } }) { nodesDeleted } }"}\r\n--x--\r\n`,
      ],
    ])("a mutation posted as %s (what a page on another site can send without asking)", async (_, contentType, body) => {
      const answer = await send(url, { headers: { "content-type": contentType }, body });
      expect(answer.status).toBe(415);
      expect(messages(answer)).toEqual([`This API accepts a POST only as JSON (Content-Type: application/json), not as ${contentType.split(";")[0]}.`]);
      expect(codes(answer)).toEqual(["UNSUPPORTED_MEDIA_TYPE"]);
    });
  });

  describe("variables", () => {
    it.each([
      ["a string for an Int", { first: "ten" }, 'Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"'],
      [
        "an Int beyond 32 bits",
        { first: 2 ** 53 },
        'Variable "$first" got invalid value 9007199254740992; Int cannot represent non 32-bit signed integer value: 9007199254740992',
      ],
      [
        "an object for a String",
        { text: { $ne: null } },
        'Variable "$text" got invalid value { $ne: null }; String cannot represent a non string value: { $ne: null }',
      ],
      ["a list for a String", { text: ["a", "b"] }, 'Variable "$text" got invalid value ["a", "b"]; String cannot represent a non string value: ["a", "b"]'],
    ])("refuses %s, naming the variable", async (_, variables, message) => {
      const answer = await postJson(url, {
        query: 'query ($text: String = "tax", $first: Int = 5) { search(text: $text, first: $first) { totalCount } }',
        variables,
      });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toEqual([message]);
      expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
    });

    it("refuses an oversized string under the body limit as input, without running it into the database", async () => {
      const text = "tax ".repeat(15_000);
      const answer = await postJson(url, { query: "query ($text: String!) { search(text: $text, first: 5) { totalCount } }", variables: { text } });
      expect(answer.status).toBe(200);
      expect(messages(answer)).toEqual(['"text" is too long: at most 200 characters and 12 words.']);
      expect(codes(answer)).toEqual(["BAD_USER_INPUT"]);
      expectNothingInternal(answer);
    });
  });

  describe("injection strings in every filter argument", () => {
    const operations = filterOperations();

    it("covers the analysis fields and every generated list's id and name filters", () => {
      expect(operations.length).toBeGreaterThan(100);
    });

    // One request per string (aliases of one field would share one subgraph call and one error).
    // As a reader: an anonymous caller's filters on people are refused before they reach the database.
    it.each(operations.map((op) => [op.name, op] as const))("%s", async (_, op) => {
      const reader = { authorization: `Bearer ${await tokenFor(testReader)}` };
      for (const value of injections) {
        const answer = await postJson(url, { query: `query Injection($v: ${op.type}) { ${op.field("$v")} }`, variables: { v: value } }, reader);
        expect(answer.status, value).toBe(200);
        // Nothing found, or the input refused as input: never a database or internal error.
        expect(
          codes(answer).filter((code) => code !== "BAD_USER_INPUT"),
          value,
        ).toEqual([]);
        expectNothingInternal(answer, [value]);
      }
    });
  });

  describe("production mode", () => {
    it("refuses introspection", async () => {
      const answer = await postJson(production.url, { query: "{ __schema { types { name } } }" });
      expect(answer.status).toBe(400);
      expect(messages(answer)).toContain('GraphQL introspection has been disabled, but the requested query contained the field "__schema".');
      const type = await postJson(production.url, { query: '{ __type(name: "Organisation") { fields { name } } }' });
      expect(messages(type)).toContain('GraphQL introspection has been disabled, but the requested query contained the field "__type".');
    });

    it("does not serve the IDE", async () => {
      const answer = await send(production.url, { method: "GET", headers: { accept: "text/html" } });
      expect(answer.status).toBe(404);
      expect(messages(answer)).toEqual(["The GraphQL IDE is turned off on this server; send GraphQL requests as a POST with a JSON body."]);
      expect(answer.text).not.toContain("<html");
    });

    it("still answers ordinary queries", async () => {
      expect((await postJson(production.url, { query: normalQuery })).body).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
    });
  });

  describe("trusted documents", () => {
    const documents = [...readPersistedDocuments()];
    const journeyMap = documents.find(([, text]) => text.includes("query JourneyMap"))!;

    it("refuses a document that is not in the manifest, by id or by text", async () => {
      const unknown = await postJson(trusted.url, { documentId: createHash("sha256").update(normalQuery).digest("hex") });
      expect(unknown.status).toBe(400);
      expect(messages(unknown)).toEqual(["This API runs only its trusted documents, and the documentId sent is not one of them."]);
      const text = await postJson(trusted.url, { query: normalQuery });
      expect(text.status).toBe(400);
      expect(messages(text)).toEqual(["This API runs only its trusted documents: send the documentId of one instead of a query."]);
      // The text of a trusted document is no key either: only its id is.
      const trustedText = await postJson(trusted.url, { query: journeyMap[1], variables: { serviceId: "starting-a-business" } });
      expect(trustedText.status).toBe(400);
    });

    it("runs the dashboard's documents by id", async () => {
      const answer = await postJson(trusted.url, { documentId: journeyMap[0], operationName: "JourneyMap", variables: { serviceId: "starting-a-business" } });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect((answer.body.data?.["journey"] as { stages: unknown[] }).stages).toHaveLength(9);
    });

    it("runs the same ids in development, where any document is accepted too", async () => {
      const answer = await postJson(url, { documentId: journeyMap[0], variables: { serviceId: "starting-a-business" } });
      expect(answer.body.errors).toBeUndefined();
    });
  });

  describe("rate limit (a bucket of 3, refilled every 10 s)", () => {
    it("refuses a client once its bucket is empty, with Retry-After, and keys a token's requests on its subject", async () => {
      const anonymous = [];
      for (let i = 0; i < 4; i++) anonymous.push(await postJson(limited.url, { query: "{ __typename }" }));
      expect(anonymous.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      const refused = anonymous[3]!;
      expect(messages(refused)).toEqual([expect.stringMatching(/^Too many requests from this client: try again in \d+ s\.$/)]);
      expect(codes(refused)).toEqual(["RATE_LIMITED"]);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

      // The same address, but a verified subject: a bucket of its own, which empties the same way.
      const reader = { authorization: `Bearer ${await tokenFor(testReader)}` };
      const signedIn = [];
      for (let i = 0; i < 4; i++) signedIn.push(await postJson(limited.url, { query: "{ __typename }" }, reader));
      expect(signedIn.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      expect(messages(signedIn[3]!)).toEqual([expect.stringMatching(/^Too many requests from this client/)]);
      expect(signedIn[3]!.headers.get("retry-after")).toMatch(/^\d+$/);

      // Guessing tokens: each refused token counts against the address, which is then refused before its token is checked.
      const forged = { authorization: `Bearer ${await tokenFor(testReader, { secret: "a-guessed-secret-a-guessed-secret-a-guess" })}` };
      const guesses = [];
      for (let i = 0; i < 4; i++) guesses.push(await postJson(limited.url, { query: "{ __typename }" }, forged));
      expect(guesses.map((a) => a.status)).toEqual([401, 401, 401, 429]);
      expect(codes(guesses[3]!)).toEqual(["RATE_LIMITED"]);
    });

    it("answers a request that costs more than a whole bucket once the bucket is full, and then waits for it to refill", async () => {
      // 5,000 list items cost 5 tokens, more than the bucket of 3: it costs the whole bucket instead.
      const big = await stack.startGateway({ ...development, limits: { ...development.limits, rateLimit: { burst: 3, perSecond: 0.1 } } });
      const query = `{ ${["a", "b", "c", "d", "e"].map((alias) => `${alias}: organisations(limit: 1000) { id }`).join(" ")} }`;
      const first = await postJson(big.url, { query });
      expect([first.status, codes(first)]).toEqual([200, []]);
      const second = await postJson(big.url, { query });
      expect([second.status, codes(second)]).toEqual([429, ["RATE_LIMITED"]]);
    });

    it("counts a request with any Authorization header whose document never runs against its address", async () => {
      // The test above emptied this address's buckets at `limited`: a gateway of its own starts them full.
      const junk = await stack.startGateway({ ...development, limits: { ...development.limits, rateLimit: { burst: 3, perSecond: 0.1 } } });
      const header = { authorization: "Bearer x.y.z" };
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await postJson(junk.url, { query: "{" }, header));
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 429]);
      expect(codes(answers[3]!)).toEqual(["RATE_LIMITED"]);
    });
  });

  it("left every node and relationship it found as it was", async () => {
    const after = await storedData(driver);
    const changed = [...before].filter(([key, hash]) => after.get(key) !== hash).map(([key]) => key);
    console.log(
      `stored data: ${before.size} nodes and relationships before, ${[...before.keys()].filter((k) => after.has(k)).length} of them after, ${changed.length} changed or gone`,
    );
    expect(changed).toEqual([]);
    expect(before.size).toBeGreaterThan(1000);
  });
});
