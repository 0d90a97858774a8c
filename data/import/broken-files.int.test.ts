import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ImportFileError } from "./read.js";
import { runImport } from "./run-import.js";
import { govukOrganisationsSource } from "./sources/govuk-organisations.js";
import { organogramSource } from "./sources/organogram.js";
import { professionStatisticsSource } from "./sources/profession-statistics.js";
import { govukServicesListSource } from "./sources/govuk-services-list.js";
import { servicePortfolioSource } from "./sources/service-portfolio.js";
import { stepByStepSource } from "./sources/step-by-step.js";
import { testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";

/** Node and relationship counts and a checksum of every property: what "nothing changed" means. */
const stateQuery = `
  CALL { MATCH (n) RETURN count(n) AS nodes }
  CALL { MATCH ()-[r]->() RETURN count(r) AS relationships }
  CALL { MATCH (n) WITH n ORDER BY elementId(n) RETURN apoc.util.md5(collect(apoc.convert.toJson(properties(n)))) AS nodeChecksum }
  RETURN nodes, relationships, nodeChecksum`;

describe("a broken file", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const dir = mkdtempSync(join(tmpdir(), "broken-"));
  const prefix = `${uniqueId("broken")}-`;
  const state = async () => (await driver.executeQuery(stateQuery, {}, { database })).records[0]!.toObject();
  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id STARTS WITH $prefix DETACH DELETE n", { prefix }, { database });
    await driver.close();
  });

  const organisations = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ title: `Broken ${i}`, format: "Other", details: { slug: `${prefix}${i}`, govuk_status: "live" } }));

  async function expectRefused(run: () => Promise<unknown>, message: RegExp): Promise<void> {
    const before = await state();
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/nothing was imported$/);
    expect(await state()).toEqual(before);
  }

  it("truncated JSON is refused whole, even after many good records", async () => {
    const file = join(dir, "truncated.json");
    writeFileSync(file, JSON.stringify(organisations(2500)).slice(0, -40));
    await expectRefused(() => runImport(govukOrganisationsSource, [file], { driver, database, batchSize: 100 }), /^truncated\.json: it is not valid JSON/);
  });

  it("a file that is not UTF-8 is refused whole", async () => {
    const file = join(dir, "latin1.json");
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(JSON.stringify(organisations(3)).slice(0, -2)),
        Buffer.from(',{"title":"Caf\xe9","details":{"slug":"x","govuk_status":"live"}}]', "latin1"),
      ]),
    );
    await expectRefused(() => runImport(govukOrganisationsSource, [file], { driver, database }), /^latin1\.json: it is not UTF-8 text/);
  });

  it("a services list folder with one truncated file is refused whole, the good files too", async () => {
    const services = join(dir, "services");
    mkdirSync(services);
    for (let i = 0; i < 3; i++)
      writeFileSync(join(services, `${prefix}${i}.json`), JSON.stringify({ name: `Broken ${i}`, organisation: "Home Office", phase: "Live" }));
    writeFileSync(join(services, `${prefix}3.json`), JSON.stringify({ name: "Broken 3", organisation: "Home Office", phase: "Live" }).slice(0, -10));
    await expectRefused(() => runImport(govukServicesListSource, [services], { driver, database }), new RegExp(`^${prefix}3\\.json: it is not valid JSON`));
  });

  it("a broken portfolio or step-by-step file leaves the service it would join as it was", async () => {
    const services = join(dir, "joined");
    mkdirSync(services);
    const address = `https://www.gov.uk/${prefix}joined`;
    writeFileSync(
      join(services, `${prefix}joined.json`),
      JSON.stringify({ name: `${prefix} Joined`, organisation: "Home Office", phase: "Live", startPage: address }),
    );
    expect(await runImport(govukServicesListSource, [services], { driver, database })).toMatchObject({ created: 1, rejected: 0 });
    const portfolio = join(dir, "portfolio.json");
    const project = { name: `${prefix} Joined`, phase: "beta", _department: "Home Office", _source_repo: `${prefix}/portfolio`, _source_path: "joined.json" };
    writeFileSync(portfolio, JSON.stringify([project, { ...project, _source_path: "other.json" }]).slice(0, -5));
    await expectRefused(() => runImport(servicePortfolioSource, [portfolio], { driver, database }), /^portfolio\.json: it is not valid JSON/);
    const steps = join(dir, "step-by-steps.json");
    const journey = { title: `${prefix} Joined: step by step`, base_path: `/${prefix}joined`, steps: [{ title: "Start", links: [{ href: address }] }] };
    writeFileSync(steps, JSON.stringify([journey]).slice(0, -3));
    await expectRefused(() => runImport(stepByStepSource, [steps], { driver, database }), /^step-by-steps\.json: it is not valid JSON/);
  });

  it("a CSV with a renamed column is refused whole, naming the column", async () => {
    const file = join(dir, "headcount-2022.csv");
    writeFileSync(file, "parent_department,organisation,profession,staff,suppressed\nHM Treasury,HM Treasury,Policy,900,0\n");
    await expectRefused(
      () => runImport(professionStatisticsSource, [file], { driver, database }),
      /^headcount-2022\.csv: its header lacks the column "headcount"/,
    );
  });

  it("an organogram missing its reporting column is refused whole", async () => {
    const file = join(dir, "tpr-senior.csv");
    writeFileSync(
      file,
      [
        `"Post Unique Reference","Name","Grade (or equivalent)","Job Title","Organisation","Unit","Boss","FTE","Professional/Occupational Group"`,
        `"1","N/D","SCS2","Chief Executive","The Pensions Regulator","Executive","XX","1","Policy"`,
      ].join("\n"),
    );
    await expectRefused(() => runImport(organogramSource, [file], { driver, database }), /its header lacks the column "Reports to Senior Post"/);
  });

  it("duplicate ids and an unknown parent are reported by place; the rest is imported", async () => {
    const file = join(dir, "duplicates.json");
    const records = organisations(3);
    writeFileSync(
      file,
      JSON.stringify([
        ...records,
        { ...records[1], title: "Impostor" },
        { ...organisations(4)[3], parent_organisations: [{ id: `https://www.gov.uk/api/organisations/${prefix}nowhere` }] },
      ]),
    );
    const summary = await runImport(govukOrganisationsSource, [file], { driver, database });
    expect(summary.rejections.map((r) => [r.location, r.reason])).toEqual([
      ["$[3]", `duplicate: organisation "${prefix}1" already stands at $[1]; only that one is imported`],
      ["$[4]", `PART_OF: Organisation "${prefix}nowhere" does not exist`],
    ]);
    const { records: names } = await driver.executeQuery(
      "MATCH (o:Organisation) WHERE o.id STARTS WITH $prefix RETURN o.name AS name ORDER BY name",
      { prefix },
      { database },
    );
    expect(names.map((r) => r.get("name"))).toEqual(["Broken 0", "Broken 1", "Broken 2", "Broken 3"]);
  });
});
