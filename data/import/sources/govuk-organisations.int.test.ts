import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { runImport } from "../run-import.js";
import { govukOrganisationsSource } from "./govuk-organisations.js";
import { testDriver, testNeo4j, uniqueId } from "../../../test/helpers.js";

/** The real snapshots: the demo data's in data/seed/data, the others in test/data. */
const snapshotFile = (date: string) =>
  date === "2026-07-20"
    ? resolve(import.meta.dirname, "../../seed/data/govuk-organisations-2026-07-20.json")
    : resolve(import.meta.dirname, `../../../test/data/govuk-organisations-${date}.json`);

/**
 * A copy of a real snapshot whose every slug starts with a prefix of this test's own, so the test
 * imports real data into the shared test database without touching anything else there.
 */
function prefixedSnapshot(date: string, prefix: string, dir: string): string {
  const text = readFileSync(snapshotFile(date), "utf8")
    .replace(/"slug": "/g, `"slug": "${prefix}`)
    .replace(/\/organisations\//g, `/organisations/${prefix}`);
  // Named by the prefix too: the copies of one prefix are a dataset of their own (a snapshot missing from it ends nothing of another's).
  const file = join(dir, `${prefix}${date}.json`);
  writeFileSync(file, text);
  return file;
}

describe("import govuk-organisations", () => {
  let driver: Driver;
  let dir: string;
  const prefix = `${uniqueId("gov")}-`;
  const database = () => testNeo4j().database;
  const id = (slug: string) => `${prefix}${slug}`;

  async function graphState(idPrefix: string) {
    const { records } = await driver.executeQuery(
      `MATCH (o:Organisation) WHERE o.id STARTS WITH $idPrefix
       OPTIONAL MATCH (o)-[r]->(t:Organisation)
       WITH o, collect(type(r) + '>' + substring(t.id, size($idPrefix))) AS links
       RETURN substring(o.id, size($idPrefix)) AS id, o.name AS name, o.status AS status, toString(o.closedAt) AS closedAt,
              o.type AS type, o.acronym AS acronym, o.source AS source, o.snapshot AS snapshot, apoc.coll.sort(links) AS links
       ORDER BY id`,
      { idPrefix },
      { database: database() },
    );
    return records.map((r) => r.toObject());
  }

  beforeAll(() => {
    driver = testDriver();
    dir = mkdtempSync(join(tmpdir(), "service-graph-import-"));
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id STARTS WITH 'test-gov-' DETACH DELETE n", {}, { database: database() });
    await driver.close();
  });

  it("imports 2023-01-01 then 2026-07-20: BEIS closes, superseded by DESNZ, DSIT and DBT, and what was linked to it stays linked", async () => {
    const first = await runImport(govukOrganisationsSource, [prefixedSnapshot("2023-01-01", prefix, dir)], { driver, database: database() });
    expect(first.read).toBe(1165);
    expect(first.created).toBe(1165);

    // Another source's facts attached to BEIS and Companies House.
    const stage = uniqueId("stage");
    await driver.executeQuery(
      `MATCH (beis:Organisation {id: $beis}) CREATE (s:Stage {id: $stage, name: 'A stage', position: 1})<-[:RESPONSIBLE_FOR {lane: 'FRONTSTAGE'}]-(beis)`,
      { beis: id("department-for-business-energy-and-industrial-strategy"), stage },
      { database: database() },
    );
    let state = Object.fromEntries((await graphState(prefix)).map((o) => [o["id"], o]));
    expect(state["department-for-business-energy-and-industrial-strategy"]?.["status"]).toBe("LIVE");
    expect(state["companies-house"]?.["links"]).toContain("PART_OF>department-for-business-energy-and-industrial-strategy");

    const second = await runImport(govukOrganisationsSource, [prefixedSnapshot("2026-07-20", prefix, dir)], { driver, database: database() });
    expect(second.read).toBe(1256);
    expect(second.updated).toBeGreaterThan(0);
    state = Object.fromEntries((await graphState(prefix)).map((o) => [o["id"], o]));
    const beis = state["department-for-business-energy-and-industrial-strategy"]!;
    expect(beis["status"]).toBe("CLOSED");
    expect(beis["snapshot"]).toBe("2026-07-20");
    expect(beis["links"]).toEqual([
      "SUPERSEDED_BY>department-for-business-and-trade",
      "SUPERSEDED_BY>department-for-energy-security-and-net-zero",
      "SUPERSEDED_BY>department-for-science-innovation-and-technology",
    ]);
    // Companies House moved from BEIS to DBT: the old parent link has ended, the new one holds.
    expect(state["companies-house"]?.["links"]).toEqual([
      "PART_OF>department-for-business-and-trade",
      "WAS_PART_OF>department-for-business-energy-and-industrial-strategy",
    ]);

    const { records } = await driver.executeQuery(
      `MATCH (:Stage {id: $stage})<-[:RESPONSIBLE_FOR]-(beis:Organisation)-[:SUPERSEDED_BY]->(successor)
       RETURN beis.id AS beis, collect(successor.id) AS successors`,
      { stage },
      { database: database() },
    );
    expect(records[0]?.get("beis")).toBe(id("department-for-business-energy-and-industrial-strategy"));
    expect(records[0]?.get("successors")).toContain(id("department-for-business-and-trade"));
    await driver.executeQuery("MATCH (s:Stage {id: $stage}) DETACH DELETE s", { stage }, { database: database() });
  });

  it("changes nothing when the same snapshot is imported again", async () => {
    const file = prefixedSnapshot("2026-07-20", prefix, dir);
    await runImport(govukOrganisationsSource, [file], { driver, database: database() });
    const before = await graphState(prefix);
    const again = await runImport(govukOrganisationsSource, [file], { driver, database: database() });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1256, relationshipsCreated: 0, relationshipsDeleted: 0 });
    expect(await graphState(prefix)).toEqual(before);
  });

  it("stores no acronym that is only the name again (Companies House, BBC), and keeps real ones", async () => {
    const state = (await graphState(prefix)) as { id: string; name: string; acronym: string | null }[];
    const named = (slug: string) => state.find((o) => o.id === slug);
    expect(named("companies-house")).toMatchObject({ name: "Companies House", acronym: null });
    expect(named("hm-revenue-customs")).toMatchObject({ acronym: "HMRC" });
    expect(state.filter((o) => o.acronym !== null && o.acronym.toLowerCase() === o.name.toLowerCase())).toEqual([]);
  });

  it("imports the 2026-08-22 snapshot, taken mid-reorganisation, without errors in its records", async () => {
    const summary = await runImport(govukOrganisationsSource, [prefixedSnapshot("2026-08-22", prefix, dir)], { driver, database: database() });
    expect(summary.read).toBe(1262);
    // What is rejected is only links to organisations that no snapshot holds.
    expect(summary.rejections.every((r) => /^SUPERSEDED_BY: Organisation ".+" does not exist$/.test(r.reason))).toBe(true);
  });

  it("after a run killed half-way, a second run ends where an uninterrupted run ends", async () => {
    const killed = `${uniqueId("gov")}-`;
    const whole = `${uniqueId("gov")}-`;
    const killedFile = prefixedSnapshot("2026-07-20", killed, mkdtempSync(join(tmpdir(), "killed-")));
    const wholeFile = prefixedSnapshot("2026-07-20", whole, mkdtempSync(join(tmpdir(), "whole-")));
    await expect(
      runImport(govukOrganisationsSource, [killedFile], {
        driver,
        database: database(),
        batchSize: 100,
        onProgress: (read) => {
          if (read >= 500) throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect((await graphState(killed)).length).toBeGreaterThan(0);
    expect((await graphState(killed)).length).toBeLessThan(1256);

    await runImport(govukOrganisationsSource, [killedFile], { driver, database: database(), batchSize: 100 });
    await runImport(govukOrganisationsSource, [wholeFile], { driver, database: database(), batchSize: 100 });
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ source: _source, ...rest }) => rest);
    expect(strip(await graphState(killed))).toEqual(strip(await graphState(whole)));
  });

  it("rejects bad records with their JSON path and reason, writing the good ones; a dry run writes nothing", async () => {
    const bad = join(dir, "bad.json");
    const good = id("good-one");
    writeFileSync(
      bad,
      JSON.stringify([
        { title: "Good One", format: "Other", details: { slug: good, govuk_status: "live" }, parent_organisations: [] },
        { title: "", details: { slug: id("no-title"), govuk_status: "live" } },
        { title: "Bad Slug", details: { slug: "Not A Slug!", govuk_status: "live" } },
        "not an object",
        {
          title: "Orphan",
          details: { slug: id("orphan"), govuk_status: "live" },
          parent_organisations: [{ id: `https://www.gov.uk/api/organisations/${id("nowhere")}` }],
        },
      ]),
    );
    const dry = await runImport(govukOrganisationsSource, [bad], { driver, database: database(), dryRun: true });
    expect(dry.rejections.map((r) => [r.location, r.reason])).toEqual([
      ["$[1]", "title is missing"],
      ["$[2]", 'details.slug is not a GOV.UK slug: "Not A Slug!"'],
      ["$[3]", "the record is not an object"],
    ]);
    expect((await graphState(id("good"))).length).toBe(0);

    const real = await runImport(govukOrganisationsSource, [bad], { driver, database: database() });
    expect(real.rejections.map((r) => r.location)).toEqual(["$[1]", "$[2]", "$[3]", "$[4]"]);
    expect(real.rejections[3]?.reason).toBe(`PART_OF: Organisation "${id("nowhere")}" does not exist`);
    expect(real.created).toBe(2);
    expect((await graphState(id("good")))[0]).toMatchObject({ name: "Good One", status: "LIVE", source: "govuk-organisations:bad.json", snapshot: null });
  });

  it("reports a type, status or reason for closing it does not know, naming the record and the value, and keeps what is stored", async () => {
    const good = id("good-one");
    const file = join(dir, "unknown-values.json");
    writeFileSync(
      file,
      JSON.stringify([
        { title: "Good One", format: "Devolved thing", details: { slug: good, govuk_status: "live" } },
        { title: "Dissolved", format: "Other", details: { slug: id("dissolved"), govuk_status: "dissolved" } },
        { title: "Abolished", format: "Other", details: { slug: id("abolished"), govuk_status: "closed", govuk_closed_status: "abolished" } },
        { title: "Devolved One", format: "Devolved government", details: { slug: id("devolved-one"), govuk_status: "devolved" } },
      ]),
    );
    const summary = await runImport(govukOrganisationsSource, [file], { driver, database: database() });
    const known = (values: string) => `is not a known value (${values})`;
    expect(summary.rejections.map((r) => [r.location, r.reason])).toEqual([
      ["$[0]", expect.stringMatching(/^format "Devolved thing" is not a known value \(MINISTERIAL_DEPARTMENT, .*, OTHER\)$/)],
      ["$[1]", `details.govuk_status "dissolved" ${known("LIVE, CLOSED, EXEMPT, JOINING, TRANSITIONING, DEVOLVED")}`],
      ["$[2]", `details.govuk_closed_status "abolished" ${known("NO_LONGER_EXISTS, REPLACED, SPLIT, MERGED, CHANGED_NAME, LEFT_GOV, DEVOLVED")}`],
    ]);
    expect(summary).toMatchObject({ read: 4, created: 1, rejected: 3 });
    // The organisation stored before keeps its type; nothing new holds the words it did not know.
    expect((await graphState(good))[0]).toMatchObject({ type: "OTHER", status: "LIVE", source: "govuk-organisations:bad.json" });
    expect((await graphState(id("devolved-one")))[0]).toMatchObject({ type: "DEVOLVED_GOVERNMENT", status: "DEVOLVED" });
    expect([...(await graphState(id("dissolved"))), ...(await graphState(id("abolished")))]).toEqual([]);
  });
});
