/**
 * The demo graph over time, through the gateway and the three real subgraphs: the three GOV.UK
 * snapshots and the curated 7 February 2023 changes, read as at 1 June 2022 and as today, and what
 * changed in between (docs/adr/0008).
 */
import { describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite, testReader, type TestCaller } from "../test/helpers.js";

const beis = "department-for-business-energy-and-industrial-strategy";
const announcement = "https://www.gov.uk/government/news/making-government-deliver-for-the-british-people";
const newDepartments = ["DBT", "DESNZ", "DSIT"];
// Renamed by GOV.UK between its 2026-07-20 and 2026-08-22 snapshots, when it had closed (its 2017-2023 years added to its name).
const dcms = "department-for-digital-culture-media-sport";
const dcmsThen = { name: "Department for Digital, Culture, Media & Sport", acronym: "DCMS" };
const dcmsNow = { name: "Department for Digital, Culture, Media & Sport (2017 to 2023)", acronym: null };

describe("the graph over time, through the gateway", () => {
  const stack = stackForSuite();
  const ask = async (query: string, variables: Record<string, unknown> = {}, as: TestCaller | null = testReader) => {
    const { status, body } = await postGraphQL(stack.gateway.url, query, variables, as);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as any;
  };

  const journeyQuery = `query ($asAt: Date) {
    journey(serviceId: "starting-a-business", asAt: $asAt, peoplePerStage: 50) {
      stages {
        stage { name }
        responsibilities { lane organisation { id acronym status } department { acronym } successors { acronym } }
        people { edges { node { name } organisations { acronym } } }
      }
    }
    gaps(serviceId: "starting-a-business", asAt: $asAt, kinds: [CLOSED_ORGANISATION_RESPONSIBLE]) { totalCount edges { node { organisation { acronym } } } }
  }`;

  it("on 1 June 2022: BEIS live and no gap, Companies House part of BEIS, no DBT, DESNZ or DSIT, DIT holding Trade abroad", async () => {
    const { journey, gaps } = await ask(journeyQuery, { asAt: "2022-06-01" });
    const responsibilities = journey.stages.flatMap((s: any) => s.responsibilities);
    const acronyms = responsibilities.flatMap((r: any) => [r.organisation.acronym, r.department?.acronym, ...r.successors.map((s: any) => s.acronym)]);
    for (const acronym of newDepartments) expect(acronyms, acronym).not.toContain(acronym);
    expect(responsibilities.find((r: any) => r.organisation.id === beis)).toMatchObject({ organisation: { status: "LIVE" }, successors: [] });
    expect(gaps.totalCount).toBe(0);
    const register = journey.stages.find((s: any) => s.stage.name === "Register the company");
    expect(register.responsibilities.find((r: any) => r.organisation.id === "companies-house")?.department?.acronym ?? null).toBe("BEIS");
    const trade = journey.stages.find((s: any) => s.stage.name === "Trade abroad");
    expect(trade.responsibilities.filter((r: any) => r.lane === "FRONTSTAGE").map((r: any) => r.organisation.acronym)).toEqual(["DIT"]);
    // Nobody shown works for an organisation that did not exist then.
    const employers = journey.stages.flatMap((s: any) => s.people.edges.flatMap((e: any) => e.organisations.map((o: any) => o.acronym)));
    for (const acronym of newDepartments) expect(employers, acronym).not.toContain(acronym);

    const { organisation, companiesHouse, search } = await ask(`{
      organisation: organisations(where: { id: { eq: "${beis}" } }) { statusAt(asAt: "2022-06-01") successorsAt(asAt: "2022-06-01") { id } }
      companiesHouse: organisations(where: { id: { eq: "companies-house" } }) { parentsAt(asAt: "2022-06-01") { acronym } }
      search(text: "Department for Business", types: [ORGANISATION], asAt: "2022-06-01", first: 50) { edges { node { id } } }
    }`);
    expect(organisation).toEqual([{ statusAt: "LIVE", successorsAt: [] }]);
    expect(companiesHouse).toEqual([{ parentsAt: [{ acronym: "BEIS" }] }]);
    const found = search.edges.map((e: any) => e.node.id);
    expect(found).toContain(beis);
    expect(found).not.toContain("department-for-business-and-trade");
  });

  it("today: BEIS closed on 7 February 2023, succeeded by DBT, DESNZ and DSIT, citing the announcement", async () => {
    const { organisations } = await ask(`{
      organisations(where: { id: { eq: "${beis}" } }) { status statusAt closedAt closedOnApproximate closedOnSource successorsAt { acronym } }
    }`);
    expect(organisations[0]).toMatchObject({ status: "CLOSED", statusAt: "CLOSED", closedAt: "2023-02-07", closedOnApproximate: false });
    expect(organisations[0].closedOnSource).toContain(announcement);
    expect(organisations[0].successorsAt.map((s: any) => s.acronym).sort()).toEqual(newDepartments);
    const { journey } = await ask(journeyQuery);
    const trade = journey.stages.find((s: any) => s.stage.name === "Trade abroad");
    expect(trade.responsibilities.filter((r: any) => r.lane === "FRONTSTAGE").map((r: any) => r.organisation.acronym)).toEqual(["DBT"]);
  });

  it("gives every responsibility of Starting a Business its source: curated for the demo, February 2023's moves citing their announcement", async () => {
    for (const asAt of ["2022-06-01", null]) {
      const { journey } = await ask(
        `query ($asAt: Date) { journey(serviceId: "starting-a-business", asAt: $asAt) { stages { stage { source } responsibilities { organisation { id } since until source derivation evidence } } } }`,
        { asAt },
      );
      for (const stage of journey.stages) {
        expect(stage.stage.source).toBe("seed:data/seed/starting-a-business.ts");
        for (const r of stage.responsibilities) {
          expect(r, r.organisation.id).toMatchObject({ source: "seed:data/seed/starting-a-business.ts", derivation: "curated" });
          expect(r.evidence, r.organisation.id).toBe(r.since || r.until ? announcement : "https://www.gov.uk/browse/business/setting-up");
        }
      }
    }
  });

  it("keeps DBT as its agencies' department today, though GOV.UK's latest snapshot types it \"Other\"", async () => {
    // The snapshot of 22 August 2026, taken during a reorganisation, types DBT "Other"; Companies House and the
    // British Business Bank are still part of it, so DBT heads their family and is their department.
    const { dbt } = await ask(`{ dbt: organisations(where: { id: { eq: "department-for-business-and-trade" } }) { stateAt { type } children { id } } }`);
    expect(dbt[0].stateAt.type).toBe("OTHER");
    expect(dbt[0].children.map((c: any) => c.id)).toEqual(expect.arrayContaining(["companies-house", "british-business-bank"]));
    for (const asAt of [null, "2026-07-20"]) {
      const { journey } = await ask(journeyQuery, { asAt });
      const departmentOf = (id: string) =>
        journey.stages.flatMap((s: any) => s.responsibilities).find((r: any) => r.organisation.id === id)?.department?.acronym ?? null;
      expect([departmentOf("companies-house"), departmentOf("british-business-bank"), departmentOf("department-for-business-and-trade")], String(asAt)).toEqual(
        ["DBT", "DBT", "DBT"],
      );
      // A department GOV.UK types one stays its own: HMRC, and DWP for The Pensions Regulator.
      expect([departmentOf("hm-revenue-customs"), departmentOf("the-pensions-regulator")]).toEqual(["HMRC", "DWP"]);
    }
    const { companiesHouse, scorecard } = await ask(`{
      companiesHouse: organisations(where: { id: { eq: "companies-house" } }) { department { id } }
      scorecard: ownershipScorecard(first: 100) { edges { node { department { id } serviceCount } } }
    }`);
    expect(companiesHouse).toEqual([{ department: { id: "department-for-business-and-trade" } }]);
    // Companies House's services count for DBT, not as a department of their own.
    const departments = scorecard.edges.map((e: any) => e.node.department.id);
    expect(departments).toContain("department-for-business-and-trade");
    expect(departments).not.toContain("companies-house");
  });

  it("lists what changed between 1 June 2022 and 1 January 2024: BEIS's closure and Companies House's move to DBT, each with its source", async () => {
    const { changes } = await ask(`{
      changes(from: "2022-06-01", to: "2024-01-01", departmentId: "${beis}", kinds: [CLOSED, MOVED], first: 100) {
        totalCount
        edges { node { kind date approximate subject { kind id name } from { id } to { id } description source } }
      }
    }`);
    const all = changes.edges.map((e: any) => e.node);
    expect(all).toContainEqual(
      expect.objectContaining({
        kind: "CLOSED",
        date: "2023-02-07",
        approximate: false,
        subject: { kind: "ORGANISATION", id: beis, name: "Department for Business, Energy & Industrial Strategy" },
        source: expect.stringContaining(announcement),
      }),
    );
    const move = all.find((c: any) => c.kind === "MOVED" && c.subject.id === "companies-house");
    expect(move).toMatchObject({ date: "2023-02-07", from: [{ id: beis }], to: [{ id: "department-for-business-and-trade" }] });
    expect(move.source).toMatch(/^inferred: .*closed on 2023-02-07/);
    const responsibilities = await ask(`{
      changes(from: "2022-06-01", to: "2024-01-01", kinds: [RESPONSIBILITY_MOVED]) { edges { node { subject { name } from { id } to { id } } } }
    }`);
    expect(responsibilities.changes.edges.map((e: any) => e.node).find((c: any) => c.subject.name === "Trade abroad")).toMatchObject({
      from: [{ id: "department-for-international-trade" }],
      to: [{ id: "department-for-business-and-trade" }],
    });
    expect(all.every((c: any) => ["CLOSED", "MOVED"].includes(c.kind))).toBe(true);
    // A reader sees people leave: the demo's former BEIS policy adviser.
    const left = await ask(`{ changes(from: "2022-06-01", to: "2024-01-01", kinds: [LEFT]) { edges { node { subject { kind name } via { name } } } } }`);
    expect(left.changes.edges.map((e: any) => e.node)).toContainEqual({
      subject: { kind: "PERSON", name: "Vera Dummy" },
      via: { name: "Department for Business, Energy & Industrial Strategy" },
    });

    // Asked for by name without a token, people's changes are refused, not answered as none; unnamed, they are left out.
    const anonymous = await postGraphQL(stack.gateway.url, `{ changes(from: "2022-06-01", to: "2024-01-01", kinds: [LEFT, JOINED]) { totalCount } }`, {}, null);
    expect(anonymous.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
    expect(anonymous.body.errors?.[0]?.message).toBe(
      "Asking for LEFT and JOINED changes (people who joined or left) needs a token with the reader role: people's names are not public.",
    );
    const unnamed = await postGraphQL(stack.gateway.url, `{ changes(from: "2022-06-01", to: "2024-01-01") { edges { node { kind } } } }`, {}, null);
    expect(unnamed.body.data?.["changes"].edges.some((e: any) => ["JOINED", "LEFT"].includes(e.node.kind))).toBe(false);
    const { bad } = await postGraphQL(stack.gateway.url, `{ bad: changes(from: "2024-01-01", to: "2022-06-01") { totalCount } }`).then((r) => ({
      bad: r.body,
    }));
    expect(bad.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
  });

  it("gives an organisation's versions, each with its dates and source, and the one that held on a day", async () => {
    const { organisations } = await ask(`{
      organisations(where: { id: { eq: "department-for-business-and-trade" } }) {
        history(sort: [{ since: ASC }]) { name acronym type since sinceApproximate sinceSource until untilApproximate untilEarliest untilLatest source }
        before: stateAt(asAt: "2022-06-01") { name }
        in2024: stateAt(asAt: "2024-01-01") { type }
        now: stateAt { type }
      }
    }`);
    const [dbt] = organisations;
    // Opened on the curated day; relabelled "Other" by the 22 August 2026 snapshot, known only between two snapshots.
    expect(dbt.history).toEqual([
      expect.objectContaining({
        acronym: "DBT",
        type: "MINISTERIAL_DEPARTMENT",
        since: "2023-02-07",
        sinceApproximate: false,
        until: "2026-08-22",
        untilApproximate: true,
      }),
      expect.objectContaining({ acronym: "DBT", type: "OTHER", until: null }),
    ]);
    expect(dbt.history[0].sinceSource).toContain(announcement);
    expect(dbt.history[0]).toMatchObject({ untilEarliest: "2026-07-20", untilLatest: "2026-08-22" });
    expect(dbt).toMatchObject({ before: null, in2024: { type: "MINISTERIAL_DEPARTMENT" }, now: { type: "OTHER" } });
  });

  it("bounds parentsAt, childrenAt, successorsAt and history by the list rule", async () => {
    const { organisations } = await ask(`{
      organisations(where: { id: { eq: "${beis}" } }) { childrenAt(asAt: "2022-06-01", limit: 2) { id } all: childrenAt(asAt: "2022-06-01") { id } successorsAt(limit: 1) { id } }
    }`);
    expect(organisations[0].childrenAt).toHaveLength(2);
    expect(organisations[0].all.length).toBeGreaterThan(2);
    expect(organisations[0].successorsAt).toHaveLength(1);
    for (const field of ["parentsAt(limit: 1001)", "history(limit: 1001)"]) {
      const { body } = await postGraphQL(stack.gateway.url, `{ organisations(limit: 1) { ${field} { id } } }`);
      expect(body.errors?.[0]?.extensions?.["code"], field).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message, field).toContain("limit");
    }
  });

  it("counts each department's live organisations and people at each snapshot date", async () => {
    const { countsOverTime } = await ask(`{
      countsOverTime(departmentIds: ["${beis}", "department-for-business-and-trade"]) { date department { acronym } organisationCount peopleCount }
    }`);
    const at = (date: string, acronym: string) => countsOverTime.find((c: any) => c.date === date && c.department.acronym === acronym);
    expect(at("2023-01-01", "BEIS").organisationCount).toBeGreaterThan(10);
    expect(at("2023-01-01", "DBT")).toMatchObject({ organisationCount: 0, peopleCount: 0 });
    expect(at("2026-07-20", "BEIS")).toMatchObject({ organisationCount: 0, peopleCount: 0 });
    expect(at("2026-07-20", "DBT").organisationCount).toBeGreaterThan(10);
    expect(at("2026-07-20", "DBT").peopleCount).toBeGreaterThan(0);
  });

  it("links organisations as they stood on a date: Companies House had no link to DBT in 2022", async () => {
    const linked = async (asAt?: string) =>
      (
        await ask(
          `query ($asAt: Date) { organisationLinks(organisationId: "companies-house", asAt: $asAt, first: 50) { edges { node { organisation { id } } } } }`,
          { asAt },
        )
      ).organisationLinks.edges.map((e: any) => e.node.organisation.id);
    const then = await linked("2022-06-01");
    expect(then).not.toContain("department-for-business-and-trade");
    expect(then).toContain(beis);
    expect(await linked()).toContain("department-for-business-and-trade");
  });

  it("names organisations as they were on the date: in the journey, the matrix, a path and the brokers' samples", async () => {
    const { journey } = await ask(journeyQuery.replace("organisation { id acronym status }", "organisation { id name acronym status }"), {
      asAt: "2022-06-01",
    });
    const first = journey.stages[0].responsibilities.find((r: any) => r.organisation.id === beis);
    expect(first.organisation).toMatchObject({ name: "Department for Business, Energy & Industrial Strategy", acronym: "BEIS", status: "LIVE" });

    const named = `query ($asAt: Date) {
      departmentMatrix(organisationIds: ["${dcms}", "${beis}"], asAt: $asAt) { organisations { id name acronym } }
      path(fromId: "english-heritage", toId: "${dcms}", asAt: $asAt) { steps { id name } }
      brokers(asAt: $asAt, first: 5) { edges { node { sample { id name acronym } } } }
    }`;
    const then = await ask(named, { asAt: "2022-06-01" });
    expect(then.departmentMatrix.organisations.find((o: any) => o.id === dcms)).toEqual({ id: dcms, ...dcmsThen });
    expect(then.path.steps.find((s: any) => s.id === dcms).name).toBe(dcmsThen.name);
    const sample = then.brokers.edges.flatMap((e: any) => e.node.sample);
    expect(sample.length).toBeGreaterThan(0);
    for (const acronym of newDepartments)
      expect(
        sample.map((o: any) => o.acronym),
        acronym,
      ).not.toContain(acronym);
    const now = await ask(named);
    expect(now.departmentMatrix.organisations.find((o: any) => o.id === dcms)).toEqual({ id: dcms, ...dcmsNow });
    expect(now.path.steps.find((s: any) => s.id === dcms).name).toBe(dcmsNow.name);
  });

  it("searches an organisation's former names, shows its name as on the date and says which name matched and when it held", async () => {
    const search = async (text: string, asAt?: string) =>
      (
        await ask(
          `query ($text: String!, $asAt: Date) {
            search(text: $text, types: [ORGANISATION], asAt: $asAt, first: 10) {
              edges { node { id name organisation { name acronym } matchedName { name acronym since sinceApproximate until untilApproximate } } }
            }
          }`,
          { text, asAt },
        )
      ).search.edges.map((e: any) => e.node);
    // The Geffrye Museum has been the Museum of the Home since GOV.UK's 2026-07-20 snapshot.
    const [today] = await search("Geffrye");
    expect(today).toEqual({
      id: "geffrye-museum",
      name: "Museum of the Home",
      organisation: { name: "Museum of the Home", acronym: null },
      matchedName: { name: "Geffrye Museum", acronym: "GMus", since: null, sinceApproximate: true, until: "2026-07-20", untilApproximate: true },
    });
    const [then] = await search("Geffrye", "2022-06-01");
    expect(then).toEqual({ id: "geffrye-museum", name: "Geffrye Museum", organisation: { name: "Geffrye Museum", acronym: "GMus" }, matchedName: null });
    // Found in 2022 by the name it has today, and marked so.
    const [byLaterName] = await search("Museum of the Home", "2022-06-01");
    expect(byLaterName).toMatchObject({ id: "geffrye-museum", name: "Geffrye Museum", matchedName: { name: "Museum of the Home", since: "2026-07-20" } });

    const dcmsThen2022 = (await search("Digital Culture Media Sport", "2022-06-01")).find((hit: any) => hit.id === dcms);
    expect(dcmsThen2022).toMatchObject({ name: dcmsThen.name, organisation: dcmsThen });
    const dcmsToday = (await search("Digital Culture Media Sport")).find((hit: any) => hit.id === dcms);
    expect(dcmsToday).toMatchObject({ name: dcmsNow.name, organisation: dcmsNow });
  });
});
