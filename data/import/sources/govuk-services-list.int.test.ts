import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "../run-import.js";
import { assessmentOf, govukServicesListSource } from "./govuk-services-list.js";
import { servicePortfolioSource } from "./service-portfolio.js";
import { stepByStepSource } from "./step-by-step.js";
import { testDriver, testNeo4j, uniqueId } from "../../../test/helpers.js";

describe("import govuk-services-list", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const prefix = uniqueId("listed");
  const root = mkdtempSync(join(tmpdir(), "services-list-"));
  const query = async (cypher: string, params: Record<string, unknown> = {}) =>
    (await driver.executeQuery(cypher, { prefix, ...params }, { database })).records.map((r) => r.toObject());
  /** A folder in the upstream layout, one file per service. */
  const folder = (name: string, services: Record<string, unknown>) => {
    const dir = join(root, name, "data", "services");
    mkdirSync(dir, { recursive: true });
    for (const [slug, service] of Object.entries(services)) writeFileSync(join(dir, `${prefix}-${slug}.json`), JSON.stringify(service, null, 2));
    return dir;
  };
  afterAll(async () => {
    await driver.executeQuery(
      "MATCH (n) WHERE n.id STARTS WITH $prefix OR n.listedAs STARTS WITH $prefix OR n.name STARTS WITH $prefix DETACH DELETE n",
      { prefix },
      { database },
    );
    await driver.close();
  });

  it("imports each service with its owners, addresses and timeline, reports the names it cannot place, and again changes nothing", async () => {
    const dir = folder("first", {
      "pay-a-thing": {
        name: `${prefix} Pay a thing`,
        synonyms: ["Thing payment ", "Thing payment"],
        description: "Lets people pay for a thing.",
        theme: "Money and tax",
        organisation: ["HM Revenue and Customs", "General Register Office"],
        phase: "Beta",
        liveService: `https://www.tax.service.gov.uk/${prefix}-pay`,
        startPage: [`https://www.gov.uk/${prefix}-pay`, `https://www.gov.uk/${prefix}-pay-later`],
        timeline: {
          items: [
            {
              label: "Did not pass alpha assessment",
              date: "2015-07-30",
              links: [{ href: "https://www.gov.uk/service-standard-reports/thing-alpha", text: "Report" }],
            },
            { label: "Passed beta reassessment", date: "2016-07-21" },
            { label: "Service launched", date: "2017-01-02" },
          ],
        },
      },
      "unknown-phase": {
        name: `${prefix} Apply for another thing`,
        organisation: "Driver and Vehicle Licensing Agency",
        phase: "unknown",
        theme: "*** Please use one of the existing themes from the website ***",
        synonyns: ["Another thing"],
      },
      "nobody-s": { name: `${prefix} Nobody's`, organisation: "Ministry of Nowhere", phase: "Live", theme: "Benefits" },
      "bad-date": {
        name: `${prefix} Bad date`,
        organisation: "Home Office",
        phase: "Live",
        timeline: { items: [{ label: "Passed live assessment", date: "2016-02-30" }] },
      },
      "bad-phase": { name: `${prefix} Bad phase`, organisation: "Home Office", phase: "Gamma" },
    });
    const first = await runImport(govukServicesListSource, [dir], { driver, database });
    expect(first).toMatchObject({ read: 5, created: 2 });
    expect(first.rejections.map((r) => [r.location, r.reason])).toEqual([
      [`${prefix}-bad-date.json`, 'timeline.items[0].date is not a date (YYYY-MM-DD): "2016-02-30"'],
      [`${prefix}-bad-phase.json`, 'phase "Gamma" is not a known phase (backlog, discovery, alpha, beta, live, retired, experimental, unknown)'],
      [
        `${prefix}-nobody-s.json`,
        'no organisation matches a GOV.UK organisation: "Ministry of Nowhere"; add them to data/import/data/organisation-aliases.csv',
      ],
      [
        `${prefix}-pay-a-thing.json`,
        'organisation "General Register Office" matches no GOV.UK organisation: the service is imported without it; add it to data/import/data/organisation-aliases.csv',
      ],
    ]);

    const [pay] = await query(
      `MATCH (s:Service {id: $id})
       RETURN s {.name, .synonyms, .theme, .phase, .liveService, .startPages, .url, .source, .sources, .listedAs} AS service,
              COLLECT { MATCH (o:Organisation)-[r:OWNS]->(s) RETURN [o.id, r.source] } AS owners,
              COLLECT { MATCH (s)-[:HAS_EVENT]->(e) RETURN e {date: toString(e.date), .label, .assessedPhase, .outcome, .reassessment, .reportUrl} ORDER BY e.date } AS timeline`,
      { id: `${prefix}-pay-a-thing` },
    );
    expect(pay).toEqual({
      service: {
        name: `${prefix} Pay a thing`,
        synonyms: ["Thing payment"],
        theme: "Money and tax",
        phase: "BETA",
        liveService: `https://www.tax.service.gov.uk/${prefix}-pay`,
        startPages: [`https://www.gov.uk/${prefix}-pay`, `https://www.gov.uk/${prefix}-pay-later`],
        url: `https://www.gov.uk/${prefix}-pay`,
        source: "govuk-services-list:services",
        sources: ["govuk-services-list:services"],
        listedAs: `${prefix}-pay-a-thing`,
      },
      owners: [["hm-revenue-customs", "govuk-services-list:services"]],
      timeline: [
        {
          date: "2015-07-30",
          label: "Did not pass alpha assessment",
          assessedPhase: "ALPHA",
          outcome: "not passed",
          reassessment: false,
          reportUrl: "https://www.gov.uk/service-standard-reports/thing-alpha",
        },
        { date: "2016-07-21", label: "Passed beta reassessment", assessedPhase: "BETA", outcome: "passed", reassessment: true, reportUrl: null },
        { date: "2017-01-02", label: "Service launched", assessedPhase: null, outcome: null, reassessment: null, reportUrl: null },
      ],
    });
    const [unknown] = await query("MATCH (s:Service {id: $id}) RETURN s.phase AS phase, s.theme AS theme, s.synonyms AS synonyms", {
      id: `${prefix}-unknown-phase`,
    });
    expect(unknown).toEqual({ phase: null, theme: null, synonyms: ["Another thing"] });

    const again = await runImport(govukServicesListSource, [dir], { driver, database });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, relationshipsCreated: 0, relationshipsDeleted: 0 });
  });

  it("a service a portfolio or a step-by-step already holds is that one node, by name or by address, each source's values kept beside it", async () => {
    const portfolioFile = join(root, "portfolio.json");
    writeFileSync(
      portfolioFile,
      JSON.stringify([
        {
          name: `${prefix} Claim support`,
          description: "As the portfolio describes it",
          phase: "live",
          _department: "Department for Work and Pensions",
          _source_repo: `${prefix}/portfolio`,
          _source_path: "lib/projects/claim-support.json",
        },
      ]),
    );
    const stepByStepFile = join(root, "step-by-step.json");
    writeFileSync(
      stepByStepFile,
      JSON.stringify([
        {
          title: `${prefix} Register something: step by step`,
          base_path: `/${prefix}-register-something`,
          organisations: [{ slug: "hm-revenue-customs" }],
          steps: [{ title: "Register", text: [] }],
        },
      ]),
    );
    expect(await runImport(servicePortfolioSource, [portfolioFile], { driver, database })).toMatchObject({ created: 1, rejected: 0 });
    expect(await runImport(stepByStepSource, [stepByStepFile], { driver, database })).toMatchObject({ created: 2, rejected: 0 });
    const dir = folder("matching", {
      // Known by another name in the list: the portfolio's name is one of its synonyms.
      "claim-support-online": {
        name: `${prefix} Claim support online`,
        synonyms: [`${prefix} Claim support`],
        description: "As the list describes it",
        organisation: ["Department for Work and Pensions"],
        phase: "Beta",
        liveService: `https://www.${prefix}.service.gov.uk/claim`,
        timeline: { items: [{ label: "Passed beta assessment", date: "2019-05-01" }] },
      },
      // Its start page is the step-by-step's page.
      "register-something": {
        name: `${prefix} Register for something`,
        organisation: "HM Revenue and Customs",
        phase: "Live",
        startPage: `http://www.gov.uk/${prefix}-register-something/`,
      },
    });
    const listed = await runImport(govukServicesListSource, [dir], { driver, database });
    // Its own records, each joining the service another source made.
    expect(listed).toMatchObject({ created: 2, updated: 0 });
    // The portfolio and the step-by-step again, then the list again: still one node each, nothing changed.
    const nothingChanged = { created: 0, updated: 0, relationshipsCreated: 0, relationshipsDeleted: 0 };
    expect(await runImport(servicePortfolioSource, [portfolioFile], { driver, database })).toMatchObject(nothingChanged);
    expect(await runImport(stepByStepSource, [stepByStepFile], { driver, database })).toMatchObject(nothingChanged);
    expect(await runImport(govukServicesListSource, [dir], { driver, database })).toMatchObject(nothingChanged);

    const services = await query(
      `MATCH (s:Service) WHERE s.id IN [$prefix + '-claim-support', $prefix + '-claim-support-online', $prefix + '-register-something']
       RETURN s.id AS id, s.name AS name, s.description AS description, s.phase AS phase, s.liveService AS liveService, s.source AS source,
              s.sources AS sources, COUNT { (s)-[:HAS_EVENT]->() } AS events, COUNT { (s)-[:HAS_STAGE]->() } AS stages,
              COLLECT { MATCH (o)-[r:OWNS]->(s) RETURN [o.id, r.source] + r.sources ORDER BY o.id } AS owners,
              COLLECT { MATCH (s)-[:DESCRIBED_BY]->(r) RETURN [r.source, r.name, r.description, r.phase] ORDER BY r.source } AS records
       ORDER BY id`,
    );
    const list = "govuk-services-list:services";
    expect(services.map((s) => ({ ...s, events: Number(s["events"]), stages: Number(s["stages"]) }))).toEqual([
      {
        // The list comes first (docs/adr/0009): the service takes its id and its values; the portfolio's stay on its record.
        id: `${prefix}-claim-support-online`,
        name: `${prefix} Claim support online`,
        description: "As the list describes it",
        phase: "BETA",
        liveService: `https://www.${prefix}.service.gov.uk/claim`,
        source: list,
        sources: [list, "service-portfolio:portfolio.json"],
        events: 1,
        stages: 0,
        owners: [["department-for-work-pensions", list, list, "service-portfolio:portfolio.json"]],
        records: [
          [list, `${prefix} Claim support online`, "As the list describes it", "BETA"],
          ["service-portfolio:portfolio.json", `${prefix} Claim support`, "As the portfolio describes it", "LIVE"],
        ],
      },
      {
        id: `${prefix}-register-something`,
        name: `${prefix} Register for something`,
        description: null,
        phase: "LIVE",
        liveService: null,
        source: list,
        sources: [list, "step-by-step:step-by-step.json"],
        events: 0,
        stages: 1,
        owners: [["hm-revenue-customs", list, list, "step-by-step:step-by-step.json"]],
        records: [
          [list, `${prefix} Register for something`, null, "LIVE"],
          ["step-by-step:step-by-step.json", `${prefix} Register something`, null, null],
        ],
      },
    ]);
  });

  it("reads what an assessment label says", () => {
    expect(assessmentOf("Assessed as amber at beta reassessment")).toEqual({ assessedPhase: "BETA", outcome: "amber", reassessment: true });
    expect(assessmentOf("Met live assessment")).toEqual({ assessedPhase: "LIVE", outcome: "met", reassessment: false });
    expect(assessmentOf("Passed alpha re-assessment")).toEqual({ assessedPhase: "ALPHA", outcome: "passed", reassessment: true });
    expect(assessmentOf("Service closed")).toBeNull();
  });
});
