import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getIntrospectionQuery, isObjectType, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../platform/config.js";
import { publicApiSchema } from "../schema/compose.js";
import {
  clientAddress,
  documentLimitViolations,
  limitsFromConfig,
  rateLimitCost,
  rateLimitKey,
  TokenBuckets,
  variablesProblem,
  withoutSuggestions,
} from "./limits.js";
import { countListItems, sizeBounds } from "./list-items.js";
import { DocumentCache, estimatedBytes } from "./document-cache.js";
import { publicApiSettings } from "./public-api.js";

const schema = publicApiSchema();
const defaults = limitsFromConfig(parseConfig({}));

const operationFiles = ["examples", "../dashboard/client/operations"].flatMap((dir) =>
  readdirSync(resolve(import.meta.dirname, dir))
    .filter((f) => f.endsWith(".graphql"))
    .map((f) => resolve(import.meta.dirname, dir, f)),
);

describe("the gateway's default limits", () => {
  it("are the documented ones", () => {
    expect(defaults).toEqual({
      maxDepth: 12,
      maxAliases: 15,
      maxTokens: 1000,
      maxCost: 10_000,
      maxListItems: 100_000,
      maxBodyBytes: 65_536,
      maxBatch: 0,
      maxVariablesDepth: 16,
      maxVariableValues: 5000,
      documentCacheBytes: 16_000_000,
      rateLimit: { burst: 300, perSecond: 10 },
      trustedProxies: 0,
    });
  });

  it.each(operationFiles.map((file) => [file.slice(resolve(import.meta.dirname, "..").length + 1), file]))("pass %s", (_, file) => {
    const text = readFileSync(file, "utf8");
    expect(documentLimitViolations(schema, text, defaults)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify({ query: text, variables: {} }))).toBeLessThan(defaults.maxBodyBytes);
  });

  it("pass the IDE's introspection query (development)", () => {
    expect(documentLimitViolations(schema, getIntrospectionQuery(), defaults)).toEqual([]);
  });

  it("refuse, each with a message that names its limit, a document over it", () => {
    const nested = (depth: number) => `{ organisations(limit: 1) { ${"parents(limit: 1) { ".repeat(depth)}id${" }".repeat(depth)} } }`;
    expect(documentLimitViolations(schema, nested(10), defaults)).toEqual([]);
    expect(documentLimitViolations(schema, nested(11), defaults)).toContain("Query depth limit of 12 exceeded, found 13.");
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    expect(documentLimitViolations(schema, aliases(15), defaults)).toEqual([]);
    expect(documentLimitViolations(schema, aliases(16), defaults)).toEqual(["Aliases limit of 15 exceeded, found 16."]);
    expect(documentLimitViolations(schema, `{ ${"__typename ".repeat(1001)}}`, defaults)).toEqual(["Syntax Error: Token limit of 1000 exceeded."]);
    // Fields weighted by depth: many at the bottom of ten nested lists of one item.
    const deepAndWide = (n: number) => `{ organisations(limit: 1) { ${"parents(limit: 1) { ".repeat(9)}${"id ".repeat(n)}${" }".repeat(9)} } }`;
    expect(documentLimitViolations(schema, deepAndWide(160), defaults)).toEqual([]);
    expect(documentLimitViolations(schema, deepAndWide(170), defaults)).toEqual([
      "This document's cost (its fields, weighted by depth) is 10,030, more than the 10,000 this API accepts: ask for fewer fields.",
    ]);
    // A page's size is the list items' to count, written as a literal or as a variable alike: not a cost.
    expect(
      documentLimitViolations(schema, "{ organisationsConnection(first: 1000) { edges { node { id name acronym children { id name } } } } }", defaults),
    ).toEqual([
      "This document may ask for 101,000 list items, more than the 100,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
    ]);
    // Lists in lists: within depth, cost and tokens, yet up to 10^13 organisations (45 MB when tried).
    const fanOut = "{ organisations(limit: 1000) { parents { children(limit: 1000) { parents { children(limit: 1000) { id } } } } } }";
    expect(documentLimitViolations(schema, fanOut, defaults)).toEqual([
      "This document may ask for 10,010,100,101,000 list items, more than the 100,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
    ]);
    const byVariable = "query ($n: Int) { organisations(limit: $n) { children(limit: $n) { children(limit: $n) { id } } } }";
    expect(documentLimitViolations(schema, byVariable, defaults, { n: 10 })).toEqual([]);
    expect(documentLimitViolations(schema, byVariable, defaults, { n: 1000 })).toHaveLength(1);
  });
});

