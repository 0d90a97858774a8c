/**
 * Paging arguments on the subgraphs themselves (subgraph-kit/paging.ts): 0 and none mean the default,
 * more than the maximum is refused naming the argument, negative values and forged cursors are the caller's
 * mistake, and every page that was cut says it has a next page. On a hand-built family of 1,001
 * organisations under one test department, so the counts do not depend on the demo data.
 */
import { Writable } from "node:stream";
import pino from "pino";
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, startSubgraph, testAuth, testDriver, testNeo4j, uniqueId } from "../test/helpers.js";
import type { RunningServer } from "./server.js";
import { createOrganisationsSubgraph } from "../subgraphs/organisations/server.js";

const childCount = 1001;

describe("paging arguments on the subgraphs", () => {
  let driver: Driver;
  let organisations: RunningServer;
  let services: RunningServer;
  const logged: { level: number; msg: string }[] = [];
  const parent = uniqueId("paging-department");
  const stages = [uniqueId("paging-stage"), uniqueId("paging-stage")];

  beforeAll(async () => {
    driver = testDriver();
    await driver.executeQuery(
      `
      CREATE (p:Organisation {id: $parent, name: "Paging Department"})
      WITH p UNWIND range(1, $childCount) AS i
      CREATE (:Organisation {id: $parent + "-child-" + right("000" + i, 4), name: "Paging Agency " + i})-[:PART_OF]->(p)`,
      { parent, childCount },
      { database: testNeo4j().database },
    );
    await driver.executeQuery(
      "MATCH (p:Organisation {id: $parent}) UNWIND $stages AS id CREATE (p)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]->(:Stage {id: id, name: id, position: 1})",
      { parent, stages },
      { database: testNeo4j().database },
    );
    // The organisations subgraph with a logger the test reads: refusals of bad input are not errors of the server.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const server = await createOrganisationsSubgraph({
      driver,
      logger: pino({ level: "info" }, sink),
      database: testNeo4j().database,
      gatewaySecret: testAuth.subgraphSecret,
    });
    organisations = await server.listen(0);
    ({ running: services } = await startSubgraph("services", driver));
  });

  afterAll(async () => {
    await driver.executeQuery(
      "MATCH (n) WHERE n.id STARTS WITH $parent OR n.id IN $stages DETACH DELETE n",
      { parent, stages },
      { database: testNeo4j().database },
    );
    await organisations?.close();
    await services?.close();
    await driver.close();
  });

  const ofParent = `where: { parents: { some: { id: { eq: "${parent}" } } } }`;
  const query = async (document: string, variables: Record<string, unknown> = {}, url = organisations.url) =>
    (await postGraphQL(url, document, variables)).body;
  const refusal = async (document: string, variables: Record<string, unknown> = {}, url = organisations.url) => {
    const body = await query(document, variables, url);
    expect(body.errors?.map((e) => e.extensions?.["code"])).toEqual(["BAD_USER_INPUT"]);
    return body.errors![0]!;
  };

  it("reads limit: 0 and first: 0 as the default (100), never as no limit, at the root and nested", async () => {
    const body = await query(`{
      zero: organisations(${ofParent}, limit: 0) { id }
      none: organisations(${ofParent}) { id }
      nested: organisations(where: { id: { eq: "${parent}" } }) { zero: children(limit: 0) { id } none: children { id } connection: childrenConnection(first: 0) { edges { cursor } } }
      connection: organisationsConnection(${ofParent}, first: 0) { edges { cursor } }
    }`);
    expect(body.errors).toBeUndefined();
    const nested = body.data!["nested"][0];
    expect([
      body.data!["zero"].length,
      body.data!["none"].length,
      nested.zero.length,
      nested.none.length,
      nested.connection.edges.length,
      body.data!["connection"].edges.length,
    ]).toEqual([100, 100, 100, 100, 100, 100]);
  });

  it("reads limit: 0 of a hand-written @cypher list as its default, not as none", async () => {
    const body = await query(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organisation { zero: stages(limit: 0) { id } none: stages { id } } } }`,
      { r: [{ __typename: "Organisation", id: parent }] },
      services.url,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!["_entities"][0].zero).toHaveLength(2);
    expect(body.data!["_entities"][0].none).toHaveLength(2);
  });

  it("refuses a limit or first above the maximum (1,000), naming it, as a literal or through a variable; never cuts it", async () => {
    for (const [document, variables] of [
      [`query ($n: Int) { organisations(${ofParent}, limit: $n) { id } }`, { n: 5000 }],
      [`{ organisations(${ofParent}, limit: 5000) { id } }`, {}],
      [`{ organisationsConnection(${ofParent}, first: 1001) { totalCount } }`, {}],
      [`{ organisations(where: { id: { eq: "${parent}" } }) { childrenConnection(first: 1001) { totalCount } } }`, {}],
    ] as const) {
      const error = await refusal(document, variables);
      expect(error.message).toMatch(/^"(limit|first)" of \S+ must be from 0 to 1000; it was (5000|1001) \(0 or none gives the default, 100\)\.$/);
    }
    const atMax = await query(`{ organisations(${ofParent}, limit: 1000) { id } }`);
    expect(atMax.data!["organisations"]).toHaveLength(1000);
  });

  it("says a connection has a next page whenever the default or the maximum cut it", async () => {
    const body = await query(`{
      none: organisationsConnection(${ofParent}) { totalCount edges { cursor } pageInfo { hasNextPage } }
      above: organisationsConnection(${ofParent}, first: 1000) { totalCount edges { cursor } pageInfo { hasNextPage } }
      all: organisationsConnection(${ofParent}, first: 1000, after: "${Buffer.from("arrayconnection:0").toString("base64")}") { edges { cursor } pageInfo { hasNextPage } }
      nested: organisations(where: { id: { eq: "${parent}" } }) { childrenConnection { totalCount edges { cursor } pageInfo { hasNextPage } } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!["none"]).toMatchObject({ totalCount: childCount, pageInfo: { hasNextPage: true } });
    expect(body.data!["none"].edges).toHaveLength(100);
    expect(body.data!["above"].edges).toHaveLength(1000);
    expect(body.data!["above"].pageInfo.hasNextPage).toBe(true);
    // After the first item, 1,000 are left: all of them fit, so there is no next page.
    expect(body.data!["all"].edges).toHaveLength(1000);
    expect(body.data!["all"].pageInfo.hasNextPage).toBe(false);
    expect(body.data!["nested"][0].childrenConnection.pageInfo.hasNextPage).toBe(true);
  });

  it("reaches every item by following endCursor, at the root and nested", async () => {
    const walk = async (
      page: (
        after: string | null,
      ) => Promise<{ totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>,
    ) => {
      const ids: string[] = [];
      let after: string | null = null;
      let totalCount = 0;
      for (let pages = 0; pages < 20; pages++) {
        const connection = await page(after);
        totalCount = connection.totalCount;
        ids.push(...connection.edges.map((e) => e.node.id));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      return { ids: new Set(ids), count: ids.length, totalCount };
    };
    const connectionFields = "totalCount edges { node { id } } pageInfo { hasNextPage endCursor }";
    const root = await walk(
      async (after) =>
        (await query(`query ($after: String) { organisationsConnection(${ofParent}, after: $after, sort: [{ id: ASC }]) { ${connectionFields} } }`, { after }))
          .data!["organisationsConnection"],
    );
    expect(root).toEqual({ ids: expect.any(Set), count: childCount, totalCount: childCount });
    expect(root.ids.size).toBe(childCount);
    const nested = await walk(
      async (after) =>
        (
          await query(
            `query ($after: String) { organisations(where: { id: { eq: "${parent}" } }) { childrenConnection(first: 400, after: $after, sort: [{ node: { id: ASC } }]) { ${connectionFields} } } }`,
            { after },
          )
        ).data!["organisations"][0].childrenConnection,
    );
    expect([nested.count, nested.ids.size, nested.totalCount]).toEqual([childCount, childCount, childCount]);
  });

  it("refuses negative limits and firsts, and forged cursors, naming the argument, and logs no error", async () => {
    const before = logged.length;
    const cases: [string, string, Record<string, unknown>?][] = [
      [`{ organisations(limit: -1) { id } }`, "limit"],
      [`query ($n: Int) { organisations(limit: $n) { id } }`, "limit", { n: -5 }],
      [`{ organisationsConnection(first: -1) { totalCount } }`, "first"],
      [`{ organisationsConnection(after: "forged") { totalCount } }`, "after"],
      [`{ organisationsConnection(after: "${Buffer.from("arrayconnection:-3").toString("base64")}") { totalCount } }`, "after"],
      [`{ organisations(limit: 1) { children(limit: -1) { id } } }`, "limit"],
      [`{ organisations(limit: 1) { ...f } } fragment f on Organisation { childrenConnection(first: -1) { totalCount } }`, "first"],
      [`{ organisations(limit: 1) { childrenConnection(after: "bm90LWEtY3Vyc29y") { totalCount } } }`, "after"],
      [`{ organisationLinks(organisationId: "${parent}", first: -1) { totalCount } }`, "first"],
    ];
    for (const [document, argument, variables] of cases) {
      const error = await refusal(document, variables);
      expect(error.extensions?.["argument"]).toBe(argument);
      expect(error.message).toContain(`"${argument}"`);
    }
    expect(logged.slice(before).filter((line) => line.level >= 50)).toEqual([]);
  });

  it("reads first: 0 of a hand-written page as its default", async () => {
    const body = await query(`{ organisationLinks(organisationId: "${parent}", first: 0) { totalCount edges { cursor } } }`);
    expect(body.errors).toBeUndefined();
  });
});
