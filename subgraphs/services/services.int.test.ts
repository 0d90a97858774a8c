import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { postGraphQL, startSubgraph, testDriver, uniqueId } from "../../test/helpers.js";
import type { RunningServer } from "../../subgraph-kit/server.js";

describe("services subgraph", () => {
  let driver: Driver;
  let running: RunningServer;
  const organisation = uniqueId("org");
  const person = uniqueId("person");
  const community = uniqueId("community");
  const service = uniqueId("service");
  const [first, second] = [uniqueId("stage"), uniqueId("stage")];

  beforeAll(async () => {
    driver = testDriver();
    ({ running } = await startSubgraph("services", driver));
    // Nodes of the other subgraphs, created directly as those subgraphs would.
    await driver.executeQuery(
      "CREATE (:Organisation {id: $organisation, name: 'Test Organisation'}), (:Person {id: $person, name: 'Test Person'}), (:Community {id: $community, name: 'Test community', kind: 'SERVICE_COMMUNITY'})",
      { organisation, person, community },
    );
    const { body } = await postGraphQL(
      running.url,
      `
      mutation ($service: ID!, $first: ID!, $second: ID!, $organisation: ID!, $person: ID!, $community: ID!) {
        createServices(input: [{
          id: $service, name: "Test service"
          communities: { connect: [{ where: { node: { id: { eq: $community } } } }] }
          stages: { create: [
            { node: { id: $second, name: "Second", position: 2 } }
            { node: { id: $first, name: "First", position: 1,
                responsibleOrganisations: { connect: [{ where: { node: { id: { eq: $organisation } } }, edge: { lane: BACKSTAGE } }] }
                people: { connect: [{ where: { node: { id: { eq: $person } } }, edge: { role: "designer" } }] } } }
          ] }
        }]) { services { id } }
      }`,
      { service, first, second, organisation, person, community },
    );
    expect(body.errors).toBeUndefined();
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: [organisation, person, community, service, first, second] });
    await running.close();
    await driver.close();
  });

  it("gives a service's stages in order, with lanes and roles", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($id: ID!) { services(where: { id: { eq: $id } }) {
        stages(sort: [{ position: ASC }]) {
          id
          responsibleOrganisationsConnection { edges { properties { lane } node { id } } }
          peopleConnection { edges { properties { role } node { id } } }
        }
      } }`,
      { id: service },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["services"][0].stages).toEqual([
      {
        id: first,
        responsibleOrganisationsConnection: { edges: [{ properties: { lane: "BACKSTAGE" }, node: { id: organisation } }] },
        peopleConnection: { edges: [{ properties: { role: "designer" }, node: { id: person } }] },
      },
      { id: second, responsibleOrganisationsConnection: { edges: [] }, peopleConnection: { edges: [] } },
    ]);
  });

  it("gives a stage's service as one service, not a list, and finds stages by it", async () => {
    const { body } = await postGraphQL(
      running.url,
      `query ($service: ID!) { stages(where: { service: { id: { eq: $service } } }, sort: [{ position: ASC }]) { id service { id name } } }`,
      { service },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["stages"]).toEqual([
      { id: first, service: { id: service, name: "Test service" } },
      { id: second, service: { id: service, name: "Test service" } },
    ]);
  });

  it("resolves Stage and Service entities, and the stubs' reverse fields, through _entities", async () => {
    const { body } = await postGraphQL(
      running.url,
      `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Stage { name position }
          ... on Service { name communities { id } }
          ... on Organisation { stages { id } }
          ... on Person { stages { id } }
          ... on Community { services { id } }
        }
      }`,
      {
        representations: [
          { __typename: "Stage", id: first },
          { __typename: "Service", id: service },
          { __typename: "Organisation", id: organisation },
          { __typename: "Person", id: person },
          { __typename: "Community", id: community },
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["_entities"]).toEqual([
      { name: "First", position: 1 },
      { name: "Test service", communities: [{ id: community }] },
      { stages: [{ id: first }] },
      { stages: [{ id: first }] },
      { services: [{ id: service }] },
    ]);
  });

  it("rejects an unknown lane, naming the value, and stores nothing", async () => {
    const stage = uniqueId("stage");
    const { body } = await postGraphQL(
      running.url,
      `
      mutation { createStages(input: [{ id: "${stage}", name: "Bad", position: 1,
        responsibleOrganisations: { connect: [{ where: { node: { id: { eq: "${organisation}" } } }, edge: { lane: SIDEWAYS } }] } }]) { stages { id } } }`,
    );
    expect(body.errors?.[0]?.message).toContain("SIDEWAYS");
    const { records } = await driver.executeQuery("MATCH (s:Stage {id: $id}) RETURN count(s) AS n", { id: stage });
    expect(records[0]?.get("n").toNumber()).toBe(0);
  });

  it("holds the Starting a Business journey and the two step-by-steps of the demo data", async () => {
    const { body } = await postGraphQL(
      running.url,
      `{
      services(where: { id: { in: ["starting-a-business", "employ-someone", "get-ready-to-employ-someone"] } }, sort: [{ id: ASC }]) {
        id owners { id } stagesConnection { totalCount }
      }
    }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["services"]).toEqual([
      {
        id: "employ-someone",
        owners: expect.arrayContaining([{ id: "hm-revenue-customs" }, { id: "department-for-work-pensions" }]),
        stagesConnection: { totalCount: 7 },
      },
      { id: "get-ready-to-employ-someone", owners: expect.arrayContaining([{ id: "department-for-business-and-trade" }]), stagesConnection: { totalCount: 7 } },
      { id: "starting-a-business", owners: [{ id: "department-for-business-and-trade" }], stagesConnection: { totalCount: 9 } },
    ]);
  });

  it("gives what each source says of a service, with its provenance, and shows the first record's values", async () => {
    const { body } = await postGraphQL(
      running.url,
      `{
      services(where: { id: { eq: "access-to-work" } }) {
        name description phase source sources owners { id }
        records(sort: [{ precedence: ASC }]) { id sourceName precedence ownId name description phase source ownerIds owners { id } service { id } }
      }
    }`,
    );
    expect(body.errors).toBeUndefined();
    const [service] = body.data!["services"];
    // In the demo, the services list and DWP's portfolio both describe it; the list's record comes first.
    expect(service.records.map((r: any) => [r.id, r.sourceName, r.precedence, r.ownId, r.service])).toEqual([
      ["access-to-work@govuk-services-list", "govuk-services-list", 1, "access-to-work", { id: "access-to-work" }],
      ["dwp-access-to-work@service-portfolio", "service-portfolio", 2, "dwp-access-to-work", { id: "access-to-work" }],
    ]);
    expect(service.sources).toEqual(service.records.map((r: any) => r.source));
    const [list, portfolio] = service.records;
    expect(service).toMatchObject({
      name: list.name,
      description: list.description ?? portfolio.description,
      phase: list.phase ?? portfolio.phase,
      source: list.source,
    });
    expect(list.source).toBe("govuk-services-list:services");
    expect(portfolio.source).toBe("service-portfolio:dwp-defra-digital-service-portfolios.json");
    expect(portfolio.owners).toEqual([{ id: "department-for-work-pensions" }]);
    expect(portfolio.ownerIds).toEqual(["department-for-work-pensions"]);
    // Its owners are every record's.
    expect(new Set(service.owners.map((o: any) => o.id))).toEqual(new Set([...list.ownerIds, ...portfolio.ownerIds]));
  });
});