describe("the bound on relationship filters", () => {
  const refusals = (query: string, variables: Record<string, unknown> = {}) => countListItems(schema, parse(query), variables).badArguments;
  const leaf = '{ name: { contains: "x" } }';
  const all = (inner: string) => `{ children: { all: ${inner} } }`;

  it("plans up to three in a filter, two nested, and refuses more, naming the argument, written as a literal or a variable", () => {
    expect(refusals(`{ organisations(where: ${all(all(leaf))}, limit: 5) { id } }`)).toEqual([]);
    expect(refusals(`{ organisations(where: { OR: [${all(leaf)}, ${all(leaf)}, { department: ${leaf} }] }, limit: 5) { id } }`)).toEqual([]);
    // An OR of four one-level filters took 4 s of Neo4j's planning on the demo graph; three nested, the query timeout.
    const four = refusals(`{ organisations(where: { OR: [${[1, 2, 3, 4].map(() => all(leaf)).join(", ")}] }, limit: 5) { id } }`);
    expect(four.map((e) => [e.message, e.extensions["code"], e.extensions["argument"]])).toEqual([
      [
        '"where" of "organisations" filters through 4 relationships (children), 1 nested: this API plans at most 3 in one filter, 2 nested, in time. Filter through fewer, or ask in steps.',
        "BAD_USER_INPUT",
        "where",
      ],
    ]);
    expect(refusals(`{ organisations(where: ${all(all(all(leaf)))}, limit: 5) { id } }`)[0]?.message).toMatch(/3 relationships \(children\), 3 nested/);
    // Through a connection's filter, a @cypher field's, inside a nested list's where, and in a variable.
    expect(
      refusals(
        `{ organisations(limit: 1) { children(where: { childrenConnection: { some: { node: { parents: { all: { department: ${leaf} } } } } } }) { id } } }`,
      )[0]?.message,
    ).toMatch(/^"where" of "children" filters through 3 relationships \(childrenConnection, parents, department\), 3 nested/);
    const byVariable = "query ($w: OrganisationWhere) { organisations(where: $w, limit: 5) { id } }";
    expect(refusals(byVariable, { w: { children: { all: { children: { all: { name: { eq: "x" } } } } } } })).toEqual([]);
    expect(refusals(byVariable, { w: { children: { all: { children: { all: { children: { none: { name: { eq: "x" } } } } } } } } })).toHaveLength(1);
  });
});

