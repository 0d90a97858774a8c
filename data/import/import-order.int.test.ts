/**
 * The sources that describe services and their stages may be imported in any order: the graph after
 * the services list then the step-by-steps is the graph after the step-by-steps then the list, and the
 * services list, the portfolios and the step-by-steps in any of their six orders give one graph, with
 * each source's own values on its record (docs/adr/0009).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "./run-import.js";
import { govukServicesListSource } from "./sources/govuk-services-list.js";
import { servicePortfolioSource } from "./sources/service-portfolio.js";
import { stepByStepSource } from "./sources/step-by-step.js";
import { testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";

describe("the order of imports", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const prefix = uniqueId("order");
  const root = mkdtempSync(join(tmpdir(), "import-order-"));
  const mine = "n.id STARTS WITH $prefix OR n.listedAs STARTS WITH $prefix";
  const wipe = () => driver.executeQuery(`MATCH (n) WHERE ${mine} DETACH DELETE n`, { prefix }, { database });
  afterAll(async () => {
    await wipe();
    await driver.close();
  });

  const listDir = join(root, "services");
  mkdirSync(listDir);
  const listed = {
    // Its live service is a step's link: the step is HMRC's.
    "pay-a-thing": {
      name: `${prefix} Pay a thing`,
      organisation: "HM Revenue and Customs",
      phase: "Live",
      theme: "Money and tax",
      liveService: `https://www.${prefix}.service.gov.uk/pay`,
      timeline: { items: [{ label: "Passed beta assessment", date: "2020-02-03" }] },
    },
    // Its start page, a GOV.UK page written as a path in the step: the step is DWP's and DVLA's.
    "claim-a-thing": {
      name: `${prefix} Claim a thing`,
      organisation: ["Department for Work and Pensions", "Driver and Vehicle Licensing Agency"],
      phase: "Beta",
      startPage: `https://www.gov.uk/${prefix}-claim`,
    },
  };
  for (const [slug, service] of Object.entries(listed)) writeFileSync(join(listDir, `${prefix}-${slug}.json`), JSON.stringify(service));
  const stepByStepFile = join(root, "step-by-steps.json");
  writeFileSync(
    stepByStepFile,
    JSON.stringify([
      {
        title: `${prefix} Do a thing: step by step`,
        base_path: `/${prefix}-do-a-thing`,
        organisations: [{ slug: "hm-revenue-customs" }],
        steps: [
          { title: "Pay", text: [], links: [{ href: `https://www.${prefix}.service.gov.uk/pay?from=step` }] },
          { title: "Claim", text: [], links: [{ href: `/${prefix}-claim` }, { href: "https://www.acas.org.uk/advice" }] },
          { title: "Wait", text: [], links: [{ href: "/guidance" }] },
        ],
      },
    ]),
  );

  /** Every node and relationship these files made, without the time of writing. */
  async function graph() {
    const { records } = await driver.executeQuery(
      `MATCH (n) WHERE ${mine}
       CALL (n) {
         RETURN 'node ' + apoc.text.join(apoc.coll.sort(labels(n)), ':') + ' ' + n.id AS item, apoc.map.removeKey(properties(n), 'importedAt') AS props
         UNION
         MATCH (n)-[r]-(other)
         RETURN (CASE WHEN startNode(r) = n THEN n.id ELSE other.id END) + ' -' + type(r) + '-> ' + (CASE WHEN startNode(r) = n THEN other.id ELSE n.id END) AS item,
                apoc.map.removeKey(properties(r), 'importedAt') AS props
       }
       RETURN DISTINCT item, props ORDER BY item`,
      { prefix },
      { database },
    );
    return records.map((r) => ({
      item: r.get("item") as string,
      props: Object.fromEntries(
        Object.entries(r.get("props") as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? [...v].map(String).sort() : String(v)]),
      ),
    }));
  }

  it("the services list before or after the step-by-steps gives the same graph, stage owners included", async () => {
    await runImport(govukServicesListSource, [listDir], { driver, database });
    await runImport(stepByStepSource, [stepByStepFile], { driver, database });
    const listFirst = await graph();
    await wipe();
    await runImport(stepByStepSource, [stepByStepFile], { driver, database });
    const beforeTheList = await graph();
    const listAfter = await runImport(govukServicesListSource, [listDir], { driver, database });
    const stepsFirst = await graph();

    expect(stepsFirst).toEqual(listFirst);
    // The list, coming second, gave the stages their owners.
    expect(listAfter.relationshipsCreated).toBeGreaterThan(0);
    const derived = (g: typeof listFirst) =>
      g.filter((i) => i.item.includes("-RESPONSIBLE_FOR->")).map((i) => [i.item, i.props["derivation"], i.props["evidence"], i.props["source"]]);
    expect(derived(beforeTheList)).toEqual([
      [`acas -RESPONSIBLE_FOR-> ${prefix}-do-a-thing-step-2`, "organisation-domain", "https://www.acas.org.uk/advice", "step-by-step:step-by-steps.json"],
    ]);
    expect(derived(stepsFirst)).toEqual([
      [`acas -RESPONSIBLE_FOR-> ${prefix}-do-a-thing-step-2`, "organisation-domain", "https://www.acas.org.uk/advice", "step-by-step:step-by-steps.json"],
      [
        `department-for-work-pensions -RESPONSIBLE_FOR-> ${prefix}-do-a-thing-step-2`,
        "service-address",
        `https://www.gov.uk/${prefix}-claim`,
        "step-by-step:step-by-steps.json",
      ],
      [
        `driver-and-vehicle-licensing-agency -RESPONSIBLE_FOR-> ${prefix}-do-a-thing-step-2`,
        "service-address",
        `https://www.gov.uk/${prefix}-claim`,
        "step-by-step:step-by-steps.json",
      ],
      [
        `hm-revenue-customs -RESPONSIBLE_FOR-> ${prefix}-do-a-thing-step-1`,
        "service-address",
        `https://www.${prefix}.service.gov.uk/pay?from=step`,
        "step-by-step:step-by-steps.json",
      ],
    ]);

    // Either source again changes nothing.
    const nothing = { created: 0, updated: 0, relationshipsCreated: 0, relationshipsDeleted: 0 };
    expect(await runImport(stepByStepSource, [stepByStepFile], { driver, database })).toMatchObject(nothing);
    expect(await runImport(govukServicesListSource, [listDir], { driver, database })).toMatchObject(nothing);
    expect(await graph()).toEqual(listFirst);
  });

  it("the services list, a portfolio and the step-by-steps in any order give one graph: each service once, each source's values on its record", async () => {
    const dir = join(root, "three", "services");
    mkdirSync(dir, { recursive: true });
    const list = {
      // A portfolio names it as the list does, with values of its own.
      "claim-support": {
        name: `${prefix} Claim support`,
        description: "As the list describes it",
        organisation: "Department for Work and Pensions",
        phase: "Beta",
        theme: "Benefits",
        startPage: `https://www.gov.uk/${prefix}-claim-support`,
      },
      // A step-by-step's page is its start page and a portfolio names it: three sources, which meet only through the list.
      "report-a-change": {
        name: `${prefix} Report a change`,
        organisation: "HM Revenue and Customs",
        phase: "Live",
        startPage: `https://www.gov.uk/${prefix}-report-it`,
      },
    };
    for (const [slug, service] of Object.entries(list)) writeFileSync(join(dir, `${prefix}-${slug}.json`), JSON.stringify(service));
    const portfolio = join(root, "three", "portfolio.json");
    const project = (name: string, path: string, fields: Record<string, unknown>) => ({
      name,
      _department: "Department for Work and Pensions",
      _source_repo: `${prefix}/portfolio`,
      _source_path: `lib/projects/${path}.json`,
      ...fields,
    });
    writeFileSync(
      portfolio,
      JSON.stringify([
        project(`${prefix} Claim support`, "claim", { description: "As the portfolio describes it", phase: "live", theme: "Welfare" }),
        project(`${prefix} Report a change`, "report-a-change", { phase: "alpha" }),
        // Named as a step-by-step is, and in no list: the portfolio's id and values come first. (Ids unlike the list's:
        // whichever node a source made first is renamed, or merged into the one that has the id.)
        project(`${prefix} Plan a visit`, "visit-planning", { phase: "beta" }),
      ]),
    );
    const steps = join(root, "three", "step-by-steps.json");
    writeFileSync(
      steps,
      JSON.stringify([
        {
          title: `${prefix} Report it: step by step`,
          base_path: `/${prefix}-report-it`,
          organisations: [{ slug: "hm-revenue-customs" }],
          steps: [{ title: "Report", text: [], links: [] }],
        },
        {
          title: `${prefix} Plan a visit: step by step`,
          base_path: `/${prefix}-plan-a-visit`,
          description: "As the step-by-step describes it",
          organisations: [{ slug: "department-for-work-pensions" }, { slug: "hm-revenue-customs" }],
          steps: [{ title: "Plan", text: [], links: [] }],
        },
      ]),
    );
    const imports = {
      list: () => runImport(govukServicesListSource, [dir], { driver, database }),
      portfolio: () => runImport(servicePortfolioSource, [portfolio], { driver, database }),
      steps: () => runImport(stepByStepSource, [steps], { driver, database }),
    };
    type Name = keyof typeof imports;
    const orders: Name[][] = [
      ["list", "portfolio", "steps"],
      ["list", "steps", "portfolio"],
      ["portfolio", "list", "steps"],
      ["portfolio", "steps", "list"],
      ["steps", "list", "portfolio"],
      ["steps", "portfolio", "list"],
    ];
    const graphs: Awaited<ReturnType<typeof graph>>[] = [];
    for (const order of orders) {
      await wipe();
      for (const name of order) expect((await imports[name]()).rejected).toBe(0);
      graphs.push(await graph());
    }
    for (const [i, g] of graphs.entries()) expect([orders[i], g]).toEqual([orders[i], graphs[0]]);

    const { records } = await driver.executeQuery(
      `MATCH (s:Service) WHERE s.id STARTS WITH $prefix
       RETURN s.id AS id, s.name AS name, s.description AS description, s.phase AS phase, s.theme AS theme, s.source AS source,
              COLLECT { MATCH (o)-[r:OWNS]->(s) RETURN o.id + ' ' + apoc.text.join(r.sources, ', ') ORDER BY o.id } AS owners,
              COLLECT { MATCH (s)-[:DESCRIBED_BY]->(r) RETURN r.sourceName + ': ' + coalesce(r.phase, '-') + ', ' + coalesce(r.description, '-') + ', ' + coalesce(r.theme, '-') ORDER BY r.sourceName } AS records
       ORDER BY id`,
      { prefix },
      { database },
    );
    const listFile = "govuk-services-list:services";
    const portfolioFile = "service-portfolio:portfolio.json";
    const stepsFile = "step-by-step:step-by-steps.json";
    expect(records.map((r) => r.toObject())).toEqual([
      {
        id: `${prefix}-claim-support`,
        name: `${prefix} Claim support`,
        description: "As the list describes it",
        phase: "BETA",
        theme: "Benefits",
        source: listFile,
        owners: [`department-for-work-pensions ${listFile}, ${portfolioFile}`],
        records: ["govuk-services-list: BETA, As the list describes it, Benefits", "service-portfolio: LIVE, As the portfolio describes it, Welfare"],
      },
      {
        id: `${prefix}-report-a-change`,
        name: `${prefix} Report a change`,
        description: null,
        phase: "LIVE",
        theme: null,
        source: listFile,
        owners: [`department-for-work-pensions ${portfolioFile}`, `hm-revenue-customs ${listFile}, ${stepsFile}`],
        records: ["govuk-services-list: LIVE, -, -", "service-portfolio: ALPHA, -, -", "step-by-step: -, -, -"],
      },
      {
        id: `${prefix}-visit-planning`,
        name: `${prefix} Plan a visit`,
        // The portfolio gives no description: the step-by-step's is shown.
        description: "As the step-by-step describes it",
        phase: "BETA",
        theme: null,
        source: portfolioFile,
        owners: [`department-for-work-pensions ${portfolioFile}, ${stepsFile}`, `hm-revenue-customs ${stepsFile}`],
        records: ["service-portfolio: BETA, -, -", "step-by-step: -, As the step-by-step describes it, -"],
      },
    ]);
    // The step-by-step's stages are on the one service, whichever node they were first written to.
    const [stages] = (
      await driver.executeQuery(
        "MATCH (s:Service)-[:HAS_STAGE]->(st:Stage) WHERE st.id STARTS WITH $prefix RETURN collect(s.id + ' ' + st.id) AS stages",
        { prefix },
        { database },
      )
    ).records;
    expect(new Set(stages!.get("stages") as string[])).toEqual(
      new Set([`${prefix}-visit-planning ${prefix}-plan-a-visit-step-1`, `${prefix}-report-a-change ${prefix}-report-it-step-1`]),
    );

    // Each source again changes nothing.
    const nothing = { created: 0, updated: 0, relationshipsCreated: 0, relationshipsDeleted: 0 };
    for (const name of ["list", "portfolio", "steps"] as const) expect(await imports[name]()).toMatchObject(nothing);
    expect(await graph()).toEqual(graphs[0]);
  });
});
