import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "../run-import.js";
import { professionStatisticsSource } from "./profession-statistics.js";
import { testDriver, testNeo4j } from "../../../test/helpers.js";

describe("import profession-statistics", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  // A year of its own keeps this test's headcount facts apart from any other.
  const year = 1900 + Math.floor(Math.random() * 99);
  const file = join(mkdtempSync(join(tmpdir(), "stats-")), `headcount-${year}.csv`);
  writeFileSync(
    file,
    [
      "parent_department,organisation,profession,headcount,suppressed",
      "HM Revenue and Customs,HM Revenue and Customs (excl. agencies) [Note 4],Tax,25860,0",
      "HM Revenue and Customs,HM Revenue and Customs (excl. agencies) [Note 4],Legal,,1",
      "Charity Commission,Charity Commission,Legal,40,0",
      "HM Treasury,HM Treasury overall,Policy,900,0",
      "Scottish Government,Transport Scotland,Policy,50,0",
      "HM Treasury,HM Treasury (excl. agencies),Astrology,5,0",
      "HM Treasury,HM Treasury (excl. agencies),No reported profession,5,0",
      "HM Treasury,HM Treasury (excl. agencies),Policy,lots,0",
    ].join("\n"),
  );

  afterAll(async () => {
    await driver.executeQuery("MATCH ()-[h:HAS_HEADCOUNT {year: $year}]->() DELETE h", { year }, { database });
    await driver.close();
  });

  it("stores headcount per organisation and profession, marks suppressed values, and reports every name it cannot match", async () => {
    const summary = await runImport(professionStatisticsSource, [file], { driver, database });
    expect(summary).toMatchObject({ read: 8, created: 3, skipped: 2, rejected: 3 });
    expect(summary.rejections.map((r) => [r.location, r.reason])).toEqual([
      ["line 6", 'organisation "Transport Scotland" matches no GOV.UK organisation: add it to data/import/data/organisation-aliases.csv'],
      ["line 7", 'profession "Astrology" is not a Civil Service profession the graph holds'],
      ["line 9", 'headcount must be a whole number, not "lots"'],
    ]);
    const { records } = await driver.executeQuery(
      `MATCH (o:Organisation)-[h:HAS_HEADCOUNT {year: $year}]->(p:Profession)
       RETURN o.id AS organisation, p.id AS profession, h.headcount AS headcount, h.suppressed AS suppressed ORDER BY organisation, profession`,
      { year },
      { database },
    );
    expect(records.map((r) => ({ ...r.toObject(), headcount: r.get("headcount") === null ? null : Number(r.get("headcount")) }))).toEqual([
      { organisation: "charity-commission", profession: "legal", headcount: 40, suppressed: false },
      { organisation: "hm-revenue-customs", profession: "legal", headcount: null, suppressed: true },
      { organisation: "hm-revenue-customs", profession: "tax", headcount: 25860, suppressed: false },
    ]);
    const again = await runImport(professionStatisticsSource, [file], { driver, database });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });
});