describe("the count of list items", () => {
  const items = (query: string, variables: Record<string, unknown> = {}) => [...countListItems(schema, parse(query), variables).items.values()][0];
  const refused = (query: string, variables: Record<string, unknown> = {}) =>
    countListItems(schema, parse(query), variables).badArguments.map((e) => [e.message, e.extensions]);

  it("counts the fan-out that took the organisations subgraph down at what the server gives each list (10^7, not 1.37 million real, but over the bound)", () => {
    // parents(limit: 1) is 1; children unset is @limit's default, 100, at each level.
    expect(items("{ organisations(limit: 1000) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }")).toBe(
      1000 + 1000 + 100_000 + 100_000 + 10_000_000,
    );
    expect(
      documentLimitViolations(schema, "{ organisations(limit: 1000) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }", defaults),
    ).toHaveLength(1);
  });

  it("counts limit: 0, first: 0 and no size as the default page, and more than the maximum (refused) as the maximum", () => {
    expect(items("{ organisations(limit: 0) { id } }")).toBe(100);
    expect(items("{ organisations { id } }")).toBe(100);
    expect(items("{ organisations(limit: 5000) { id } }")).toBe(1000);
    expect(items("query ($n: Int) { organisations(limit: $n) { id } }", { n: 0 })).toBe(100);
    // The operation's own default for a variable counts as execution will use it.
    expect(items("query ($n: Int = 700) { organisations(limit: $n) { id } }")).toBe(700);
    // 0 as the outer list was counted as one item: the 45 MB fan-out went through with limit: 0.
    expect(items("{ organisations(limit: 0) { parents { children(limit: 0) { id } } } }")).toBe(100 + 100 * 100 + 100 * 100 * 100);
  });

  it("counts a list of scalars as one item, a property read with its node", () => {
    // The dashboard's service picker: 500 services with their other names, 500 items, not 50,500.
    expect(items("{ services(limit: 500) { id name synonyms startPages } }")).toBe(500);
    expect(items("{ services(limit: 500) { id owners { id } } }")).toBe(500 + 500 * 100);
  });

  it("gives a connection's first, or its default, to its edges", () => {
    expect(items("{ organisationsConnection(first: 1000) { edges { node { id } } } }")).toBe(1000);
    expect(items("{ organisationsConnection(first: 0) { edges { node { childrenConnection { edges { node { id } } } } } } }")).toBe(100 + 100 * 100);
    // An analysis page: its schema default (first: Int = 20), and at most its resolver's maximum.
    expect(items('{ search(text: "a") { edges { node { id } } } }')).toBe(20);
    expect(items('{ search(text: "a", first: 5000) { edges { node { id } } } }')).toBe(100);
    // The journey's peoplePerStage sizes each stage's people.
    expect(items('{ journey(serviceId: "s", peoplePerStage: 10) { stages { people { edges { role } } } } }')).toBe(25 + 25 * 10);
  });

  it("refuses a negative limit or first as BAD_USER_INPUT naming the argument, given or as a variable", () => {
    expect(refused("{ organisations(limit: -1) { id } }")).toEqual([
      ['"limit" of "organisations" must not be negative; it was -1.', { code: "BAD_USER_INPUT", argument: "limit", http: { status: 400 } }],
    ]);
    expect(refused("query ($n: Int) { organisations(limit: $n) { id } }", { n: -5 }).map(([m]) => m)).toEqual([
      '"limit" of "organisations" must not be negative; it was -5.',
    ]);
    expect(refused("{ organisationsConnection(first: -2) { edges { node { children(limit: -3) { id } } } } }").map(([m]) => m)).toEqual([
      '"first" of "organisationsConnection" must not be negative; it was -2.',
      '"limit" of "children" must not be negative; it was -3.',
    ]);
    expect(documentLimitViolations(schema, "{ organisations(limit: -1) { id } }", defaults)).toEqual([
      '"limit" of "organisations" must not be negative; it was -1.',
    ]);
  });
});

