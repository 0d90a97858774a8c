import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import pino from "pino";
import { postGraphQL, startSubgraph, testAuth, testDriver, testNeo4j, testReader, uniqueId } from "../../test/helpers.js";
import type { RunningServer } from "../../subgraph-kit/server.js";
import { createPeopleSubgraph } from "./server.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../../platform/caller.js";

describe("people subgraph", () => {
  let driver: Driver;
  let running: RunningServer;
  const organisation = uniqueId("org");
  const person = uniqueId("person");
  const community = uniqueId("community");

  beforeAll(async () => {
    driver = testDriver();
    ({ running } = await startSubgraph("people", driver));
    // The organisation belongs to the organisations subgraph: created here directly, as that subgraph would.
    await driver.executeQuery("CREATE (:Organisation {id: $organisation, name: 'Test Organisation'})", { organisation });
    const { body } = await postGraphQL(
      running.url,
      `
      mutation ($community: ID!, $person: ID!, $organisation: ID!) {
        createCommunities(input: [{ id: $community, name: "Test community", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } }
        createPeople(input: [{
          id: $person, name: "Test Person", jobTitle: "Tester", grade: "HEO"
          organisations: { connect: [{ where: { node: { id: { eq: $organisation } } } }] }
          professions: { connect: [{ where: { node: { id: { eq: "policy" } } } }] }
          communities: { connect: [{ where: { node: { id: { eq: $community } } }, edge: { role: "convenor" } }] }
        }]) { people { id } }
      }`,
      { community, person, organisation },
    );
    expect(body.errors).toBeUndefined();
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: [organisation, person, community] });
    await running.close();
    await driver.close();
  });

  it("resolves Person entities through _entities, with professions and community roles", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Person { name grade professions { name } communitiesConnection { edges { properties { role } node { id kind } } } }
        }
      }`,
      { representations: [{ __typename: "Person", id: person }] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["_entities"]).toEqual([
      {
        name: "Test Person",
        grade: "HEO",
        professions: [{ name: "Policy" }],
        communitiesConnection: { edges: [{ properties: { role: "convenor" }, node: { id: community, kind: "COMMUNITY_OF_PRACTICE" } }] },
      },
    ]);
  });

  it("resolves the Organisation stub to the people who work for it", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Organisation { id people { id } } } }`,
      { representations: [{ __typename: "Organisation", id: organisation }] },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["_entities"]).toEqual([{ id: organisation, people: [{ id: person }] }]);
  });

  it("gives the first `limit` of an organisation's people by name, at most 1000", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Organisation { one: people(limit: 1) { name } all: people { name } } } }`,
      { representations: [{ __typename: "Organisation", id: "hm-revenue-customs" }] },
    );
    expect(body.errors).toBeUndefined();
    const [hmrc] = body.data?.["_entities"] as { one: { name: string }[]; all: { name: string }[] }[];
    expect(hmrc!.one).toEqual(hmrc!.all.slice(0, 1));
    expect(hmrc!.all.map((p) => p.name)).toEqual([...hmrc!.all.map((p) => p.name)].sort());
  });

  it("gives a post's and junior posts' organisation as one organisation, not a list", async () => {
    const [post, junior] = [uniqueId("post"), uniqueId("junior")];
    await driver.executeQuery(
      `MATCH (o:Organisation {id: $organisation})
       CREATE (p:Post {id: $post, reference: "1"})-[:IN_ORGANISATION]->(o), (:JuniorPosts {id: $junior, fte: 2})-[:IN_ORGANISATION]->(o)`,
      { organisation, post, junior },
    );
    try {
      const { body } = await postGraphQL(
        running.url,
        `query ($post: ID!, $junior: ID!) {
          posts(where: { id: { eq: $post } }) { organisation { id } }
          juniorPosts(where: { id: { eq: $junior } }) { organisation { id } }
        }`,
        { post, junior },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ posts: [{ organisation: { id: organisation } }], juniorPosts: [{ organisation: { id: organisation } }] });
    } finally {
      await driver.executeQuery("MATCH (n) WHERE n.id IN [$post, $junior] DETACH DELETE n", { post, junior });
    }
  });

  it("serves its SDL as composed, with the stub's inputs under names of its own", async () => {
    const { body } = await postGraphQL(running.url, "{ _service { sdl } }");
    const sdl = body.data?.["_service"].sdl as string;
    expect(sdl).toContain("input PeopleOrganisationWhere");
    expect(sdl).not.toMatch(/^input OrganisationWhere\b/m);
  });

  it("holds the 31 Civil Service professions and fictional people across at least eight of them", async () => {
    // The seed's professions: other files make professions of their own (test/helpers.ts, uniqueId) meanwhile.
    const { body } = await postGraphQL(
      running.url,
      `{
      professionsConnection(where: { NOT: { id: { startsWith: "test-" } } }) { totalCount }
      people(where: { id: { startsWith: "demo-person-" } }) { professions { id } }
    }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["professionsConnection"].totalCount).toBe(31);
    const professions = new Set(body.data?.["people"].flatMap((p: { professions: { id: string }[] }) => p.professions.map((x) => x.id)));
    expect(professions.size).toBeGreaterThanOrEqual(8);
  });

  it("rejects a membership without its required role, storing nothing", async () => {
    const stranger = uniqueId("person");
    const { body } = await postGraphQL(
      running.url,
      `
      mutation { createPeople(input: [{ id: "${stranger}", name: "No Role", communities: { connect: [{ where: { node: { id: { eq: "${community}" } } }, edge: {} }] } }]) { people { id } } }`,
    );
    expect(body.errors?.[0]?.message).toMatch(/role/);
    const { records } = await driver.executeQuery("MATCH (p:Person {id: $id}) RETURN count(p) AS n", { id: stranger });
    expect(records[0]?.get("n").toNumber()).toBe(0);
  });

  it("logs each operation as a JSON line with the gateway's request id, signed in its token, and the client's", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const logged = await (await createPeopleSubgraph({ driver, logger, database: testNeo4j().database, gatewaySecret: testAuth.subgraphSecret })).listen(0);
    try {
      await fetch(logged.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          // Any caller can send this header: only the gateway's signed token names the request.
          "x-request-id": "forged-1",
          [gatewayTokenHeader]: await signGatewayToken(viewerFromClaims({ ...testReader }), testAuth.subgraphSecret, {
            requestId: "trace-me-1",
            clientRequestId: "client-1",
          }),
        },
        body: JSON.stringify({ query: "query Names { people(limit: 1) { name } }" }),
      });
      expect(lines).toContainEqual(
        expect.objectContaining({
          subgraph: "people",
          requestId: "trace-me-1",
          clientRequestId: "client-1",
          msg: "operation",
          operationName: "Names",
          errors: 0,
        }),
      );
    } finally {
      await logged.close();
    }
  });
});
