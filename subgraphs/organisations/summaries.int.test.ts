/**
 * The links' summaries (graph/summaries.ts) give today's organisationLinks and departmentMatrix the answer
 * the live walk over every employee gives: after the seed, after an import, and after each kind of mutation
 * that changes what they summarise, made through the subgraphs' API.
 */
import { resolve } from "node:path";
import neo4j, { type Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { today } from "../../graph/read.js";
import { communityOrganisationsQuery } from "../../graph/broker-summaries.js";
import { refreshSummaries } from "../../graph/summaries.js";
import { runImport } from "../../data/import/run-import.js";
import { stepByStepSource } from "../../data/import/sources/step-by-step.js";
import { seedStartingABusiness } from "../../data/seed/seed.js";
import { communities, people } from "../../data/seed/starting-a-business.js";
import type { RunningServer } from "../../subgraph-kit/server.js";
import { mutateThrough, startSubgraph, testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";
import { linksQuery, matrixQuery } from "./resolvers/links.js";

interface Link {
  from: { id: string };
  organisation: { id: string };
  strength: number;
  kinds: { kind: string; count: number; evidence: { id: string }[] }[];
}

describe("the links' summaries", () => {
  const database = testNeo4j().database;
  let driver: Driver;
  const servers: Record<string, RunningServer> = {};
  const ids = {
    P: uniqueId("parent"),
    A: uniqueId("a"),
    B: uniqueId("b"),
    C: uniqueId("c"),
    K: uniqueId("community"),
    S: uniqueId("service"),
    st: uniqueId("stage"),
    p1: uniqueId("p1"),
    p2: uniqueId("p2"),
  };
  const mine = [ids.P, ids.A, ids.B, ids.C];

  /**
   * Today's links, summarised and live, from every organisation to every other, or as the matrix of `matrix` with their
   * children: the matrix's own queries, which pair the families' organisations inside each group, each checked against
   * the reference that walks out to every organisation, today and as on each of `matrixDates`.
   */
  async function both(matrix?: string[]): Promise<{ summarised: Link[]; live: Link[] }> {
    const parameters = {
      roots: matrix ?? (await driver.executeQuery("MATCH (o:Organisation) RETURN collect(o.id) AS ids", {}, { database })).records[0]!.get("ids"),
      targets: matrix ?? null,
      includeChildren: matrix !== undefined,
      evidencePerKind: neo4j.int(20),
      offset: neo4j.int(0),
      end: neo4j.int(1_000_000),
      asAt: today(),
    };
    const pageOf = async (query: string, asAt = parameters.asAt) => {
      const { records } = await driver.executeQuery(query, { ...parameters, asAt }, { database, routing: "READ" });
      return (records[0]?.get("page") ?? []) as Link[];
    };
    if (!matrix) {
      const [summarised, live] = await Promise.all([pageOf(linksQuery.today), pageOf(linksQuery.live)]);
      return { summarised, live };
    }
    const [summarised, live, matrixLive, reference] = await Promise.all(
      [matrixQuery.today, linksQuery.live, matrixQuery.live, linksQuery.today].map((query) => pageOf(query)),
    );
    expect(matrixLive).toEqual(live);
    expect(reference).toEqual(live);
    for (const asAt of matrixDates()) expect(await pageOf(matrixQuery.at, asAt)).toEqual(await pageOf(linksQuery.at, asAt));
    return { summarised: summarised!, live: live! };
  }

  /** Today, and days on which the memberships, work and employment written below had begun or not. */
  const matrixDates = () => [today(), new neo4j.types.Date(2019, 6, 1), new neo4j.types.Date(2020, 6, 1)];

  /** Summarised equals live, for the whole graph and for the matrix of the organisations made here; the links among those. */
  async function expectSummariesTrue(): Promise<Map<string, Record<string, number>>> {
    const whole = await both();
    expect(whole.summarised).toEqual(whole.live);
    const matrix = await both([...mine, "companies-house"]);
    expect(matrix.summarised).toEqual(matrix.live);
    // What brokers reach through communities, from STAFF_IN and from every member's employment today.
    const [fromSummaries, fromMembers] = await Promise.all(
      [communityOrganisationsQuery.today, communityOrganisationsQuery.at].map(async (query) => {
        const { records } = await driver.executeQuery(query, { asAt: today() }, { database, routing: "READ" });
        return new Map(records.map((r) => [r.get("community") as string, (r.get("organisations") as string[]).sort()]));
      }),
    );
    expect(fromSummaries).toEqual(fromMembers);
    expect(fromSummaries!.size).toBeGreaterThan(0);
    const ours = new Map<string, Record<string, number>>();
    for (const link of whole.summarised) {
      if (mine.includes(link.from.id) && mine.includes(link.organisation.id))
        ours.set(`${link.from.id} ${link.organisation.id}`, Object.fromEntries(link.kinds.map((k) => [k.kind, Number(k.count)])));
    }
    return ours;
  }

  const mutate = (subgraph: string, source: string) => mutateThrough(servers[subgraph]!.url, source);

  beforeAll(async () => {
    driver = testDriver();
    // Made as an import makes its nodes, the summaries refreshed in its transaction.
    const session = driver.session({ database, defaultAccessMode: "WRITE" });
    await session
      .executeWrite(async (tx) => {
        await tx.run(
          `CREATE (p:Organisation {id: $P, name: 'Parent', status: 'LIVE'})
           CREATE (a:Organisation {id: $A, name: 'Agency A', status: 'LIVE'}), (b:Organisation {id: $B, name: 'Body B', status: 'LIVE'})
           CREATE (c:Organisation {id: $C, name: 'Council C', status: 'LIVE'})
           CREATE (k:Community {id: $K, name: 'Community K', kind: 'PRACTICE'})
           CREATE (s:Service {id: $S, name: 'Service S'})-[:HAS_STAGE]->(st:Stage {id: $st, name: 'Stage', position: 1})
           CREATE (b)-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]->(st)
           CREATE (:Person {id: $p1, name: 'One'})-[:WORKS_FOR]->(a)
           CREATE (p2:Person {id: $p2, name: 'Two'})-[:WORKS_FOR]->(b)
           CREATE (p2)-[:MEMBER_OF {role: 'member'}]->(k)`,
          ids,
        );
        await refreshSummaries(tx, { people: [{ id: ids.p1 }, { id: ids.p2 }], stages: [ids.st] });
      })
      .finally(() => session.close());
    for (const name of ["people", "services", "organisations"] as const) servers[name] = (await startSubgraph(name, driver)).running;
  }, 120_000);

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: Object.values(ids) }, { database });
    for (const running of Object.values(servers)) await running.close();
    await driver.close();
  });

  it("are true after the seed, which writes them for its people", async () => {
    const seeded = people.map((p) => p.id);
    // As before the seed wrote them: none for its people or its communities.
    await driver.executeQuery(
      `MATCH (p:Person)-[s:SPANS]->() WHERE p.id IN $seeded DELETE s
       WITH count(*) AS done
       MATCH ()-[s:STAFF_IN]->(c:Community) WHERE c.id IN $communities DELETE s`,
      { seeded, communities: communities.map((c) => c.id) },
      { database },
    );
    await seedStartingABusiness(driver, database);
    const { summarised } = await both();
    expect(summarised.some((l) => l.kinds.some((k) => k.kind === "COMMUNITY"))).toBe(true);
    expect(summarised.some((l) => l.kinds.some((k) => k.kind === "PERSON"))).toBe(true);
    await expectSummariesTrue();
  }, 300_000);

  it("are true after each kind of mutation through the API", async () => {
    const key = (x: string, y: string) => [`${x} ${y}`, `${y} ${x}`];
    const between = async (x: string, y: string) => {
      const ours = await expectSummariesTrue();
      return ours.get(key(x, y)[0]!) ?? ours.get(key(x, y)[1]!) ?? {};
    };
    expect(await between(ids.A, ids.B)).toEqual({});

    // A membership: A's p1 joins B's p2 in K.
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p1}" } }, update: { communities: [{ connect: [{ where: { node: { id: { eq: "${ids.K}" } } }, edge: { role: "member", since: "2020-01-01" } }] }] }) { people { id } } }`,
    );
    expect(await between(ids.A, ids.B)).toEqual({ COMMUNITY: 1 });

    // Ending it today: it no longer holds today.
    const day = today().toString();
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p1}" } }, update: { communities: [{ update: { where: { node: { id: { eq: "${ids.K}" } } }, edge: { until: { set: "${day}" } } } }] }) { people { id } } }`,
    );
    expect(await between(ids.A, ids.B)).toEqual({});

    // A membership that begins later is kept with its date, so that the day it begins it counts.
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p1}" } }, update: { communities: [{ disconnect: [{ where: { node: { id: { eq: "${ids.K}" } } } }] }] }) { people { id } } }`,
    );
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p1}" } }, update: { communities: [{ connect: [{ where: { node: { id: { eq: "${ids.K}" } } }, edge: { role: "member", since: "2099-01-01" } }] }] }) { people { id } } }`,
    );
    expect(await between(ids.A, ids.B)).toEqual({});
    const { records: later } = await driver.executeQuery(
      "MATCH (:Organisation {id: $A})-[s:STAFF_IN]->(:Community {id: $K}) RETURN toString(s.since) AS since",
      ids,
      { database },
    );
    expect(later.map((r) => r.get("since"))).toEqual(["2099-01-01"]);

    // Works-on: p1 (A's) works on B's stage.
    await mutate(
      "services",
      `mutation { updateStages(where: { id: { eq: "${ids.st}" } }, update: { people: [{ connect: [{ where: { node: { id: { eq: "${ids.p1}" } } }, edge: { role: "analyst" } }] }] }) { stages { id } } }`,
    );
    expect(await between(ids.A, ids.B)).toEqual({ PERSON: 1 });

    // A stage responsibility: C takes the stage on, B hands it over.
    await mutate(
      "services",
      `mutation { updateStages(where: { id: { eq: "${ids.st}" } }, update: { responsibleOrganisations: [{
        connect: [{ where: { node: { id: { eq: "${ids.C}" } } }, edge: { lane: BACKSTAGE, since: "2021-01-01" } }],
        disconnect: [{ where: { node: { id: { eq: "${ids.B}" } } } }] }] }) { stages { id } } }`,
    );
    expect(await between(ids.A, ids.B)).toEqual({});
    expect(await between(ids.A, ids.C)).toEqual({ PERSON: 1 });

    // An employment change: B's p2 leaves B today for A.
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p2}" } }, update: {
        organisations: [{ disconnect: [{ where: { node: { id: { eq: "${ids.B}" } } } }], connect: [{ where: { node: { id: { eq: "${ids.A}" } } } }] }]
        formerOrganisations: [{ connect: [{ where: { node: { id: { eq: "${ids.B}" } } }, edge: { until: "${day}" } }] }]
      }) { people { id } } }`,
    );
    // p2 also works for C now: a person working for two organisations links them, and K links them through p2.
    await mutate(
      "people",
      `mutation { updatePeople(where: { id: { eq: "${ids.p2}" } }, update: { organisations: [{ connect: [{ where: { node: { id: { eq: "${ids.C}" } } } }] }] }) { people { id } } }`,
    );
    expect(await between(ids.A, ids.C)).toEqual({ COMMUNITY: 1, PERSON: 2 });

    // Ownership: A owns the service C's stage belongs to.
    await mutate(
      "services",
      `mutation { updateServices(where: { id: { eq: "${ids.S}" } }, update: { owners: [{ connect: [{ where: { node: { id: { eq: "${ids.A}" } } } }] }] }) { services { id } } }`,
    );
    expect(await between(ids.A, ids.C)).toEqual({ SERVICE: 1, COMMUNITY: 1, PERSON: 2 });

    // Hierarchy: A and B below the parent, which the matrix counts with its children.
    await mutate(
      "organisations",
      `mutation { updateOrganisations(where: { id: { in: ["${ids.A}", "${ids.B}"] } }, update: { parents: [{ connect: [{ where: { node: { id: { eq: "${ids.P}" } } } }] }] }) { organisations { id } } }`,
    );
    await expectSummariesTrue();

    // A person deleted takes their links with them.
    await mutate("people", `mutation { deletePeople(where: { id: { eq: "${ids.p2}" } }) { nodesDeleted } }`);
    expect(await between(ids.A, ids.C)).toEqual({ SERVICE: 1, PERSON: 1 });
  }, 300_000);

  it("are true after an import that changes who is responsible for a stage", async () => {
    const { records } = await driver.executeQuery(
      `MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st:Stage) WHERE r.derivation IS NOT NULL AND o.id <> 'companies-house'
       RETURN st.id AS stage, o.id AS organisation ORDER BY st.id LIMIT 1`,
      {},
      { database },
    );
    const [stage, organisation] = [records[0]!.get("stage") as string, records[0]!.get("organisation") as string];
    const person = uniqueId("worker");
    const session = driver.session({ database, defaultAccessMode: "WRITE" });
    try {
      // One of companies-house's people works on the stage, and the graph is as before the import derived its owners.
      await session.executeWrite(async (tx) => {
        await tx.run(
          `MATCH (ch:Organisation {id: 'companies-house'}), (st:Stage {id: $stage})
           CREATE (ch)<-[:WORKS_FOR]-(:Person {id: $person, name: 'Worker'})-[:WORKS_ON {role: 'analyst'}]->(st)
           WITH st MATCH (st)<-[r:RESPONSIBLE_FOR]-() WHERE r.derivation IS NOT NULL DELETE r`,
          { stage, person },
        );
        await refreshSummaries(tx, { people: [{ id: person }], stages: [stage] });
      });
      const linked = async () => {
        const { summarised, live } = await both(["companies-house", organisation]);
        expect(summarised).toEqual(live);
        return summarised.some((l) => l.kinds.some((k) => k.kind === "PERSON" && k.evidence.some((e) => e.id === person)));
      };
      expect(await linked()).toBe(false);
      await runImport(stepByStepSource, [resolve(import.meta.dirname, "../../data/seed/data/step-by-steps-2024-11.json")], { driver, database });
      expect(await linked()).toBe(true);
      await expectSummariesTrue();
    } finally {
      await session.run("MATCH (p:Person {id: $person}) DETACH DELETE p", { person });
      await session.close();
    }
  }, 300_000);
});