describe("the limits' configuration", () => {
  it("takes each limit from its variable", () => {
    const limits = limitsFromConfig(
      parseConfig({
        GATEWAY_MAX_DEPTH: "8",
        GATEWAY_MAX_ALIASES: "0",
        GATEWAY_MAX_TOKENS: "500",
        GATEWAY_MAX_COST: "900",
        GATEWAY_MAX_LIST_ITEMS: "5000",
        GATEWAY_MAX_BODY_BYTES: "1024",
        GATEWAY_MAX_BATCH: "5",
        GATEWAY_RATE_LIMIT_BURST: "20",
        GATEWAY_RATE_LIMIT_PER_SECOND: "2.5",
        GATEWAY_TRUSTED_PROXIES: "1",
      }),
    );
    expect(limits).toEqual({
      maxDepth: 8,
      maxAliases: 0,
      maxTokens: 500,
      maxCost: 900,
      maxListItems: 5000,
      maxBodyBytes: 1024,
      maxBatch: 5,
      rateLimit: { burst: 20, perSecond: 2.5 },
      trustedProxies: 1,
      maxVariablesDepth: 16,
      maxVariableValues: 5000,
      documentCacheBytes: 16_000_000,
    });
  });

  it("turns the rate limit off at 0 per second", () => {
    expect(limitsFromConfig(parseConfig({ GATEWAY_RATE_LIMIT_PER_SECOND: "0" })).rateLimit).toBeUndefined();
  });

  it("refuses a limit that is not a whole positive number, by name", () => {
    expect(() => parseConfig({ GATEWAY_MAX_DEPTH: "0", GATEWAY_MAX_BODY_BYTES: "lots", GATEWAY_MAX_BATCH: "-1" })).toThrowError(ConfigError);
    try {
      parseConfig({ GATEWAY_MAX_DEPTH: "0", GATEWAY_MAX_BODY_BYTES: "lots", GATEWAY_MAX_BATCH: "-1" });
    } catch (error) {
      for (const name of ["GATEWAY_MAX_DEPTH", "GATEWAY_MAX_BODY_BYTES", "GATEWAY_MAX_BATCH"]) expect((error as Error).message).toContain(name);
    }
  });

  it("turns the IDE and introspection off in production unless switched on, and trusted documents on only when asked", () => {
    expect(publicApiSettings(parseConfig({}))).toMatchObject({ introspection: true, graphiql: true, trustedDocuments: false });
    expect(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production" }))).toMatchObject({
      introspection: false,
      graphiql: false,
      trustedDocuments: false,
    });
    expect(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production", GATEWAY_GRAPHIQL: "true", GATEWAY_TRUSTED_DOCUMENTS: "true" }))).toMatchObject({
      introspection: false,
      graphiql: true,
      trustedDocuments: true,
    });
    expect(publicApiSettings(parseConfig({ GATEWAY_INTROSPECTION: "false" }))).toMatchObject({ introspection: false, graphiql: true });
    expect(() => parseConfig({ SERVICE_GRAPH_ENV: "staging" })).toThrowError(/SERVICE_GRAPH_ENV/);
  });
});

