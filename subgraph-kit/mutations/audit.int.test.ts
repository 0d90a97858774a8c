import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, type GraphQLSchema } from "graphql";
import { int as neo4jInt, type Driver } from "neo4j-driver";
import { headersFor, postGraphQL, startSubgraph, testAdmin, testAuth, testDriver, testNeo4j, testReader, uniqueId } from "../../test/helpers.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../../platform/caller.js";
import { type RunningServer } from "../server.js";
import { buildSubgraphSchema } from "../schema.js";
import { executeRequest, maxRelationshipsPerDelete } from "./audit.js";
import { auditTrailResolvers } from "../../subgraphs/people/resolvers/audit-trail.js";
import { peoplePolicy } from "../../subgraphs/people/policy.js";
import { organisationsPolicy } from "../../subgraphs/organisations/policy.js";
import { servicesPolicy } from "../../subgraphs/services/policy.js";

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
  kind: "PROPERTY",
  field,
  relatedId: null,
  relationshipType: null,
  before: before === null ? null : JSON.stringify(before),
  after: after === null ? null : JSON.stringify(after),
});
const relationship = (kind: string, field: string, relationshipType: string, relatedId: string, properties: Record<string, unknown> = {}) => ({
  kind,
  field,
  relatedId,
  relationshipType,
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
    executeRequest({ schema, source, variableValues, contextValue: jwt ? { jwt, viewer: jwt } : {} });

  /** Runs a mutation that must succeed. */
  async function change(schema: GraphQLSchema, source: string, variableValues: Record<string, unknown>, jwt: Jwt = adminAs("test-admin")) {
    const result = await run(schema, source, variableValues, jwt);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** The trail of one entity, newest first, as an admin reads it. */
  async function trail(entityId: string): Promise<Event[]> {
    const result = await run(
      people,
      `query ($entityId: ID!) { auditTrail(entityId: $entityId) { edges { node { ${eventFields} } } } }`,
      { entityId },
      adminAs("test-admin"),
    );
    expect(result.errors).toBeUndefined();
    return (result.data!["auditTrail"] as { edges: { node: Event }[] }).edges.map((e) => ({ ...e.node, changes: [...e.node.changes].sort(byField) }));
  }

  const exists = async (label: string, id: string) =>
    (await driver.executeQuery(`MATCH (n:${label} {id: $id}) RETURN count(n) AS n`, { id })).records[0]!.get("n").toNumber() === 1;

  beforeAll(async () => {
    driver = testDriver();
    const database = testNeo4j().database;
    people = (await buildSubgraphSchema({ name: "people", driver, policy: peoplePolicy, resolvers: auditTrailResolvers(driver, database) })).schema;
    services = (await buildSubgraphSchema({ name: "services", driver, policy: servicesPolicy })).schema;
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
      await change(
        people,
        `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Audited community", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } } }`,
        { community },
      );
    });

    it("records a creation: who, when, every property set and every relationship made, with its properties", async () => {
      const started = Date.now();
      await change(
        people,
        `mutation ($person: ID!, $community: ID!) {
        createPeople(input: [{
          id: $person, name: "Audit Example", grade: "HEO",
          organisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }] },
          communities: { connect: [{ where: { node: { id: { eq: $community } } }, edge: { role: "member", since: "2024-01-01" } }] }
        }]) { people { id } }
      }`,
        { person, community },
        adminAs(actor),
      );
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
      await change(
        people,
        `mutation ($person: ID!, $community: ID!) {
        updatePeople(where: { id: { eq: $person } }, update: {
          name: { set: "Audit Example-Renamed" }, grade: { set: "HEO" },
          organisations: [{ disconnect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }], connect: [{ where: { node: { id: { eq: "department-for-work-pensions" } } } }] }],
          communities: [{ disconnect: [{ where: { node: { id: { eq: $community } } } }] }]
        }) { people { id } }
      }`,
        { person, community },
        adminAs(actor),
      );
      const [updated] = await trail(person);
      expect(updated).toMatchObject({ actor, operation: "updatePeople", action: "UPDATE" });
      // The grade set to the value it had is no change, so it is not recorded.
      expect(updated!.changes).toEqual(
        [
          property("name", "Audit Example", "Audit Example-Renamed"),
          relationship("RELATIONSHIP_ADDED", "organisations", "WORKS_FOR", "department-for-work-pensions"),
          relationship("RELATIONSHIP_REMOVED", "communities", "MEMBER_OF", community, { role: "member", since: "2024-01-01" }),
          relationship("RELATIONSHIP_REMOVED", "organisations", "WORKS_FOR", "hm-revenue-customs"),
        ].sort(byField),
      );
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
        const result = await run(
          people,
          `query ($actor: String!, $after: String) {
          auditTrail(actor: $actor, first: 2, after: $after) { totalCount edges { cursor node { operation entityId } } pageInfo { hasNextPage endCursor } }
        }`,
          { actor, after },
          adminAs("test-admin"),
        );
        expect(result.errors).toBeUndefined();
        return result.data!["auditTrail"] as {
          totalCount: number;
          edges: { node: { operation: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
      const first = await page(null);
      expect(first.totalCount).toBe(3);
      expect(first.edges.map((e) => e.node)).toEqual([
        { operation: "deletePeople", entityId: person },
        { operation: "updatePeople", entityId: person },
      ]);
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
    await change(
      services,
      `mutation ($service: ID!, $one: ID!, $two: ID!) {
      createServices(input: [{ id: $service, name: "Audited service", phase: ALPHA, stages: { create: [
        { node: { id: $one, name: "One", position: 1, responsibleOrganisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } }, edge: { lane: FRONTSTAGE } }] } } },
        { node: { id: $two, name: "Two", position: 2 } }
      ] } }]) { services { id } }
    }`,
      { service, one, two },
    );
    expect((await trail(one))[0]!.changes).toContainEqual(
      relationship("RELATIONSHIP_ADDED", "responsibleOrganisations", "RESPONSIBLE_FOR", "hm-revenue-customs", { lane: "FRONTSTAGE" }),
    );
    expect(
      (await trail(service))[0]!.changes
        .filter((c) => c.field === "stages")
        .map((c) => c.relatedId)
        .sort(),
    ).toEqual([one, two]);

    await change(
      services,
      `mutation ($service: ID!, $one: ID!, $two: ID!) {
      updateServices(where: { id: { eq: $service } }, update: { stages: [
        { update: { where: { node: { id: { eq: $one } } }, node: { name: { set: "Uno" } } } },
        { delete: [{ where: { node: { id: { eq: $two } } } }] }
      ] }) { services { id } }
    }`,
      { service, one, two },
    );
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
    const duplicate = await run(
      people,
      `mutation ($another: ID!, $existing: ID!) {
      createPeople(input: [{ id: $another, name: "Would Be New" }, { id: $existing, name: "Duplicate" }]) { people { id } }
    }`,
      { another, existing },
      adminAs("test-admin"),
    );
    expect(duplicate.errors?.[0]?.originalError?.name).toBe("Neo4jGraphQLConstraintValidationError");
    expect(await exists("Person", another)).toBe(false);
    expect(await trail(another)).toEqual([]);

    // An editor of no organisation may not change this person: refused by the rules, inside the transaction.
    const forbidden = await run(
      people,
      `mutation ($existing: ID!) { updatePeople(where: { id: { eq: $existing } }, update: { name: { set: "Renamed" } }) { people { id } } }`,
      { existing },
      { sub: "test-editor", roles: ["editor", "reader"], organisations: [] },
    );
    expect(forbidden.errors?.[0]?.originalError?.name).toBe("Neo4jGraphQLForbiddenError");
    const { records } = await driver.executeQuery("MATCH (p:Person {id: $existing}) RETURN p.name AS name", { existing });
    expect(records[0]!.get("name")).toBe("Already Here");
    expect((await trail(existing)).map((e) => e.operation)).toEqual(["createPeople"]);
  });

  it("finds the targets of any filter, and the nodes a nested connect changes", async () => {
    const [lead, member, community] = [fresh("person"), fresh("person"), fresh("community")];
    const marker = uniqueId("grade");
    await change(
      people,
      `mutation ($lead: ID!, $member: ID!, $community: ID!, $marker: String!) {
      createCommunities(input: [{ id: $community, name: "Nested connects", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } }
      createPeople(input: [{ id: $lead, name: "Lead Example", grade: $marker }, { id: $member, name: "Member Example", grade: $marker }]) { people { id } }
    }`,
      { lead, member, community, marker },
    );

    // Targets named by grade, not id: found through the schema's own read query, in the transaction.
    await change(
      people,
      `mutation ($marker: String!, $community: ID!, $member: ID!) {
      updatePeople(where: { grade: { eq: $marker }, name: { eq: "Lead Example" } }, update: {
        jobTitle: { set: "Convenor" },
        communities: [{ connect: [{
          where: { node: { id: { eq: $community } } }, edge: { role: "convenor" },
          connect: [{ members: [{ where: { node: { id: { eq: $member } } }, edge: { role: "member" } }] }]
        }] }]
      }) { people { id } }
    }`,
      { marker, community, member },
    );
    const [leadUpdate] = await trail(lead);
    expect(leadUpdate!.changes).toEqual([
      property("jobTitle", null, "Convenor"),
      relationship("RELATIONSHIP_ADDED", "communities", "MEMBER_OF", community, { role: "convenor" }),
    ]);
    const [communityUpdate] = await trail(community);
    expect(communityUpdate).toMatchObject({ operation: "updatePeople", action: "UPDATE", entityType: "Community" });
    // The community's members are read because the input connects to them: both new memberships show.
    expect(communityUpdate!.changes).toEqual(
      [
        relationship("RELATIONSHIP_ADDED", "members", "MEMBER_OF", lead, { role: "convenor" }),
        relationship("RELATIONSHIP_ADDED", "members", "MEMBER_OF", member, { role: "member" }),
      ].sort(byField),
    );
    expect((await trail(member)).map((e) => e.operation)).toEqual(["createPeople"]);
  });

  it("refuses a mutation whose filter matches more than 1000 nodes, before changing any", async () => {
    const organisations = (await buildSubgraphSchema({ name: "organisations", driver, policy: organisationsPolicy })).schema;
    const result = await run(
      organisations,
      `mutation { updateOrganisations(where: { name: { contains: "" } }, update: { url: { set: "https://example.org" } }) { organisations { id } } }`,
      {},
      adminAs("test-admin"),
    );
    expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "where" });
    expect(result.errors?.[0]?.message).toMatch(/^where: matches \d+ Organisation nodes; a mutation may change at most 1000 at a time$/);
    const { records } = await driver.executeQuery("MATCH (o:Organisation {url: 'https://example.org'}) RETURN count(o) AS n");
    expect(records[0]!.get("n").toNumber()).toBe(0);
  });

  it("records `anonymous` when the token names no subject", async () => {
    const community = fresh("community");
    await change(
      people,
      `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Anonymous work", kind: SERVICE_COMMUNITY }]) { communities { id } } }`,
      { community },
      { roles: ["admin", "editor", "reader"], organisations: [] },
    );
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

  describe("a request of several changes", () => {
    const editor: Jwt = { sub: "test-editor", roles: ["editor", "reader"], organisations: ["companies-house"] };
    const mixed = `mutation ($probe: ID!) {
      a: createPeople(input: [{ id: $probe, name: "All Or Nothing", organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { people { id } }
      b: updatePeople(where: { id: { eq: "demo-person-05" } }, update: { jobTitle: { set: "Changed by another organisation's editor" } }) { people { id } }
    }`;
    const events = async (ids: string[]) =>
      (await driver.executeQuery("MATCH (e:AuditEvent) WHERE e.entityId IN $ids RETURN count(e) AS n", { ids })).records[0]!.get("n").toNumber() as number;

    it("stores nothing, and records nothing, when a later change is refused, and says so at each field undone", async () => {
      const probe = fresh("person");
      const result = await run(people, mixed, { probe }, editor);
      expect(result.data).toBeNull();
      // Outside the server, a refusal is still @neo4j/graphql's error, not yet the FORBIDDEN the server makes of it.
      expect(result.errors?.map((e) => [e.extensions["code"] ?? e.originalError?.name, e.path?.join(".")])).toEqual([
        ["Neo4jGraphQLForbiddenError", "b"],
        ["ROLLED_BACK", "a"],
      ]);
      expect(result.errors?.[1]?.message).toBe(
        "Nothing was stored: b failed (see its error), so the changes of a were undone too; a request's changes are stored all together or not at all.",
      );
      expect(await exists("Person", probe)).toBe(false);
      expect(await events([probe])).toBe(0);
    });

    it("stores every change of a request together, a later one seeing what an earlier one made", async () => {
      const [community, person] = [fresh("community"), fresh("person")];
      const result = await run(
        people,
        `mutation ($community: ID!, $person: ID!) {
        a: createCommunities(input: [{ id: $community, name: "Made first", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } }
        b: createPeople(input: [{ id: $person, name: "Joins It", communities: { connect: [{ where: { node: { id: { eq: $community } } }, edge: { role: "member" } }] } }]) { people { id communities { id } } }
      }`,
        { community, person },
        adminAs("test-admin"),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ a: { communities: [{ id: community }] }, b: { people: [{ id: person, communities: [{ id: community }] }] } });
      expect((await trail(person))[0]!.changes).toContainEqual(relationship("RELATIONSHIP_ADDED", "communities", "MEMBER_OF", community, { role: "member" }));
    });

    it("refuses a mutation run without a request to settle its transaction, before it writes", async () => {
      const probe = fresh("community");
      const result = await graphql({
        schema: people,
        source: `mutation ($probe: ID!) { createCommunities(input: [{ id: $probe, name: "Unsettled", kind: COMMUNITY_OF_PRACTICE }]) { communities { id } } }`,
        variableValues: { probe },
        contextValue: { jwt: adminAs("test-admin"), viewer: adminAs("test-admin") },
      });
      expect(result.errors?.[0]?.message).toMatch(/^A mutation needs a request that settles its transaction/);
      expect(await exists("Community", probe)).toBe(false);
    });
  });

  describe("of a deleted node's relationships", () => {
    it("records those of other subgraphs too, by type and direction, and the other end's type", async () => {
      const organisations = (await buildSubgraphSchema({ name: "organisations", driver, policy: organisationsPolicy })).schema;
      const [organisation, person, post] = [fresh("organisation"), fresh("person"), `hm-revenue-customs/${uniqueId("POST").toUpperCase()}`];
      ids.push(post);
      await driver.executeQuery(
        `
        MATCH (parent:Organisation {id: "companies-house"}), (profession:Profession) WITH parent, profession LIMIT 1
        CREATE (o:Organisation {id: $organisation, name: "Deleted with its links"})-[:PART_OF]->(parent)
        CREATE (:Person {id: $person, name: "Works There"})-[:WORKS_FOR]->(o)
        CREATE (o)-[:HAS_HEADCOUNT {count: 3}]->(profession)
        CREATE (:Post {id: $post, name: "A post"})-[:IN_ORGANISATION]->(o)`,
        { organisation, person, post },
      );
      const deleted = await change(
        organisations,
        `mutation ($organisation: ID!) { deleteOrganisations(where: { id: { eq: $organisation } }) { nodesDeleted relationshipsDeleted } }`,
        { organisation },
      );
      expect(deleted["deleteOrganisations"]).toEqual({ nodesDeleted: 1, relationshipsDeleted: 4 });
      const result = await run(
        people,
        `query ($organisation: ID!) { auditTrail(entityId: $organisation) { edges { node { action changes { kind field relatedId relatedType relationshipType after } } } } }`,
        { organisation },
        adminAs("test-admin"),
      );
      const [event] = (result.data!["auditTrail"] as { edges: { node: { action: string; changes: Record<string, unknown>[] } }[] }).edges.map((e) => e.node);
      expect(event!.action).toBe("DELETE");
      const removed = event!.changes
        .filter((c) => c["kind"] === "RELATIONSHIP_REMOVED")
        .map((c) => [c["field"], c["relationshipType"], c["relatedType"], c["after"]]);
      expect(removed.sort()).toEqual([
        ["-HAS_HEADCOUNT->", "HAS_HEADCOUNT", "Profession", null],
        ["<-IN_ORGANISATION-", "IN_ORGANISATION", "Post", null],
        ["<-WORKS_FOR-", "WORKS_FOR", "Person", null],
        ["parents", "PART_OF", "Organisation", null],
      ]);
      expect(event!.changes).toContainEqual(expect.objectContaining({ field: "<-WORKS_FOR-", relatedId: person }));
    });

    it(`refuses a delete that would remove more than ${maxRelationshipsPerDelete} relationships, before changing anything`, async () => {
      const organisations = (await buildSubgraphSchema({ name: "organisations", driver, policy: organisationsPolicy })).schema;
      const [organisation, person] = [fresh("organisation"), fresh("person")];
      await driver.executeQuery(
        `
        CREATE (o:Organisation {id: $organisation, name: "Too many links"}), (p:Person {id: $person, name: "Many Times"})
        WITH o, p UNWIND range(0, $max) AS i CREATE (p)-[:WORKS_FOR]->(o)`,
        { organisation, person, max: neo4jInt(maxRelationshipsPerDelete) },
      );
      const result = await run(
        organisations,
        `mutation ($organisation: ID!) { deleteOrganisations(where: { id: { eq: $organisation } }) { nodesDeleted } }`,
        { organisation },
        adminAs("test-admin"),
      );
      expect(result.errors?.[0]?.extensions["code"]).toBe("BAD_USER_INPUT");
      expect(result.errors?.[0]?.message).toBe(
        `Deleting these Organisation nodes would remove ${maxRelationshipsPerDelete + 1} relationships; a mutation may remove at most ${maxRelationshipsPerDelete}, each recorded in the audit trail: remove some of their links first.`,
      );
      expect(await exists("Organisation", organisation)).toBe(true);
      expect(await trail(organisation)).toEqual([]);
    });
  });

  describe("over HTTP", () => {
    let running: RunningServer;
    beforeAll(async () => {
      ({ running } = await startSubgraph("people", driver));
    });
    afterAll(async () => {
      await running.close();
    });

    const post = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
      const response = await fetch(running.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: unknown; errors?: { message: string; path?: string[]; extensions?: { code?: string } }[] };
    };
    const createCommunity = `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Over HTTP", kind: SERVICE_COMMUNITY }]) { communities { id } } }`;
    const eventOf = async (community: string) => {
      const { records } = await driver.executeQuery(
        "MATCH (e:AuditEvent {entityId: $community}) RETURN e.requestId AS requestId, e.clientRequestId AS clientRequestId",
        { community },
      );
      expect(records).toHaveLength(1);
      return records[0]!.toObject();
    };

    it("answers a request of several changes, one refused, with every field's data null and nothing stored", async () => {
      const probe = fresh("person");
      const body = await post(
        `mutation ($probe: ID!) {
        a: createPeople(input: [{ id: $probe, name: "All Or Nothing", organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { people { id } }
        b: updatePeople(where: { id: { eq: "demo-person-05" } }, update: { jobTitle: { set: "Changed" } }) { people { id } }
      }`,
        { probe },
        await headersFor({ sub: "test-editor", roles: ["editor"], organisations: ["companies-house"] }),
      );
      expect(body.data).toBeNull();
      expect(body.errors?.map((e) => [e.extensions?.code, e.path?.join(".")])).toEqual([
        ["FORBIDDEN", "b"],
        ["ROLLED_BACK", "a"],
      ]);
      expect(await exists("Person", probe)).toBe(false);
    });

    it("records the request id the gateway signed, never an x-request-id header", async () => {
      const [unsigned, signed] = [fresh("community"), fresh("community")];
      // A gateway token without a request (an older gateway): the subgraph's own id, not the header's.
      await post(createCommunity, { community: unsigned }, { ...(await headersFor(testAdmin)), "x-request-id": "forged-by-a-client" });
      const own = await eventOf(unsigned);
      expect(own["requestId"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(own["clientRequestId"]).toBeNull();

      const gatewayToken = await signGatewayToken(viewerFromClaims({ ...testAdmin }), testAuth.subgraphSecret, {
        requestId: "gateway-request-1",
        clientRequestId: "client-chosen-1",
      });
      await post(createCommunity, { community: signed }, { [gatewayTokenHeader]: gatewayToken, "x-request-id": "forged-by-a-client" });
      expect(await eventOf(signed)).toEqual({ requestId: "gateway-request-1", clientRequestId: "client-chosen-1" });
    });

    it("records the caller the gateway names, and answers the trail to its admins only", async () => {
      const community = fresh("community");
      const created = await postGraphQL(
        running.url,
        `mutation ($community: ID!) { createCommunities(input: [{ id: $community, name: "Over HTTP", kind: SERVICE_COMMUNITY }]) { communities { id } } }`,
        { community },
        testAdmin,
      );
      expect(created.body.errors).toBeUndefined();
      const read = await postGraphQL(
        running.url,
        `query ($community: ID!) { auditTrail(entityId: $community) { edges { node { actor requestId action } } } }`,
        { community },
        testAdmin,
      );
      expect(read.body.errors).toBeUndefined();
      const [event] = read.body.data?.["auditTrail"].edges.map((e: { node: unknown }) => e.node) ?? [];
      expect(event).toMatchObject({ actor: testAdmin.sub, action: "CREATE" });
      expect(event.requestId).toEqual(expect.any(String));
      const refused = await postGraphQL(running.url, "{ auditTrail { totalCount } }", {}, testReader);
      expect(refused.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    });
  });
});
