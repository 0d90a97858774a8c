import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, type GraphQLSchema } from "graphql";
import type { Driver } from "neo4j-driver";
import { postGraphQL, startSubgraph, testAdmin, testDriver, testNeo4j, testReader, uniqueId } from "../test/helpers.js";
import { buildSubgraphSchema, type RunningServer } from "./subgraph-server.js";
import { auditTrailResolvers } from "./audit.js";

interface Jwt {
  sub?: string;
  roles: string[];
  organisations: string[];
}

const adminAs = (sub: string): Jwt => ({ sub, roles: ["admin", "editor", "reader"], organisations: [] });

interface Change {
  kind: string;
  field: string;
  relatedId: string | null;
  relationshipType: string | null;
  before: string | null;
  after: string | null;
}

interface Event {
  actor: string;
  operation: string;
  action: string;
  entityType: string;
  entityId: string;
  at: string;
  changes: Change[];
}

const eventFields = "actor operation action entityType entityId at changes { kind field relatedId relationshipType before after }";

/** A property change as the trail shows it. */
const property = (field: string, before: unknown, after: unknown) => ({
  kind: "PROPERTY", field, relatedId: null, relationshipType: null,
  before: before === null ? null : JSON.stringify(before), after: after === null ? null : JSON.stringify(after),
});
const relationship = (kind: string, field: string, relationshipType: string, relatedId: string, properties: Record<string, unknown> = {}) => ({
  kind, field, relatedId, relationshipType,
  before: kind === "RELATIONSHIP_ADDED" ? null : JSON.stringify(properties),
  after: kind === "RELATIONSHIP_REMOVED" ? null : JSON.stringify(properties),
});
const byField = (a: Change, b: Change) => `${a.kind}${a.field}${a.relatedId}`.localeCompare(`${b.kind}${b.field}${b.relatedId}`);

