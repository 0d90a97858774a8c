/**
 * The attacks that took the stack down while inside every limit, run against it: distinct large
 * documents filling the gateway's caches, a small document fanning out over nested lists, negative
 * sizes, variables nested thousands deep, and cheap-looking requests that are not. Each checks what
 * the attacker gets back, and that other clients are answered and the servers stay up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../platform/config.js";
import { postGraphQL, startStack, type TestStack } from "../test/helpers.js";
import { heapUsedAfterCollection } from "../test/heap.js";
import { DocumentCache } from "./document-cache.js";
import type { RunningGateway } from "./gateway.js";
import { publicApiSettings } from "./public-api.js";
import { runCacheFlood, runFanOut, runNegativeSizes, runDeepVariables } from "../bench/abuse/gateway-attacks.js";

const normalQuery = '{ organisations(where: { id: { eq: "companies-house" } }, limit: 1) { name } }';
const answeredNormally = async (url: string) => {
  const answer = await postGraphQL(url, normalQuery, {}, null);
  return answer.status === 200 && answer.body.data?.["organisations"]?.[0]?.name === "Companies House";
};

describe("cost and memory", () => {
  let stack: TestStack;
  let gateway: RunningGateway;
  const cacheBytes = 4_000_000;
  // Entries up to half of it, so that the flood's documents (0.7 to 1.1 MB estimated) are kept, and evicted by their bytes.
  const cache = new DocumentCache(cacheBytes, cacheBytes / 2);
  const settings = publicApiSettings(parseConfig({}));

  beforeAll(async () => {
    stack = await startStack();
    gateway = await stack.startGateway({ ...settings, limits: { ...settings.limits, rateLimit: undefined }, documentCache: cache });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("keeps parsed documents within its bytes however many distinct large ones arrive, answering other clients meanwhile", async () => {
    // Answered once first: the query planner builds what it keeps for the supergraph on its first plan (about 30 MB of heap with Hive Router's).
    expect(await answeredNormally(gateway.url)).toBe(true);
    const before = heapUsedAfterCollection();
    // Before: each kept ~1.1 MB (tree, tokens, validation errors), 1,024 of them; 75 took a 160 MB gateway down.
    const flood = await runCacheFlood(gateway.url, { documents: 160, concurrency: 8 });
    const grown = heapUsedAfterCollection() - before;
    console.log(
      `document flood: ${flood.sent} documents, ${flood.otherClientsAnswered}/${flood.otherClients} other clients answered, cache ${cache.size} entries ${(cache.bytes / 1e6).toFixed(1)} MB estimated, heap grew ${(grown / 1e6).toFixed(1)} MB`,
    );
    expect(flood.statuses.every((status) => status === 200 || status === 400)).toBe(true);
    expect(flood.otherClientsAnswered).toBe(flood.otherClients);
    expect(cache.bytes).toBeLessThanOrEqual(cacheBytes);
    expect(cache.size).toBeGreaterThan(1);
    // The estimate is no smaller than what the documents really hold: the heap grew by less than the cache's bound and some slack.
    expect(grown).toBeLessThan(cacheBytes + 15_000_000);
    expect(await answeredNormally(gateway.url)).toBe(true);
    // Small documents are still kept, and served again from the cache.
    expect(cache.get(normalQuery)).toBeDefined();
  });

  it("refuses, ten at once, the fan-out that took the organisations subgraph out of memory, and its limit: 0 form", async () => {
    const started = Date.now();
    const answers = await runFanOut(gateway.url, { concurrency: 10 });
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(400));
    expect(new Set(answers.map((a) => a.message))).toEqual(
      new Set([
        "This document may ask for 10,202,000 list items, more than the 100,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
        "This document may ask for 10,101,010,100 list items, more than the 100,000 this API answers: give nested lists smaller limits, or ask for fewer lists inside lists.",
      ]),
    );
    // Refused before anything ran: it took 4.6 s to time out alone, and ten ended the subgraph.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await answeredNormally(gateway.url)).toBe(true);
  });

  it("refuses negative limits and firsts as BAD_USER_INPUT naming the argument, instead of a database error", async () => {
    const answers = await runNegativeSizes(gateway.url);
    expect(answers).toEqual([
      { status: 400, code: "BAD_USER_INPUT", message: '"limit" of "organisations" must not be negative; it was -1.' },
      { status: 400, code: "BAD_USER_INPUT", message: '"limit" of "organisations" must not be negative; it was -10.' },
      { status: 400, code: "BAD_USER_INPUT", message: '"first" of "organisationsConnection" must not be negative; it was -5.' },
      { status: 400, code: "BAD_USER_INPUT", message: '"limit" of "children" must not be negative; it was -1.' },
    ]);
  });

  it("refuses variables nested thousands deep, or holding too many values, with 400 naming the problem", async () => {
    // Before: a stack overflow, masked as an internal error, retried, then a 504.
    const answers = await runDeepVariables(gateway.url);
    expect(answers).toEqual([
      { status: 400, code: "BAD_USER_INPUT", message: "The variables are nested more than 16 levels deep, more than this API accepts." },
      { status: 400, code: "BAD_USER_INPUT", message: "The variables hold more than 5,000 values (list items and object fields), more than this API accepts." },
    ]);
    expect(await answeredNormally(gateway.url)).toBe(true);
  });

  it("charges each request its list items against the client's rate limit, one token per 1,000", async () => {
    const limited = await stack.startGateway({ ...settings, limits: { ...settings.limits, rateLimit: { burst: 100, perSecond: 0.5 } } });
    // 1,000 organisations and up to 59 children each: 60,000 list items, 60 tokens of 100.
    const wide = "{ organisations(limit: 1000) { children(limit: 59) { id } } }";
    const first = await postGraphQL(limited.url, wide, {}, null);
    expect(first.status).toBe(200);
    const second = await postGraphQL(limited.url, wide, {}, null);
    expect([second.status, second.body.errors?.[0]?.extensions?.["code"]]).toEqual([429, "RATE_LIMITED"]);
    expect(second.body.errors?.[0]?.message).toMatch(/^Too many requests from this client: try again in \d+ s\.$/);
    // What is left is still there for cheap requests: one token each.
    expect(await answeredNormally(limited.url)).toBe(true);
  });

  it("left the servers up and answering", async () => {
    expect(await answeredNormally(stack.gateway.url)).toBe(true);
    for (const { running } of Object.values(stack.subgraphs)) expect((await fetch(running.url.replace(/\/graphql$/, "/healthcheck"))).status).toBe(200);
  });
});
