/**
 * The response cache through the gateway and the three subgraphs over the test Neo4j: answers kept
 * apart for what each caller may see, a write through the API and an import (a process of its own,
 * writing to Neo4j) seen by the next read, the store within its bounds under a flood of distinct
 * queries, and its hits and misses in /metrics.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../platform/config.js";
import { repoRoot } from "../platform/paths.js";
import { postGraphQL, startStack, testDriver, testNeo4j, testReader, tokenFor, uniqueId, type TestStack } from "../test/helpers.js";
import type { RunningGateway } from "./gateway.js";
import { publicApiSettings, type PublicApiSettings } from "./public-api.js";

/** The cache's counters and gauges as the gateway's /metrics gives them. */
async function cacheMetrics(gateway: RunningGateway) {
  const text = await (await fetch(gateway.url.replace(/graphql$/, "metrics"))).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    hits: value(/^graphql_gateway_response_cache_total\{result="hit"\} (\d+)/m),
    misses: value(/^graphql_gateway_response_cache_total\{result="miss"\} (\d+)/m),
    skipped: value(/^graphql_gateway_response_cache_total\{result="skipped"\} (\d+)/m),
    entries: value(/^graphql_gateway_response_cache_entries (\d+)/m),
    bytes: value(/^graphql_gateway_response_cache_bytes (\d+)/m),
  };
}

const settings = (responseCache: Partial<PublicApiSettings["responseCache"]> = {}): PublicApiSettings => {
  const base = publicApiSettings(parseConfig({}));
  return { ...base, limits: { ...base.limits, rateLimit: undefined }, responseCache: { ...base.responseCache, ...responseCache } };
};

