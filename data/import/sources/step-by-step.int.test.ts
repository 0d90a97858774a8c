import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "../run-import.js";
import { stepByStepSource } from "./step-by-step.js";
import { testDriver, testNeo4j, uniqueId } from "../../../test/helpers.js";

const testData = resolve(import.meta.dirname, "../../../test/data");

describe("import step-by-step", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const dir = mkdtempSync(join(tmpdir(), "step-by-step-"));
  const journey = uniqueId("journey");
  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id STARTS WITH $journey DETACH DELETE n", { journey }, { database });
    await driver.close();
  });

  const stagesOf = async (serviceId: string) =>
    (
      await driver.executeQuery(
        `MATCH (s:Service {id: $serviceId})-[:HAS_STAGE]->(st:Stage)
     OPTIONAL MATCH (o:Organisation)-[:OWNS]->(s)
     RETURN st.id AS id, st.name AS name, st.position AS position, collect(DISTINCT o.id) AS owners ORDER BY st.id`,
        { serviceId },
        { database },
      )
    ).records.map((r) => ({ id: r.get("id"), name: r.get("name"), position: Number(r.get("position")), owners: r.get("owners") }));

  it("imports a journey of the shared extract with its ordered stages and owners, Welsh paths stripped, and again changes nothing", async () => {
    const file = join(dir, "extract.json");
    writeFileSync(
      file,
      JSON.stringify([
        {
          title: "Test journey: step by step",
          base_path: `/${journey}`,
          organisations: [{ slug: "department-for-work-pensions.cy" }, { slug: "hm-revenue-customs" }],
          steps: [
            { number: 1, title: "First", text: ["Do this first."] },
            { number: 2, title: "Second", text: [] },
          ],
        },
      ]),
    );
    const first = await runImport(stepByStepSource, [file], { driver, database });
    expect(first).toMatchObject({ read: 1, created: 3, rejected: 0, relationshipsCreated: 4 });
    expect(await stagesOf(journey)).toEqual([
      { id: `${journey}-step-1`, name: "First", position: 1, owners: expect.arrayContaining(["department-for-work-pensions", "hm-revenue-customs"]) },
      { id: `${journey}-step-2`, name: "Second", position: 2, owners: expect.arrayContaining(["department-for-work-pensions", "hm-revenue-customs"]) },
    ]);
    const again = await runImport(stepByStepSource, [file], { driver, database });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, relationshipsCreated: 0, relationshipsDeleted: 0 });
  });

  it("imports the GOV.UK Content API step_by_step_nav format, numbering 'and' steps with the step before", async () => {
    const summary = await runImport(stepByStepSource, [join(testData, "step_by_step_nav__frontend__learn_to_drive_a_car.json")], { driver, database });
    expect(summary.rejected).toBe(0);
    const stages = await stagesOf("learn-to-drive-a-car");
    expect(stages).toHaveLength(7);
    const byName = Object.fromEntries(stages.map((s) => [s.name, s.position]));
    expect(byName["Prepare for your theory test"]).toBe(byName["Driving lessons and practice"]);
  });

  it("rejects a journey without steps, naming the field, and one whose owner is unknown", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify([
        { title: "No steps", base_path: `/${journey}-none`, steps: [] },
        { title: "Unknown owner", base_path: `/${journey}-owner`, organisations: [{ slug: "no-such-organisation" }], steps: [{ title: "Only" }] },
      ]),
    );
    const summary = await runImport(stepByStepSource, [file], { driver, database });
    expect(summary.rejections.map((r) => [r.location, r.reason])).toEqual([
      ["$[0]", "steps is missing or empty"],
      ["$[1]", 'OWNS: Organisation "no-such-organisation" does not exist'],
    ]);
  });
});
