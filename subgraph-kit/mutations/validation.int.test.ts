import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLSchema } from "graphql";
import type { Driver } from "neo4j-driver";
import { testDriver, uniqueId } from "../../test/helpers.js";
import { buildSubgraphSchema } from "../schema.js";
import type { Problem } from "./validation.js";
import { executeRequest } from "./audit.js";
import { peoplePolicy } from "../../subgraphs/people/policy.js";
import { organisationsPolicy } from "../../subgraphs/organisations/policy.js";
import { servicesPolicy } from "../../subgraphs/services/policy.js";

const policies = { people: peoplePolicy, organisations: organisationsPolicy, services: servicesPolicy };

const admin = { sub: "test-admin", roles: ["admin", "editor", "reader"], organisations: [] };

/** Runs an operation on a built subgraph schema as the admin, as the subgraph's server would. */
async function run(schema: GraphQLSchema, source: string, variableValues: Record<string, unknown> = {}) {
  return executeRequest({ schema, source, variableValues, contextValue: { jwt: admin } });
}

/** The problems of a BAD_USER_INPUT error, as `path: message` lines. */
function problemsOf(result: Awaited<ReturnType<typeof run>>): string[] {
  expect(result.errors).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.extensions["code"]).toBe("BAD_USER_INPUT");
  const problems = error.extensions["problems"] as Problem[];
  expect(error.extensions["field"]).toBe(problems[0]!.field);
  expect(error.message).toBe(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
  return problems.map((p) => `${p.field}: ${p.message}`);
}