describe("the response cache", () => {
  let stack: TestStack;
  let gateway: RunningGateway;
  let driver: Driver;
  const created: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ responseCache: true, publicApi: settings() });
    gateway = stack.gateway;
    driver = testDriver();
  });

  afterAll(async () => {
    await driver?.executeQuery("MATCH (n) WHERE (n:Person OR n:Organisation) AND n.id IN $created DETACH DELETE n", { created });
    await stack?.close();
    await driver?.close();
  });

  it("never gives an anonymous caller the names it kept for a reader, nor a person's contact details to another", async () => {
    const names = `{ people(where: { id: { eq: "demo-person-01" } }) { name } }`;
    const reader = await postGraphQL(gateway.url, names, {}, testReader);
    expect(reader.body.data).toEqual({ people: [{ name: "Amara Example" }] });
    const before = await cacheMetrics(gateway);
    expect((await postGraphQL(gateway.url, names, {}, testReader)).body).toEqual(reader.body);
    expect((await cacheMetrics(gateway)).hits).toBe(before.hits + 1);

    // The same document, asked anonymously: refused, not the reader's answer.
    const anonymous = await postGraphQL(gateway.url, names, {}, null);
    expect(anonymous.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(anonymous.body)).not.toContain("Amara");
    // Nor is an answer kept for an anonymous caller a reader's: organisations are public, and each is kept apart.
    const organisation = `{ organisations(where: { id: { eq: "companies-house" } }) { name } }`;
    expect((await postGraphQL(gateway.url, organisation, {}, null)).body.errors).toBeUndefined();
    const afterAnonymous = await cacheMetrics(gateway);
    expect((await postGraphQL(gateway.url, organisation, {}, testReader)).body.data).toEqual({ organisations: [{ name: "Companies House" }] });
    expect((await cacheMetrics(gateway)).misses).toBe(afterAnonymous.misses + 1);

    const contact = `{ people(where: { id: { eq: "demo-person-01" } }) { name email phone } }`;
    const themself = await postGraphQL(gateway.url, contact, {}, { sub: "demo-person-01", roles: ["reader"] });
    expect(themself.body.data!["people"][0]).toMatchObject({ email: "amara.example@demo.service-graph.example" });
    const otherReader = await postGraphQL(gateway.url, contact, {}, { sub: "demo-person-02", roles: ["reader"] });
    expect(otherReader.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(JSON.stringify(otherReader.body)).not.toContain("@");
  });

  it("answers the next read after a mutation with the change", async () => {
    const id = uniqueId("cached-person");
    created.push(id);
    const create = await postGraphQL(
      gateway.url,
      `mutation { createPeople(input: [{ id: "${id}", name: "Before Change", organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { people { id } } }`,
    );
    expect(create.body.errors).toBeUndefined();
    const read = `{ people(where: { id: { eq: "${id}" } }) { name } }`;
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ people: [{ name: "Before Change" }] });
    const before = await cacheMetrics(gateway);
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ people: [{ name: "Before Change" }] });
    expect((await cacheMetrics(gateway)).hits).toBe(before.hits + 1);

    const update = await postGraphQL(
      gateway.url,
      `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: { name: { set: "After Change" } }) { people { id } } }`,
    );
    expect(update.body.errors).toBeUndefined();
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ people: [{ name: "After Change" }] });

    // Through another gateway over the same graph too: it cannot be told, and needs not be.
    const other = await stack.startGateway(settings());
    expect((await postGraphQL(other.url, read)).body.data).toEqual({ people: [{ name: "After Change" }] });
    await postGraphQL(other.url, `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: { name: { set: "Changed Elsewhere" } }) { people { id } } }`);
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ people: [{ name: "Changed Elsewhere" }] });
  });

  it("answers the next read after an import, a process of its own writing to Neo4j, with what it imported", async () => {
    const slug = uniqueId("cached-org");
    created.push(slug);
    const read = `{ organisations(where: { id: { eq: "${slug}" } }) { name } }`;
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ organisations: [] });
    const before = await cacheMetrics(gateway);
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ organisations: [] });
    expect((await cacheMetrics(gateway)).hits).toBe(before.hits + 1);

    const dir = mkdtempSync(join(tmpdir(), "response-cache-import-"));
    try {
      const file = join(dir, "govuk-organisations.json");
      const record = {
        id: `https://www.gov.uk/api/organisations/${slug}`,
        title: "Imported While Cached",
        format: "Other",
        web_url: `https://www.gov.uk/government/organisations/${slug}`,
        details: { slug, abbreviation: null, closed_at: null, govuk_status: "live", govuk_closed_status: null },
        parent_organisations: [],
        superseding_organisations: [],
      };
      writeFileSync(file, JSON.stringify([record]));
      const neo4j = testNeo4j();
      const run = spawnSync(process.execPath, ["--import", "tsx", resolve(repoRoot, "scripts/import.ts"), "govuk-organisations", file], {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, NEO4J_URI: neo4j.uri, NEO4J_USERNAME: neo4j.username, NEO4J_PASSWORD: neo4j.password, LOG_LEVEL: "silent" },
      });
      expect(run.status, run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((await postGraphQL(gateway.url, read)).body.data).toEqual({ organisations: [{ name: "Imported While Cached" }] });
  });

  it("sends a kept answer again from its HTTP server as the runtime sent it, under a new request id, counted and paid for in the rate limit", async () => {
    const base = settings();
    const limited = await stack.startGateway({ ...base, limits: { ...base.limits, rateLimit: { burst: 4, perSecond: 0.01 } } });
    const caller = { sub: uniqueId("cache-rate"), roles: ["reader" as const] };
    const authorization = `Bearer ${await tokenFor(caller)}`;
    const ask = () =>
      fetch(limited.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({ query: `{ organisations(where: { id: { eq: "companies-house" } }) { name } }` }),
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await ask());
    const [first, second, third, fourth, refused] = answers;
    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    // The first from execution, kept as the runtime sent it; the next three sent by the server itself.
    for (const [i, answer] of [first!, second!, third!, fourth!].entries()) {
      expect(answer.status).toBe(200);
      expect(bodies[i]).toBe(bodies[0]);
      expect(answer.headers.get("content-type")).toBe(first!.headers.get("content-type"));
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(new Set(answers.map((answer) => answer.headers.get("x-request-id"))).size).toBe(5);
    // Four tokens in the bucket: the fifth is refused, as it would be without the cache.
    expect(refused!.status).toBe(429);
    const metrics = await (await fetch(limited.url.replace(/graphql$/, "metrics"))).text();
    expect(metrics).toMatch(/^graphql_gateway_response_cache_total\{result="hit"\} 3$/m);
    // Counted as the runtime counts its own, with the gateway's first request (`{ __typename }`, made when it starts).
    expect(metrics).toMatch(/^graphql_envelop_request\{operationName="Anonymous",operationType="query"\} 5$/m);
    expect(metrics).toMatch(/^graphql_gateway_http_responses_total\{status="200"\} 5$/m);
  });

  it("keeps its answers within its entries and bytes however many distinct queries arrive", async () => {
    const maxBytes = 400_000;
    const small = await stack.startGateway(settings({ maxEntries: 50, maxBytes }));
    // The attack: a different answer for every request, each kept if nothing stops it.
    const distinct = 400;
    for (let start = 0; start < distinct; start += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          postGraphQL(small.url, `query Flood($limit: Int) { organisations(limit: $limit, sort: [{ id: ASC }]) { id name } }`, {
            limit: start + i + 1,
          }),
        ),
      );
    }
    const metrics = await cacheMetrics(small);
    console.log(`response cache flood: ${distinct} distinct queries, ${metrics.entries} entries, ${metrics.bytes} bytes estimated`);
    // None answered from the cache: each missed, or was skipped when Neo4j's version read outlasted its 500 ms (a busy machine).
    expect(metrics.hits).toBe(0);
    expect(metrics.misses + metrics.skipped).toBeGreaterThanOrEqual(distinct);
    expect(metrics.entries).toBeGreaterThan(1);
    expect(metrics.entries).toBeLessThanOrEqual(50);
    expect(metrics.bytes).toBeLessThanOrEqual(maxBytes);

    // Answers large enough that the bytes bind before the entries.
    for (let start = 0; start < 80; start += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          postGraphQL(small.url, `query Flood($limit: Int) { organisations(limit: $limit, sort: [{ id: ASC }]) { id name acronym } }`, {
            limit: 200 + start + i,
          }),
        ),
      );
    }
    const large = await cacheMetrics(small);
    expect(large.bytes).toBeLessThanOrEqual(maxBytes);
    expect(large.entries).toBeLessThan(50);
    expect(large.entries).toBeGreaterThan(1);
  });

  it("is off when switched off: nothing looked up, nothing kept", async () => {
    const off = await stack.startGateway(settings({ enabled: false }));
    const read = `{ organisations(where: { id: { eq: "companies-house" } }) { name } }`;
    for (let i = 0; i < 3; i++) expect((await postGraphQL(off.url, read)).body.data).toEqual({ organisations: [{ name: "Companies House" }] });
    expect(await cacheMetrics(off)).toEqual({ hits: 0, misses: 0, skipped: 0, entries: 0, bytes: 0 });
  });
});
