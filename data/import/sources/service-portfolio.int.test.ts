import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "../run-import.js";
import { servicePortfolioSource } from "./service-portfolio.js";
import { testDriver, testNeo4j, uniqueId } from "../../../test/helpers.js";

describe("import service-portfolio", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const owner = uniqueId("portfolio");
  const file = join(mkdtempSync(join(tmpdir(), "portfolio-")), "portfolio.json");
  const project = (name: string, extra: Record<string, unknown>) => ({
    name,
    description: `${name}, for testing`,
    theme: "Testing",
    _department: "Department for Work and Pensions",
    _source_repo: `${owner}/portfolio`,
    _source_path: `lib/projects/${name.toLowerCase().replace(/ /g, "-")}.json`,
    ...extra,
  });
  writeFileSync(
    file,
    JSON.stringify([
      project("Apply for a thing", {
        phase: "beta",
        "phase-history": {
          alpha: [{ label: "Completed", date: "October 2015" }],
          beta: [
            { label: "Started", date: "November 2015" },
            { label: "", date: "" },
          ],
        },
      }),
      project("Not started", { phase: "backlog" }),
      project("Bad phase", { phase: "gamma" }),
      project("Nobody's", { phase: "live", _department: "Ministry of Nowhere" }),
    ]),
  );

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id STARTS WITH $owner DETACH DELETE n", { owner }, { database });
    await driver.close();
  });

  it("imports services with their department, phase and phase history, rejecting what it cannot place", async () => {
    const summary = await runImport(servicePortfolioSource, [file], { driver, database });
    expect(summary).toMatchObject({ read: 4, created: 2, rejected: 2, relationshipsCreated: 2 });
    expect(summary.rejections.map((r) => [r.location, r.reason])).toEqual([
      ["$[2]", 'phase "gamma" is not a known phase (backlog, discovery, alpha, beta, live, retired, experimental)'],
      ["$[3]", '_department "Ministry of Nowhere" matches no GOV.UK organisation'],
    ]);
    const { records } = await driver.executeQuery(
      `MATCH (o:Organisation)-[:OWNS]->(s:Service) WHERE s.id STARTS WITH $owner
       RETURN s.id AS id, s.phase AS phase, s.phaseHistory AS history, o.id AS department, s.source AS source ORDER BY id`,
      { owner },
      { database },
    );
    expect(records.map((r) => r.toObject())).toEqual([
      {
        id: `${owner}-apply-for-a-thing`,
        phase: "BETA",
        history: ["alpha: Completed (October 2015)", "beta: Started (November 2015)"],
        department: "department-for-work-pensions",
        source: "service-portfolio:portfolio.json",
      },
      { id: `${owner}-not-started`, phase: "BACKLOG", history: [], department: "department-for-work-pensions", source: "service-portfolio:portfolio.json" },
    ]);
  });
});
