/**
 * The sources that describe services and their stages may be imported in any order: the graph after
 * the services list then the step-by-steps is the graph after the step-by-steps then the list.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "./run-import.js";
import { govukServicesListSource } from "./sources/govuk-services-list.js";
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
});