describe("audit trail", () => {
  let driver: Driver;
  let people: GraphQLSchema;
  let services: GraphQLSchema;
  const ids: string[] = [];
  const fresh = (prefix: string) => {
    const id = uniqueId(prefix);
    ids.push(id);
    return id;
  };

  const run = async (schema: GraphQLSchema, source: string, variableValues: Record<string, unknown>, jwt: Jwt | undefined) =>
    graphql({ schema, source, variableValues, contextValue: jwt ? { jwt } : {} });

  /** Runs a mutation that must succeed. */
  async function change(schema: GraphQLSchema, source: string, variableValues: Record<string, unknown>, jwt: Jwt = adminAs("test-admin")) {
    const result = await run(schema, source, variableValues, jwt);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** The trail of one entity, newest first, as an admin reads it. */
  async function trail(entityId: string): Promise<Event[]> {
    const result = await run(people, `query ($entityId: ID!) { auditTrail(entityId: $entityId) { edges { node { ${eventFields} } } } }`, { entityId }, adminAs("test-admin"));
    expect(result.errors).toBeUndefined();
    return (result.data!["auditTrail"] as { edges: { node: Event }[] }).edges.map((e) => ({ ...e.node, changes: [...e.node.changes].sort(byField) }));
  }

  const exists = async (label: string, id: string) =>
    (await driver.executeQuery(`MATCH (n:${label} {id: $id}) RETURN count(n) AS n`, { id })).records[0]!.get("n").toNumber() === 1;

  beforeAll(async () => {
    driver = testDriver();
    const database = testNeo4j().database;
    people = (await buildSubgraphSchema({ name: "people", driver, resolvers: auditTrailResolvers(driver, database) })).schema;
    services = (await buildSubgraphSchema({ name: "services", driver })).schema;
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids });
    await driver.close();
  });

  describe("of a person created, changed and deleted", () => {
    const person = uniqueId("person");
    const community = uniqueId("community");
    const actor = uniqueId("actor");

    beforeAll(async () => {
      ids.push(person, community);
      await change(people, `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Audited community", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } } }`, { community });
    });

    it("records a creation: who, when, every property set and every relationship made, with its properties", async () => {
      const started = Date.now();
      await change(people, `mutation ($person: ID!, $community: ID!) {
        createPeople(input: [{
          id: $person, name: "Audit Example", grade: "HEO",
          organisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }] },
          communities: { connect: [{ where: { node: { id: { eq: $community } } }, edge: { role: "member", since: "2024-01-01" } }] }
        }]) { people { id } }
      }`, { person, community }, adminAs(actor));
      const [created, ...rest] = await trail(person);
      expect(rest).toEqual([]);
      expect(created).toMatchObject({ actor, operation: "createPeople", action: "CREATE", entityType: "Person", entityId: person });
      expect(Date.parse(created!.at)).toBeGreaterThanOrEqual(started - 60_000);
      expect(created!.changes).toEqual([
        property("grade", null, "HEO"),
        property("id", null, person),
        property("name", null, "Audit Example"),
        relationship("RELATIONSHIP_ADDED", "communities", "MEMBER_OF", community, { role: "member", since: "2024-01-01" }),
        relationship("RELATIONSHIP_ADDED", "organisations", "WORKS_FOR", "hm-revenue-customs"),
      ]);
    });

    it("records an update: each property changed before and after, each relationship connected and disconnected", async () => {
      await change(people, `mutation ($person: ID!, $community: ID!) {
        updatePeople(where: { id: { eq: $person } }, update: {
          name: { set: "Audit Example-Renamed" }, grade: { set: "HEO" },
          organisations: [{ disconnect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }], connect: [{ where: { node: { id: { eq: "department-for-work-pensions" } } } }] }],
          communities: [{ disconnect: [{ where: { node: { id: { eq: $community } } } }] }]
        }) { people { id } }
      }`, { person, community }, adminAs(actor));
      const [updated] = await trail(person);
      expect(updated).toMatchObject({ actor, operation: "updatePeople", action: "UPDATE" });
      // The grade set to the value it had is no change, so it is not recorded.
      expect(updated!.changes).toEqual([
        property("name", "Audit Example", "Audit Example-Renamed"),
        relationship("RELATIONSHIP_ADDED", "organisations", "WORKS_FOR", "department-for-work-pensions"),
        relationship("RELATIONSHIP_REMOVED", "communities", "MEMBER_OF", community, { role: "member", since: "2024-01-01" }),
        relationship("RELATIONSHIP_REMOVED", "organisations", "WORKS_FOR", "hm-revenue-customs"),
      ].sort(byField));
    });

    it("records a deletion with what was lost, and keeps the whole trail of the deleted entity", async () => {
      await change(people, `mutation ($person: ID!) { deletePeople(where: { id: { eq: $person } }) { nodesDeleted } }`, { person }, adminAs(actor));
      expect(await exists("Person", person)).toBe(false);
      const events = await trail(person);
      expect(events.map((e) => e.action)).toEqual(["DELETE", "UPDATE", "CREATE"]);
      expect(events[0]!.changes).toEqual([
        property("grade", "HEO", null),
        property("id", person, null),
        property("name", "Audit Example-Renamed", null),
        relationship("RELATIONSHIP_REMOVED", "organisations", "WORKS_FOR", "department-for-work-pensions"),
      ]);
    });

    it("pages the trail newest first, by entity or by caller", async () => {
      const page = async (after: string | null) => {
        const result = await run(people, `query ($actor: String!, $after: String) {
          auditTrail(actor: $actor, first: 2, after: $after) { totalCount edges { cursor node { operation entityId } } pageInfo { hasNextPage endCursor } }
        }`, { actor, after }, adminAs("test-admin"));
        expect(result.errors).toBeUndefined();
        return result.data!["auditTrail"] as { totalCount: number; edges: { node: { operation: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      };
      const first = await page(null);
      expect(first.totalCount).toBe(3);
      expect(first.edges.map((e) => e.node)).toEqual([{ operation: "deletePeople", entityId: person }, { operation: "updatePeople", entityId: person }]);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = await page(first.pageInfo.endCursor);
      expect(second.edges.map((e) => e.node)).toEqual([{ operation: "createPeople", entityId: person }]);
      expect(second.pageInfo.hasNextPage).toBe(false);
    });
  });

  it("records the nodes that nested operations create, change and delete, each as an entity of its own", async () => {
    const service = fresh("service");
    const [one, two] = [`${service}-1`, `${service}-2`];
    ids.push(one, two);
    await change(services, `mutation ($service: ID!, $one: ID!, $two: ID!) {
      createServices(input: [{ id: $service, name: "Audited service", phase: "alpha", stages: { create: [
        { node: { id: $one, name: "One", position: 1, responsibleOrganisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } }, edge: { lane: FRONTSTAGE } }] } } },
        { node: { id: $two, name: "Two", position: 2 } }
      ] } }]) { services { id } }
    }`, { service, one, two });
    expect((await trail(one))[0]!.changes).toContainEqual(relationship("RELATIONSHIP_ADDED", "responsibleOrganisations", "RESPONSIBLE_FOR", "hm-revenue-customs", { lane: "FRONTSTAGE" }));
    expect((await trail(service))[0]!.changes.filter((c) => c.field === "stages").map((c) => c.relatedId).sort()).toEqual([one, two]);

    await change(services, `mutation ($service: ID!, $one: ID!, $two: ID!) {
      updateServices(where: { id: { eq: $service } }, update: { stages: [
        { update: { where: { node: { id: { eq: $one } } }, node: { name: { set: "Uno" } } } },
        { delete: [{ where: { node: { id: { eq: $two } } } }] }
      ] }) { services { id } }
    }`, { service, one, two });
    const [renamed] = await trail(one);
    expect(renamed).toMatchObject({ operation: "updateServices", action: "UPDATE", entityType: "Stage", changes: [property("name", "One", "Uno")] });
    const [deleted] = await trail(two);
    expect(deleted).toMatchObject({ operation: "updateServices", action: "DELETE", entityType: "Stage" });
    expect(deleted!.changes).toContainEqual(property("position", 2, null));
    const [serviceUpdate] = await trail(service);
    expect(serviceUpdate!.changes).toEqual([relationship("RELATIONSHIP_REMOVED", "stages", "HAS_STAGE", two)]);
  });

  it("leaves neither a change nor a record when the mutation fails", async () => {
    const existing = fresh("person");
    const another = fresh("person");
    await change(people, `mutation ($existing: ID!) { createPeople(input: [{ id: $existing, name: "Already Here" }]) { people { id } } }`, { existing });

    // The second item takes an id in use: the first is rolled back with it, and nothing is recorded.
    const duplicate = await run(people, `mutation ($another: ID!, $existing: ID!) {
      createPeople(input: [{ id: $another, name: "Would Be New" }, { id: $existing, name: "Duplicate" }]) { people { id } }
    }`, { another, existing }, adminAs("test-admin"));
    expect(duplicate.errors?.[0]?.originalError?.name).toBe("Neo4jGraphQLConstraintValidationError");
    expect(await exists("Person", another)).toBe(false);
    expect(await trail(another)).toEqual([]);

    // An editor of no organisation may not change this person: refused by the rules, inside the transaction.
    const forbidden = await run(people, `mutation ($existing: ID!) { updatePeople(where: { id: { eq: $existing } }, update: { name: { set: "Renamed" } }) { people { id } } }`,
      { existing }, { sub: "test-editor", roles: ["editor", "reader"], organisations: [] });
    expect(forbidden.errors?.[0]?.originalError?.name).toBe("Neo4jGraphQLForbiddenError");
    const { records } = await driver.executeQuery("MATCH (p:Person {id: $existing}) RETURN p.name AS name", { existing });
    expect(records[0]!.get("name")).toBe("Already Here");
    expect((await trail(existing)).map((e) => e.operation)).toEqual(["createPeople"]);
  });

  it("finds the targets of any filter, and the nodes a nested connect changes", async () => {
    const [lead, member, community] = [fresh("person"), fresh("person"), fresh("community")];
    const marker = uniqueId("grade");
    await change(people, `mutation ($lead: ID!, $member: ID!, $community: ID!, $marker: String!) {
      createCommunities(input: [{ id: $community, name: "Nested connects", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } }
      createPeople(input: [{ id: $lead, name: "Lead Example", grade: $marker }, { id: $member, name: "Member Example", grade: $marker }]) { people { id } }
    }`, { lead, member, community, marker });

    // Targets named by grade, not id: found through the schema's own read query, in the transaction.
    await change(people, `mutation ($marker: String!, $community: ID!, $member: ID!) {
      updatePeople(where: { grade: { eq: $marker }, name: { eq: "Lead Example" } }, update: {
        jobTitle: { set: "Convenor" },
        communities: [{ connect: [{
          where: { node: { id: { eq: $community } } }, edge: { role: "convenor" },
          connect: [{ members: [{ where: { node: { id: { eq: $member } } }, edge: { role: "member" } }] }]
        }] }]
      }) { people { id } }
    }`, { marker, community, member });
    const [leadUpdate] = await trail(lead);
    expect(leadUpdate!.changes).toEqual([
      property("jobTitle", null, "Convenor"),
      relationship("RELATIONSHIP_ADDED", "communities", "MEMBER_OF", community, { role: "convenor" }),
    ]);
    const [communityUpdate] = await trail(community);
    expect(communityUpdate).toMatchObject({ operation: "updatePeople", action: "UPDATE", entityType: "Community" });
    // The community's members are read because the input connects to them: both new memberships show.
    expect(communityUpdate!.changes).toEqual([
      relationship("RELATIONSHIP_ADDED", "members", "MEMBER_OF", lead, { role: "convenor" }),
      relationship("RELATIONSHIP_ADDED", "members", "MEMBER_OF", member, { role: "member" }),
    ].sort(byField));
    expect((await trail(member)).map((e) => e.operation)).toEqual(["createPeople"]);
  });

  it("refuses a mutation whose filter matches more than 1000 nodes, before changing any", async () => {
    const organisations = (await buildSubgraphSchema({ name: "organisations", driver })).schema;
    const result = await run(organisations, `mutation { updateOrganisations(where: { name: { contains: "" } }, update: { url: { set: "https://example.org" } }) { organisations { id } } }`, {}, adminAs("test-admin"));
    expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "where" });
    expect(result.errors?.[0]?.message).toMatch(/^where: matches \d+ Organisation nodes; a mutation may change at most 1000 at a time$/);
    const { records } = await driver.executeQuery("MATCH (o:Organisation {url: 'https://example.org'}) RETURN count(o) AS n");
    expect(records[0]!.get("n").toNumber()).toBe(0);
  });

  it("records `anonymous` when the token names no subject", async () => {
    const community = fresh("community");
    await change(people, `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Anonymous work", kind: SERVICE_COMMUNITY }]) { communities { id } } }`,
      { community }, { roles: ["admin", "editor", "reader"], organisations: [] });
    expect((await trail(community)).map((e) => e.actor)).toEqual(["anonymous"]);
  });

  it("is readable by admins only, and no operation changes it", async () => {
    const query = "{ auditTrail(first: 1) { totalCount } }";
    for (const jwt of [{ sub: "test-editor", roles: ["editor", "reader"], organisations: [] }, undefined]) {
      const result = await run(people, query, {}, jwt);
      expect(result.errors?.[0]?.message).toBe("Reading the audit trail needs the admin role.");
      expect(result.errors?.[0]?.extensions["code"]).toBe("FORBIDDEN");
    }
    const mutations = Object.keys(people.getMutationType()!.getFields());
    expect(mutations.filter((name) => /audit/i.test(name))).toEqual([]);
  });

  describe("over HTTP", () => {
    let running: RunningServer;
    beforeAll(async () => {
      ({ running } = await startSubgraph("people", driver));
    });
    afterAll(async () => {
      await running.close();
    });

    it("records the caller the gateway names, and answers the trail to its admins only", async () => {
      const community = fresh("community");
      const created = await postGraphQL(running.url, `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Over HTTP", kind: SERVICE_COMMUNITY }]) { communities { id } } }`, { community }, testAdmin);
      expect(created.body.errors).toBeUndefined();
      const read = await postGraphQL(running.url, `query ($community: ID!) { auditTrail(entityId: $community) { edges { node { actor requestId action } } } }`, { community }, testAdmin);
      expect(read.body.errors).toBeUndefined();
      const [event] = read.body.data?.["auditTrail"].edges.map((e: { node: unknown }) => e.node);
      expect(event).toMatchObject({ actor: testAdmin.sub, action: "CREATE" });
      expect(event.requestId).toEqual(expect.any(String));
      const refused = await postGraphQL(running.url, "{ auditTrail { totalCount } }", {}, testReader);
      expect(refused.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    });
  });
});