describe("the rate limit", () => {
  it("allows a burst, then one request per refill, and says how long to wait", () => {
    const buckets = new TokenBuckets(3, 0.5);
    const start = 1_000_000;
    expect([0, 1, 2].map(() => buckets.take("a", start))).toEqual([undefined, undefined, undefined]);
    expect(buckets.take("a", start)).toBe(2);
    expect(buckets.take("b", start)).toBeUndefined();
    expect(buckets.take("a", start + 2000)).toBeUndefined();
    expect(buckets.take("a", start + 2000)).toBe(2);
  });

  it("takes a request's cost, one token per 1,000 list items, and refuses what the bucket does not hold without taking it", () => {
    expect([0, 1, 1000, 1001, 57_400, 100_000].map(rateLimitCost)).toEqual([1, 1, 1, 2, 58, 100]);
    const buckets = new TokenBuckets(100, 10);
    expect(buckets.take("a", 0, 60)).toBeUndefined();
    // 40 left: 60 more is 2 s away, and is not taken.
    expect(buckets.take("a", 0, 60)).toBe(2);
    expect(buckets.take("a", 0, 40)).toBeUndefined();
    expect(buckets.take("a", 0, 1)).toBe(1);
    // More than a whole bucket costs a whole bucket, so it can still run once the bucket is full.
    expect(buckets.take("b", 0, 500)).toBeUndefined();
    expect(buckets.take("b", 0, 1)).toBe(1);
  });

  it("tells a refused request to wait for its retry's arrival token too, so that waiting as told is enough", () => {
    const buckets = new TokenBuckets(59, 0.2);
    // Two requests of 59 tokens: the second arrives (1 token) and is refused the rest (58): 59 tokens away, 295 s, not 290.
    expect(buckets.take("a", 0, 1)).toBeUndefined();
    expect(buckets.take("a", 0, 58)).toBeUndefined();
    expect(buckets.take("a", 0, 1)).toBe(5);
    expect(buckets.take("a", 5000, 1)).toBeUndefined();
    expect(buckets.take("a", 5000, 58, 1)).toBe(295);
    // Retried after 295 s as told: the arrival token and the rest are both there.
    expect(buckets.take("a", 300_000, 1)).toBeUndefined();
    expect(buckets.take("a", 300_000, 58, 1)).toBeUndefined();
  });

  it("keeps at most the number of buckets it is given, forgetting the least recently used", () => {
    const buckets = new TokenBuckets(1, 1, 2);
    buckets.take("a", 0);
    buckets.take("b", 0);
    buckets.take("c", 0);
    expect(buckets.take("a", 0)).toBeUndefined();
    expect(buckets.take("c", 0)).toBe(1);
  });

  it("keys on the verified subject when there is one, otherwise on the address", () => {
    expect(rateLimitKey({ sub: "person-1" }, "10.0.0.1")).toBe("sub:person-1");
    expect(rateLimitKey({}, "10.0.0.1")).toBe("ip:10.0.0.1");
    expect(rateLimitKey(undefined, "10.0.0.1")).toBe("ip:10.0.0.1");
  });

  it("takes the client's address from X-Forwarded-For only as far as the proxies it trusts", () => {
    expect(clientAddress("10.0.0.9", "203.0.113.7", 0)).toBe("10.0.0.9");
    expect(clientAddress("10.0.0.9", "198.51.100.1, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.9", "198.51.100.1, 203.0.113.7, 10.0.0.8", 2)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.9", null, 1)).toBe("10.0.0.9");
  });
});

it("removes graphql-js's suggestions from a message", () => {
  expect(withoutSuggestions('Cannot query field "service" on type "Query". Did you mean "services"?')).toBe('Cannot query field "service" on type "Query".');
  expect(withoutSuggestions('Value "FRONTSTAG" does not exist in "Lane" enum. Did you mean the enum value "FRONTSTAGE"?')).toBe(
    'Value "FRONTSTAG" does not exist in "Lane" enum.',
  );
});

describe("the variables' limits", () => {
  it("refuse variables nested deeper than the limit, walked without recursion however deep", () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { AND: [deep] };
    expect(variablesProblem({ where: deep }, 16, 5000)).toBe("The variables are nested more than 16 levels deep, more than this API accepts.");
    expect(variablesProblem({ where: { AND: [{ name: { eq: "x" } }] } }, 16, 5000)).toBeUndefined();
  });

  it("refuse variables holding more values than the limit", () => {
    expect(variablesProblem({ ids: Array.from({ length: 5000 }, (_, i) => `id-${i}`) }, 16, 5000)).toBe(
      "The variables hold more than 5,000 values (list items and object fields), more than this API accepts.",
    );
    expect(variablesProblem({ ids: Array.from({ length: 50 }, (_, i) => `id-${i}`) }, 16, 5000)).toBeUndefined();
    expect(variablesProblem(undefined, 16, 5000)).toBeUndefined();
  });
});

