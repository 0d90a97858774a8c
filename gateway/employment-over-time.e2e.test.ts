/**
 * People's employment and memberships over time, through the gateway: an editor ends them on a day,
 * reads as at a date honour it, `changes` lists who left, and an editor still cannot move a person
 * to another organisation (docs/adr/0008, docs/adr/0005).
 */
import { afterAll, describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite, testAdmin, testDriver, testReader, uniqueId, type TestCaller } from "../test/helpers.js";

const companiesHouseEditor: TestCaller = { sub: "test-editor", roles: ["editor"], organisations: ["companies-house"] };
const community = "accessibility-community";

describe("employment and memberships over time, through the gateway", () => {
  const stack = stackForSuite();
  const driver = testDriver();
  const created: string[] = [];
  afterAll(async () => {
    await driver.executeQuery("MATCH (p:Person) WHERE p.id IN $created DETACH DELETE p", { created });
    await driver.close();
  });

  const send = (query: string, as: TestCaller | null) => postGraphQL(stack.gateway.url, query, {}, as);
  const ask = async (query: string, as: TestCaller | null = testReader) => {
    const { status, body } = await send(query, as);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as any;
  };
  /** A person of Companies House since 2020, in the accessibility community since 2021, made by an admin. */
  const personAtCompaniesHouse = async () => {
    const id = uniqueId("employment");
    created.push(id);
    await ask(
      `mutation { createPeople(input: [{ id: "${id}", name: "Employment Test",
        organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } }, edge: { since: "2020-01-01" } }] },
        communities: { connect: [{ where: { node: { id: { eq: "${community}" } } }, edge: { role: "member", since: "2021-01-01" } }] }
      }]) { people { id } } }`,
      testAdmin,
    );
    return id;
  };
  const stored = async (id: string) =>
    (
      await driver.executeQuery(
        "MATCH (p:Person {id: $id})-[r]->(x) RETURN type(r) + ' ' + x.id + coalesce(' until ' + toString(r.until), '') AS link ORDER BY link",
        { id },
      )
    ).records.map((r) => r.get("link") as string);

  it("counts a profession on a stage only from the day it was held", async () => {
    const id = uniqueId("profession");
    created.push(id);
    const { records } = await driver.executeQuery(
      `CREATE (p:Person {id: $id, name: "Profession Test"})
       WITH p MATCH (st:Stage {id: "sab-choose-a-structure"}) MATCH (x:Profession) WITH p, st, x ORDER BY x.id LIMIT 1
       CREATE (p)-[:WORKS_ON {role: "tester"}]->(st), (p)-[:HAS_PROFESSION {since: date("2024-01-01")}]->(x)
       RETURN x.id AS profession`,
      { id },
    );
    const profession = records[0]!.get("profession") as string;
    const holders = async (asAt: string) =>
      (
        await ask(`{ stagePeople(stageId: "sab-choose-a-structure", asAt: "${asAt}", professionIds: ["${profession}"], first: 100) { edges { node { id } } } }`)
      ).stagePeople.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await holders("2023-06-01")).not.toContain(id);
    expect(await holders("2024-06-01")).toContain(id);
  });

  it("ends an employment and a membership on a day: reads as at a date honour it, and changes lists the person as having left", async () => {
    const id = await personAtCompaniesHouse();
    await ask(
      `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: {
        communities: [{ disconnect: [{ where: { node: { id: { eq: "${community}" } } } }] }]
      }) { people { id } } }`,
      companiesHouseEditor,
    );
    await ask(
      `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: {
        communities: [{ connect: [{ where: { node: { id: { eq: "${community}" } } }, edge: { role: "member", since: "2021-01-01", until: "2024-03-31" } }] }]
      }) { people { id } } }`,
      companiesHouseEditor,
    );
    // The employment last: once it has ended, the person is no longer the editor's to change.
    await ask(
      `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: {
        organisations: [{ disconnect: [{ where: { node: { id: { eq: "companies-house" } } } }] }]
        formerOrganisations: [{ connect: [{ where: { node: { id: { eq: "companies-house" } } }, edge: { since: "2020-01-01", until: "2024-03-31" } }] }]
      }) { people { id } } }`,
      companiesHouseEditor,
    );
    expect(await stored(id)).toEqual([`MEMBER_OF ${community} until 2024-03-31`, "WORKED_FOR companies-house until 2024-03-31"]);

    const { people } = await ask(`{ people(where: { id: { eq: "${id}" } }) {
      organisations { id }
      formerOrganisationsConnection { edges { node { id } properties { since until } } }
    } }`);
    expect(people[0]).toEqual({
      organisations: [],
      formerOrganisationsConnection: { edges: [{ node: { id: "companies-house" }, properties: { since: "2020-01-01", until: "2024-03-31" } }] },
    });

    const path = (asAt: string) => `{ path(fromId: "${id}", toId: "companies-house", asAt: "${asAt}") { length steps { id via } } }`;
    expect((await ask(path("2023-06-01"))).path).toEqual({
      length: 1,
      steps: [
        { id, via: null },
        { id: "companies-house", via: "WORKED_FOR" },
      ],
    });
    // Employed and a member on neither side of the day after: nothing connects them then.
    expect((await ask(path("2024-04-01"))).path).toBeNull();

    const { changes } = await ask(`{ changes(from: "2024-01-01", to: "2024-12-31", kinds: [LEFT], first: 100) {
      edges { node { kind date subject { id } via { kind id } } }
    } }`);
    const left = changes.edges.map((e: any) => e.node).filter((c: any) => c.subject.id === id);
    expect(left).toEqual([
      { kind: "LEFT", date: "2024-03-31", subject: { id }, via: { kind: "COMMUNITY", id: community } },
      { kind: "LEFT", date: "2024-03-31", subject: { id }, via: { kind: "ORGANISATION", id: "companies-house" } },
    ]);
    const joined = await ask(`{ changes(from: "2019-12-01", to: "2020-02-01", kinds: [JOINED], first: 100) { edges { node { subject { id } via { id } } } } }`);
    expect(joined.changes.edges.map((e: any) => e.node)).toContainEqual({ subject: { id }, via: { id: "companies-house" } });
  });

  it("ends a membership by updating its edge: LEFT in changes, gone from the community as at a later date, refused before its since and for another organisation's editor", async () => {
    const id = await personAtCompaniesHouse();
    const end = (until: string, as: TestCaller) =>
      send(
        `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: {
          communities: [{ update: { where: { node: { id: { eq: "${community}" } } }, edge: { until: { set: "${until}" } } } }]
        }) { people { id } } }`,
        as,
      );
    const hmrcEditor: TestCaller = { sub: "test-editor-hmrc", roles: ["editor"], organisations: ["hm-revenue-customs"] };
    expect((await end("2024-03-31", hmrcEditor)).body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(await stored(id)).toEqual([`MEMBER_OF ${community}`, "WORKS_FOR companies-house"]);
    const early = (await end("2020-06-01", companiesHouseEditor)).body;
    expect(early.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(early.errors?.[0]?.message).toContain("communities[0].update.edge.until.set: must not be less than since");
    expect(await stored(id)).toEqual([`MEMBER_OF ${community}`, "WORKS_FOR companies-house"]);

    expect((await end("2024-03-31", companiesHouseEditor)).body.errors).toBeUndefined();
    expect(await stored(id)).toEqual([`MEMBER_OF ${community} until 2024-03-31`, "WORKS_FOR companies-house"]);
    const { changes } = await ask(
      `{ changes(from: "2024-01-01", to: "2024-12-31", kinds: [LEFT], first: 100) { edges { node { kind date subject { id } via { kind id } source } } } }`,
    );
    expect(changes.edges.map((e: any) => e.node).filter((c: any) => c.subject.id === id)).toEqual([
      { kind: "LEFT", date: "2024-03-31", subject: { id }, via: { kind: "COMMUNITY", id: community }, source: null },
    ]);
  });

  it("refuses an end date after today, naming the field, and stores nothing", async () => {
    const id = await personAtCompaniesHouse();
    const { body } = await send(
      `mutation { updatePeople(where: { id: { eq: "${id}" } }, update: {
        organisations: [{ disconnect: [{ where: { node: { id: { eq: "companies-house" } } } }] }]
        formerOrganisations: [{ connect: [{ where: { node: { id: { eq: "companies-house" } } }, edge: { until: "2099-01-01" } }] }]
      }) { people { id } } }`,
      companiesHouseEditor,
    );
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toContain("formerOrganisations[0].connect[0].edge.until: must be today");
    expect(await stored(id)).toEqual([`MEMBER_OF ${community}`, "WORKS_FOR companies-house"]);
  });

  it("refuses an editor's move of their person to another organisation, current or former, with FORBIDDEN, storing nothing", async () => {
    const id = await personAtCompaniesHouse();
    const moves = [
      `organisations: [{ disconnect: [{ where: { node: { id: { eq: "companies-house" } } } }], connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }] }]`,
      `organisations: [{ disconnect: [{ where: { node: { id: { eq: "companies-house" } } } }] }]
       formerOrganisations: [{ connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } }, edge: { until: "2024-03-31" } }] }]`,
      // Ending it without keeping it among the former ones leaves the editor no hold on the person.
      `organisations: [{ disconnect: [{ where: { node: { id: { eq: "companies-house" } } } }] }]`,
    ];
    for (const move of moves) {
      const { body } = await send(`mutation { updatePeople(where: { id: { eq: "${id}" } }, update: { ${move} }) { people { id } } }`, companiesHouseEditor);
      expect(body.errors?.[0]?.extensions?.["code"], move).toBe("FORBIDDEN");
      expect(await stored(id), move).toEqual([`MEMBER_OF ${community}`, "WORKS_FOR companies-house"]);
    }
    // A person of another organisation (the Department for Business and Trade's Amara Example) cannot be claimed by this editor,
    // as a current or a former employee: the rule checked after the change would pass (mutations/editor-holds.ts).
    const before = await stored("demo-person-01");
    for (const claim of [
      `organisations: [{ connect: [{ where: { node: { id: { eq: "companies-house" } } } }] }]`,
      `formerOrganisations: [{ connect: [{ where: { node: { id: { eq: "companies-house" } } }, edge: { until: "2024-03-31" } }] }]`,
    ]) {
      const { body } = await send(
        `mutation { updatePeople(where: { id: { eq: "demo-person-01" } }, update: { ${claim} }) { people { id } } }`,
        companiesHouseEditor,
      );
      expect(body.errors?.[0]?.extensions?.["code"], claim).toBe("FORBIDDEN");
      expect(await stored("demo-person-01"), claim).toEqual(before);
    }
  });
});
