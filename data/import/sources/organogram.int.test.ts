import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "../run-import.js";
import { organogramSource } from "./organogram.js";
import { postGraphQL, startSubgraph, testDriver, testNeo4j, uniqueId } from "../../../test/helpers.js";

describe("import organogram", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const ref = uniqueId("post");
  const dir = mkdtempSync(join(tmpdir(), "organogram-"));
  const senior = join(dir, "cabinet_office-2011-09-30-senior.csv");
  const junior = join(dir, "cabinet_office-2011-09-30-junior.csv");
  writeFileSync(
    senior,
    [
      `"Post Unique Reference","Name","Grade (or equivalent)","Job Title","Job/Team Function","Parent Department","Organisation","Unit","Contact Phone","Contact E-mail","Reports to Senior Post","Salary Cost of Reports (£)","FTE","Actual Pay Floor (£)","Actual Pay Ceiling (£)","","Professional/Occupational Group","Notes","Valid?"`,
      `"${ref}-1","Alex Example","SCS3","Director General","Leads","Cabinet Office","Cabinet Office","Group","020 0000 0000","alex@example.gov.uk","XX","0","1","120000","124999","","Policy","",""`,
      `"${ref}-2","N/D","SCS1","Deputy Director, Law","Advises","Cabinet Office","Cabinet Office","Legal","","","${ref}-1","0","0.5","65000","69999","","Law","",""`,
      `"${ref}-2","N/D","SCS1","Deputy Director, Law","Job share","Cabinet Office","Cabinet Office","Legal","","","${ref}-1","0","0.5","65000","69999","","Law","",""`,
      `"${ref}-3","Sam Sample","SCS1","Deputy Director","Advises","Cabinet Office","Ministry of Nowhere","Legal","","","${ref}-1","0","1","65000","69999","","Policy","",""`,
    ].join("\n"),
  );
  writeFileSync(
    junior,
    [
      `"Parent Department","Organisation","Unit","Reporting Senior Post","Grade","Payscale Minimum (£)","Payscale Maximum (£)","Generic Job Title","Number of Posts in FTE","Professional/Occupational Group"`,
      `"Cabinet Office","Cabinet Office","Legal","${ref}-2","Grade 7","55000","65000","Lawyer","3.5","Law"`,
      `"Cabinet Office","Cabinet Office","Legal","${ref}-2","Grade 7","55000","65000","Lawyer","2","Law"`,
      `"Cabinet Office","Cabinet Office","Legal","${ref}-2","EO","25000","30000","Paralegal","0","Law"`,
    ].join("\n"),
  );

  afterAll(async () => {
    await driver.executeQuery(
      `MATCH (p:Post) WHERE p.id CONTAINS $ref
       OPTIONAL MATCH (j:JuniorPosts)-[:REPORTS_TO]->(p)
       DETACH DELETE j, p`,
      { ref },
      { database },
    );
    await driver.close();
  });

  it("imports senior posts with reporting lines and mapped professions, junior posts as counts, and reports the rest", async () => {
    const summary = await runImport(organogramSource, [junior, senior], { driver, database });
    expect(summary.rejections.map((r) => r.reason)).toEqual([
      `duplicate: post "cabinet-office/${ref}-2" already stands at line 3; only that one is imported`,
      'Organisation "Ministry of Nowhere" matches no GOV.UK organisation: add it to data/import/data/organisation-aliases.csv',
    ]);
    expect(summary).toMatchObject({ created: 4, skipped: 1 });

    const { records } = await driver.executeQuery(
      `MATCH (p:Post {id: $id})-[:REPORTS_TO]->(boss:Post), (p)-[:HAS_PROFESSION]->(prof), (p)-[:IN_ORGANISATION]->(o)
       OPTIONAL MATCH (j:JuniorPosts)-[:REPORTS_TO]->(p)
       RETURN boss.holderName AS boss, boss.contactEmail AS email, prof.id AS profession, o.id AS organisation, p.holderName AS holder, sum(j.fte) AS juniorFte`,
      { id: `cabinet-office/${ref}-2` },
      { database },
    );
    expect(records[0]?.toObject()).toEqual({
      boss: "Alex Example",
      email: "alex@example.gov.uk",
      profession: "legal",
      organisation: "cabinet-office",
      holder: null,
      juniorFte: 5.5,
    });
    const again = await runImport(organogramSource, [junior, senior], { driver, database });
    expect(again).toMatchObject({ created: 0, updated: 0, relationshipsCreated: 0, relationshipsDeleted: 0 });
  });

  it("serves posts through the API without their holders' personal data", async () => {
    await using subgraph = await startSubgraph("people", driver);
    const { running } = subgraph;
    const { body } = await postGraphQL(
      running.url,
      `query ($id: ID!) { posts(where: { id: { eq: $id } }) { jobTitle grade reportsTo { jobTitle } juniorPosts { fte } } }`,
      { id: `cabinet-office/${ref}-2` },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["posts"][0]).toMatchObject({ jobTitle: "Deputy Director, Law", grade: "SCS1", reportsTo: [{ jobTitle: "Director General" }] });
    const personal = await postGraphQL(running.url, "{ posts(limit: 1) { holderName contactEmail } }");
    expect(personal.body.errors?.[0]?.message).toMatch(/Cannot query field "holderName" on type "Post"/);
  });
});