describe("mutation validation", () => {
  let driver: Driver;
  let people: GraphQLSchema;
  let services: GraphQLSchema;
  let organisations: GraphQLSchema;
  const community = uniqueId("community");
  const person = uniqueId("person");
  const created: string[] = [community, person];

  const count = async (label: string, ids: string[]) =>
    (await driver.executeQuery(`MATCH (n:${label}) WHERE n.id IN $ids RETURN count(n) AS n`, { ids })).records[0]!.get("n").toNumber() as number;
  const auditCount = async (ids: string[]) =>
    (await driver.executeQuery("MATCH (e:AuditEvent) WHERE e.entityId IN $ids RETURN count(e) AS n", { ids })).records[0]!.get("n").toNumber() as number;

  beforeAll(async () => {
    driver = testDriver();
    const schemaOf = async (name: "people" | "services" | "organisations") => (await buildSubgraphSchema({ name, driver, policy: policies[name] })).schema;
    [people, services, organisations] = await Promise.all([schemaOf("people"), schemaOf("services"), schemaOf("organisations")]);
    const { errors } = await run(
      people,
      `mutation ($community: ID!, $person: ID!) {
      createCommunities(input: [{ id: $community, name: "Validation community", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } }
      createPeople(input: [{ id: $person, name: "Valid Person", organisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }] } }]) { people { id } }
    }`,
      { community, person },
    );
    expect(errors).toBeUndefined();
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: created });
    await driver.close();
  });

  it("names a connect to an id that does not exist by its path", async () => {
    const id = uniqueId("person");
    const result = await run(
      people,
      `mutation ($id: ID!) {
      createPeople(input: [{ id: $id, name: "Nobody's", organisations: { connect: [{ where: { node: { id: { eq: "hmrx" } } } }] } }]) { people { id } }
    }`,
      { id },
    );
    expect(problemsOf(result)).toEqual(['input[0].organisations.connect[0].where.node.id.eq: no Organisation has id "hmrx"']);
    expect(await count("Person", [id])).toBe(0);
  });

  it("names blank, missing, too long and malformed values, each by its path", async () => {
    const id = uniqueId("service");
    const result = await run(
      services,
      `mutation ($id: ID!, $long: String!) {
      createServices(input: [
        { id: $id, name: "   ", url: "ftp://example.org", description: $long, phaseHistory: ["alpha: Completed", " "] },
        { id: "Not A Slug", name: "Fine", snapshot: "20 July 2026" }
      ]) { services { id } }
    }`,
      { id, long: "x".repeat(4001) },
    );
    expect(problemsOf(result)).toEqual([
      "input[0].name: is required and must not be blank",
      "input[0].description: must be at most 4000 characters; it has 4001",
      "input[0].phaseHistory[1]: must not be blank: leave it out or set it to null",
      'input[0].url: must be an http:// or https:// address; it was "ftp://example.org"',
      'input[1].id: must be a slug: lower-case letters, digits, - and _, starting with a letter or digit, at most 150 characters; it was "Not A Slug"',
      'input[1].snapshot: must be a date as YYYY-MM-DD; it was "20 July 2026"',
    ]);
    expect(await count("Service", [id])).toBe(0);
  });

  it("checks dates and numbers: until not before since, years in range, positions from 1", async () => {
    const service = uniqueId("service");
    const result = await run(
      services,
      `mutation ($service: ID!, $stage: ID!) {
      createServices(input: [{ id: $service, name: "Dated", stages: { create: [{ node: {
        id: $stage, name: "First", position: 0,
        responsibleOrganisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } }, edge: { lane: FRONTSTAGE, since: "2024-04-01", until: "2023-04-01" } }] }
      } }] } }]) { services { id } }
    }`,
      { service, stage: `${service}-1` },
    );
    expect(problemsOf(result)).toEqual([
      "input[0].stages.create[0].node.position: must be between 1 and 1000; it was 0",
      "input[0].stages.create[0].node.responsibleOrganisations.connect[0].edge.until: must not be less than since (2024-04-01); it was 2023-04-01",
    ]);

    const closed = await run(
      organisations,
      `mutation { updateOrganisations(where: { id: { eq: "hm-revenue-customs" } }, update: { closedAt: { set: "1700-01-01" } }) { organisations { id } } }`,
    );
    expect(problemsOf(closed)).toEqual(["update.closedAt.set: must be a date between the years 1800 and 2100; it was 1700-01-01"]);
  });

  it("refuses removing a required value and accepts an id in the shape of its type", async () => {
    const removed = await run(
      people,
      `mutation ($person: ID!) { updatePeople(where: { id: { eq: $person } }, update: { name: { set: null } }) { people { id } } }`,
      { person },
    );
    expect(problemsOf(removed)).toEqual(["update.name.set: is required and cannot be removed"]);

    const post = `hm-revenue-customs/${uniqueId("POST").toUpperCase()}`;
    created.push(post);
    const posts = await run(
      people,
      `mutation ($post: ID!) {
      createPosts(input: [{ id: $post, reference: "REF 1", fte: 1, payFloor: 50000, payCeiling: 40000 }, { id: "hm-revenue-customs", reference: "R" }]) { posts { id } }
    }`,
      { post },
    );
    expect(problemsOf(posts)).toEqual([
      "input[0].payCeiling: must not be less than payFloor (50000); it was 40000",
      'input[1].id: must be `<organisation slug>/<post reference>`, the reference at most 100 characters; it was "hm-revenue-customs"',
    ]);
  });

  it("checks that the targets, and the nodes disconnected, exist when named by id", async () => {
    const update = await run(
      people,
      `mutation ($person: ID!) {
      updatePeople(where: { id: { in: [$person, "test-nobody-at-all"] } }, update: {
        organisations: [{ disconnect: [{ where: { node: { id: { eq: "hmrx" } } } }], connect: [{ where: { node: {} } }] }]
      }) { people { id } }
    }`,
      { person },
    );
    expect(problemsOf(update)).toEqual([
      "update.organisations[0].connect[0].where.node: must name the nodes to connect, for example by id",
      'where.id.in[1]: no Person has id "test-nobody-at-all"',
      'update.organisations[0].disconnect[0].where.node.id.eq: no Organisation has id "hmrx"',
    ]);

    const deletion = await run(people, `mutation { deletePeople(where: { id: { eq: "test-nobody-at-all" } }) { nodesDeleted } }`);
    expect(problemsOf(deletion)).toEqual(['where.id.eq: no Person has id "test-nobody-at-all"']);
  });

  it("reports the problems of every mutation field of the request together, and writes none of them", async () => {
    const first = uniqueId("community");
    const second = uniqueId("person");
    const result = await run(
      people,
      `mutation ($first: ID!, $second: ID!) {
      createCommunities(input: [{ id: $first, name: "Written first", kind: SERVICE_COMMUNITY }]) { communities { id } }
      later: createPeople(input: [{ id: $second, name: " ", communities: { connect: [{ where: { node: { id: { eq: "test-no-community" } } }, edge: { role: "member" } }] } }]) { people { id } }
    }`,
      { first, second },
    );
    expect(problemsOf(result)).toEqual([
      "later.input[0].name: is required and must not be blank",
      'later.input[0].communities.connect[0].where.node.id.eq: no Community has id "test-no-community"',
    ]);
    expect(await count("Community", [first])).toBe(0);
    expect(await count("Person", [second])).toBe(0);
    expect(await auditCount([first, second])).toBe(0);
  });

  it("counts nodes created earlier in the same request as existing", async () => {
    const [a, b, c] = [uniqueId("person"), uniqueId("person"), uniqueId("community")];
    created.push(a, b, c);
    const result = await run(
      people,
      `mutation ($a: ID!, $b: ID!, $c: ID!) {
      createCommunities(input: [{ id: $c, name: "Made first", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } }
      createPeople(input: [
        { id: $a, name: "Manager" },
        { id: $b, name: "Report", reportsTo: { connect: [{ where: { node: { id: { eq: $a } } } }] }, communities: { connect: [{ where: { node: { id: { eq: $c } } }, edge: { role: "member" } }] } }
      ]) { people { id reportsTo { id } communities { id } } }
    }`,
      { a, b, c },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.["createPeople"]).toEqual({
      people: [
        { id: a, reportsTo: [], communities: [] },
        { id: b, reportsTo: [{ id: a }], communities: [{ id: c }] },
      ],
    });
  });

  it("checks an edge update giving one half of an interval against the stored half of the relationships it names, and refuses one that names none by id", async () => {
    const [member, other] = [uniqueId("person"), uniqueId("person")];
    created.push(member, other);
    // Another person's membership stored with its interval the wrong way round (as a bad import might
    // leave it) is not this update's: the check reads only the named person's relationships.
    await driver.executeQuery(
      `UNWIND [[$member, date('2024-01-01')], [$other, date('2024-06-01')]] AS row
       MATCH (c:Community {id: $community})
       CREATE (:Person {id: row[0], name: 'Member'})-[:MEMBER_OF {since: row[1], until: CASE WHEN row[0] = $other THEN date('2020-01-01') END}]->(c)`,
      { member, other, community },
    );
    const end = (where: string, until: string) =>
      run(
        people,
        `mutation { updatePeople(${where}, update: {
          communities: [{ update: { edge: { until: { set: "${until}" } } } }]
        }) { people { id } } }`,
      );
    expect((await end(`where: { id: { eq: "${member}" } }`, "2025-01-01")).errors).toBeUndefined();
    expect(problemsOf(await end(`where: { id: { eq: "${member}" } }`, "2023-01-01"))).toEqual([
      "update.communities[0].update.edge.until.set: must not be less than since (2024-01-01, as stored); it was 2023-01-01",
    ]);
    expect(problemsOf(await end(`where: { name: { eq: "Member" } }`, "2025-01-01"))).toEqual([
      "update.communities[0].update.edge.until.set: sets until without since, which is then read from the stored relationship: name by id the Community (update.communities[0].update.where.node) or the node it is updated under",
    ]);
    const stored = await driver.executeQuery(
      `MATCH (p:Person)-[r:MEMBER_OF]->() WHERE p.id IN $ids RETURN p.id AS id, toString(r.until) AS until ORDER BY id`,
      {
        ids: [member, other],
      },
    );
    expect(Object.fromEntries(stored.records.map((r) => [r.get("id"), r.get("until")]))).toEqual({ [member]: "2025-01-01", [other]: "2020-01-01" });
  });

  it("lets a valid change through", async () => {
    const result = await run(
      people,
      `mutation ($person: ID!, $community: ID!) {
      updatePeople(where: { id: { eq: $person } }, update: {
        jobTitle: { set: "Analyst" }, grade: { set: "Grade 7" },
        communities: [{ connect: [{ where: { node: { id: { eq: $community } } }, edge: { role: "lead", since: "2024-01-01", until: "2024-01-01" } }] }]
      }) { people { jobTitle communitiesConnection { edges { properties { role } } } } }
    }`,
      { person, community },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.["updatePeople"]).toEqual({ people: [{ jobTitle: "Analyst", communitiesConnection: { edges: [{ properties: { role: "lead" } }] } }] });
  });
});
