import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { postGraphQL, startSubgraph, testDriver } from "../test/helpers.js";
import type { RunningServer } from "./server.js";

/** The test driver, counting the sessions @neo4j/graphql opens: one per Cypher query it runs. */
function countingDriver(driver: Driver): { driver: Driver; sessions: () => number; reset: () => void } {
  let sessions = 0;
  const counting = new Proxy(driver, {
    get(target, property, receiver) {
      if (property === "session")
        return (...args: Parameters<Driver["session"]>) => {
          sessions++;
          return target.session(...args);
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    driver: counting,
    sessions: () => sessions,
    reset: () => {
      sessions = 0;
    },
  };
}

describe("batched entity resolution", () => {
  const base = testDriver();
  const counter = countingDriver(base);
  let running: RunningServer;
  let organisationIds: string[];

  beforeAll(async () => {
    ({ running } = await startSubgraph("organisations", counter.driver));
    const { records } = await base.executeQuery("MATCH (o:Organisation) RETURN o.id AS id ORDER BY id LIMIT 200");
    organisationIds = records.map((r) => r.get("id") as string);
    // @neo4j/graphql checks the database's version on a process's first request: not counted below.
    await postGraphQL(running.url, "{ organisations(limit: 1) { id } }");
  });
  afterAll(async () => {
    await running.close();
    await base.close();
  });

  it("resolves 200 representations with one query, in the order given, null for unknown ids", async () => {
    const representations = [...organisationIds].reverse().map((id) => ({ __typename: "Organisation", id }));
    representations.splice(3, 0, { __typename: "Organisation", id: "no-such-organisation" });
    counter.reset();
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Organisation { id name parents { id } } } }`,
      { representations },
    );
    expect(body.errors).toBeUndefined();
    const entities = body.data?.["_entities"] as ({ id: string } | null)[];
    expect(entities.map((e) => e?.id ?? null)).toEqual(representations.map((r) => (r.id === "no-such-organisation" ? null : r.id)));
    expect(counter.sessions()).toBe(1);
  });

  it("keeps the operation's variables and fragments, whatever the representations' variable is called", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($_v0_representations: [_Any!]!, $live: OrganisationStatus!) {
        _entities(representations: $_v0_representations) { ...Named }
      }
      fragment Named on Organisation { id name children(where: { status: { eq: $live } }, limit: 1) { id } }`,
      { _v0_representations: [{ __typename: "Organisation", id: "department-for-business-and-trade" }], live: "LIVE" },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["_entities"]).toEqual([
      { id: "department-for-business-and-trade", name: "Department for Business and Trade", children: [expect.objectContaining({ id: expect.any(String) })] },
    ]);
  });

  describe("of a stub (the services subgraph's Organisation and Person)", () => {
    let services: RunningServer;
    let personIds: string[];

    beforeAll(async () => {
      ({ running: services } = await startSubgraph("services", counter.driver));
      const { records } = await base.executeQuery("MATCH (p:Person)-[:WORKS_ON]->(:Stage) RETURN DISTINCT p.id AS id ORDER BY id LIMIT 200");
      personIds = records.map((r) => r.get("id") as string);
      await postGraphQL(services.url, "{ services(limit: 1) { id } }");
    });
    afterAll(async () => {
      await services.close();
    });

    it("resolves every representation of each type with one query, whatever the type's owner", async () => {
      const representations = [...organisationIds.map((id) => ({ __typename: "Organisation", id })), ...personIds.map((id) => ({ __typename: "Person", id }))];
      counter.reset();
      const { body } = await postGraphQL(
        services.url,
        `
        query ($representations: [_Any!]!) { _entities(representations: $representations) {
          ... on Organisation { id stages(limit: 5) { id } }
          ... on Person { id stageRoles { role stageId } }
        } }`,
        { representations },
      );
      expect(body.errors).toBeUndefined();
      const entities = body.data?.["_entities"] as { id: string; stageRoles?: unknown[] }[];
      expect(entities.map((e) => e.id)).toEqual(representations.map((r) => r.id));
      expect(entities.filter((e) => e.stageRoles).every((e) => e.stageRoles!.length > 0)).toBe(true);
      // One query per type: organisations, then people.
      expect(counter.sessions()).toBe(2);
    });

    it("keeps the stubs' own root fields out of the public schema", async () => {
      const { body } = await postGraphQL(services.url, "{ _service { sdl } }");
      const sdl = (body.data?.["_service"] as { sdl: string }).sdl;
      // The arguments' descriptions may hold parentheses of their own: up to the field's type, not the first ")".
      expect(sdl).toMatch(/servicesOrganisationReferences\([\s\S]*?\n {2}\): \[Organisation!\]! @inaccessible/);
    });
  });
});