describe("the document cache", () => {
  const documentOf = (n: number) => `{ ${Array.from({ length: 989 }, (_, i) => `f${n}x${i}`).join(" ")} }`;

  it("keeps documents by their text until their estimated bytes reach its bound, then forgets the least recently used", () => {
    const one = estimatedBytes(documentOf(0), parse(documentOf(0)));
    const cache = new DocumentCache(one * 3, one);
    for (let n = 0; n < 3; n++) cache.set(documentOf(n), parse(documentOf(n)));
    expect(cache.get(documentOf(0))).toBeDefined();
    cache.set(documentOf(3), parse(documentOf(3)));
    expect([cache.size, cache.bytes]).toEqual([3, one * 3]);
    // 0 was used last but one: 1 went first.
    expect([0, 1, 2, 3].map((n) => cache.get(documentOf(n)) !== undefined)).toEqual([true, false, true, true]);
  });

  it("never keeps a document heavier than its entry bound, nor any with a bound of 0", () => {
    const small = "{ __typename }";
    const cache = new DocumentCache(10_000_000, estimatedBytes(small, parse(small)));
    cache.set(documentOf(0), parse(documentOf(0)));
    cache.set(small, parse(small));
    expect([cache.get(documentOf(0)), cache.get(small)?.kind]).toEqual([undefined, "Document"]);
    const none = new DocumentCache(0);
    none.set(small, parse(small));
    expect([none.size, none.bytes]).toEqual([0, 0]);
  });

  it("remembers a validation only for a document it keeps, by schema and rules", () => {
    const cache = new DocumentCache(10_000_000);
    const document = parse("{ __typename }");
    cache.set("{ __typename }", document);
    cache.setValid(document, schema, "a,b");
    expect([cache.isValid(document, schema, "a,b"), cache.isValid(document, schema, "a")]).toEqual([true, false]);
    const other = parse("{ __typename }");
    cache.setValid(other, schema, "a,b");
    expect(cache.isValid(other, schema, "a,b")).toBe(false);
  });
});

describe("every list's size argument", () => {
  const sized = Object.values(schema.getTypeMap()).flatMap((type) =>
    isObjectType(type) && !type.name.startsWith("__")
      ? Object.values(type.getFields()).flatMap((field) => {
          const bounds = sizeBounds(type.name, field);
          return bounds ? [{ name: `${type.name}.${field.name}`, field, bounds }] : [];
        })
      : [],
  );

  it("says, in its description or its field's, the default and the maximum the gateway applies", () => {
    expect(sized.length).toBeGreaterThan(50);
    const number = (n: number) => n.toLocaleString("en-GB");
    const undocumented = sized.filter(({ field, bounds }) => {
      const text = [field.description, ...field.args.filter((a) => bounds.arguments.includes(a.name)).map((a) => a.description)].join(" ");
      return !text.includes(`${number(bounds.default)} `) || !text.includes(` by default`) || !text.includes(`at most ${number(bounds.max)}`);
    });
    expect(undocumented.map((s) => s.name)).toEqual([]);
  });

  it("above its maximum is refused naming the argument, written as a literal or as a variable", () => {
    for (const [document, variables] of [
      ["{ handoffs(first: 501) { totalCount } }", {}],
      ["query ($n: Int) { handoffs(first: $n) { totalCount } }", { n: 501 }],
    ] as const) {
      const { badArguments } = countListItems(schema, parse(document), variables);
      expect(badArguments.map((e) => [e.message, e.extensions["code"], e.extensions["argument"]])).toEqual([
        ['"first" of "handoffs" must be from 0 to 500; it was 501.', "BAD_USER_INPUT", "first"],
      ]);
    }
    const { badArguments } = countListItems(schema, parse("{ organisations(limit: 5000) { id } }"));
    expect(badArguments.map((e) => e.message)).toEqual(['"limit" of "organisations" must be from 0 to 1,000; it was 5000.']);
  });

  it("keeps graphql-js's errors for variables that do not fit their types, by operation, so they are refused before planning", () => {
    const { badVariables } = countListItems(schema, parse("query Pages($n: Int) { handoffs(first: $n) { totalCount } } query Other { services { id } }"), {
      n: "ten",
    });
    expect(badVariables.get("Pages")?.map((e) => e.message)).toEqual(['Variable "$n" got invalid value "ten"; Int cannot represent non-integer value: "ten"']);
    expect(badVariables.has("Other")).toBe(false);
  });
});
