import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildASTSchema, getIntrospectionQuery, parse } from "graphql";
import { transformSupergraphToPublicSchema } from "@theguild/federation-composition";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../lib/config.js";
import { readCommittedSupergraph } from "../lib/compose.js";
import { clientAddress, documentLimitViolations, limitsFromConfig, rateLimitKey, TokenBuckets, withoutSuggestions } from "./limits.js";
import { publicApiSettings } from "./public-api.js";

const schema = buildASTSchema(transformSupergraphToPublicSchema(parse(readCommittedSupergraph())));
const defaults = limitsFromConfig(parseConfig({}));

const operationFiles = ["examples", "dashboard/client/operations"].flatMap((dir) =>
  readdirSync(resolve(import.meta.dirname, dir)).filter((f) => f.endsWith(".graphql")).map((f) => resolve(import.meta.dirname, dir, f)),
);

describe("the gateway's default limits", () => {
  it("are the documented ones", () => {
    expect(defaults).toEqual({
      maxDepth: 12, maxAliases: 15, maxTokens: 1000, maxCost: 5000, maxListItems: 1_000_000_000, maxBodyBytes: 65_536, maxBatch: 0,
      rateLimit: { burst: 100, perSecond: 10 }, trustedProxies: 0,
    });
  });

  it.each(operationFiles.map((file) => [file.slice(file.indexOf("gateway/")), file]))("pass %s", (_, file) => {
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
    expect(documentLimitViolations(schema, "{ organisationsConnection(first: 1000) { edges { node { id name acronym children { id name } } } } }", defaults))
      .toEqual(["Query Cost limit of 5000 exceeded, found 36500."]);
    // Lists in lists: within depth, cost and tokens, yet up to 10^13 organisations (45 MB when tried).
    const fanOut = "{ organisations(limit: 1000) { parents { children(limit: 1000) { parents { children(limit: 1000) { id } } } } } }";
    expect(documentLimitViolations(schema, fanOut, defaults)).toEqual([
      "This document may ask for 10,010,100,101,000 list items, more than the 1,000,000,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
    ]);
    const byVariable = "query ($n: Int) { organisations(limit: $n) { children(limit: $n) { children(limit: $n) { id } } } }";
    expect(documentLimitViolations(schema, byVariable, defaults, { n: 10 })).toEqual([]);
    expect(documentLimitViolations(schema, byVariable, defaults, { n: 1000 })).toHaveLength(1);
  });
});

describe("the limits' configuration", () => {
  it("takes each limit from its variable", () => {
    const limits = limitsFromConfig(parseConfig({
      GATEWAY_MAX_DEPTH: "8", GATEWAY_MAX_ALIASES: "0", GATEWAY_MAX_TOKENS: "500", GATEWAY_MAX_COST: "900", GATEWAY_MAX_LIST_ITEMS: "5000", GATEWAY_MAX_BODY_BYTES: "1024",
      GATEWAY_MAX_BATCH: "5", GATEWAY_RATE_LIMIT_BURST: "20", GATEWAY_RATE_LIMIT_PER_SECOND: "2.5", GATEWAY_TRUSTED_PROXIES: "1",
    }));
    expect(limits).toEqual({ maxDepth: 8, maxAliases: 0, maxTokens: 500, maxCost: 900, maxListItems: 5000, maxBodyBytes: 1024, maxBatch: 5, rateLimit: { burst: 20, perSecond: 2.5 }, trustedProxies: 1 });
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
    expect(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production" }))).toMatchObject({ introspection: false, graphiql: false, trustedDocuments: false });
    expect(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production", GATEWAY_GRAPHIQL: "true", GATEWAY_TRUSTED_DOCUMENTS: "true" })))
      .toMatchObject({ introspection: false, graphiql: true, trustedDocuments: true });
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
  expect(withoutSuggestions('Value "FRONTSTAG" does not exist in "Lane" enum. Did you mean the enum value "FRONTSTAGE"?')).toBe('Value "FRONTSTAG" does not exist in "Lane" enum.');
});
