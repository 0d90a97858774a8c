/**
 * The organisations' history from the three real GOV.UK snapshots and the curated changes: the same
 * graph whatever order the snapshots arrive in, nothing changed by importing one again, and the dates
 * the data and the citations give.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { runImport } from "./run-import.js";
import { govukOrganisationsSource } from "./sources/govuk-organisations.js";
import { machineryOfGovernmentSource } from "./sources/machinery-of-government.js";
import { machineryOfGovernmentChanges, organisationSnapshots } from "../seed/seed.js";
import { testDriver, testNeo4j, uniqueId } from "../../test/helpers.js";

const snapshotOf = (date: string) => organisationSnapshots.find((file) => file.includes(date))!;

/** A copy of a real file whose every slug starts with `prefix`, named so that its copies form a dataset of their own. */
function prefixedCopy(prefix: string, dir: string, file: string, name: string): string {
  const text = file.endsWith(".csv")
    ? readFileSync(file, "utf8")
        .split("\n")
        .map((line, i) => {
          if (i === 0 || !line) return line;
          const cells = line.split(",");
          cells[2] = `${prefix}${cells[2]}`;
          cells[3] = cells[3]!
            .split(" ")
            .filter(Boolean)
            .map((slug) => `${prefix}${slug}`)
            .join(" ");
          return cells.join(",");
        })
        .join("\n")
    : readFileSync(file, "utf8")
        .replace(/"slug": "/g, `"slug": "${prefix}`)
        .replace(/\/organisations\//g, `/organisations/${prefix}`);
  const copy = join(dir, `${prefix}${name}`);
  writeFileSync(copy, text);
  return copy;
}

describe("the organisations' history", () => {
  let driver: Driver;
  const database = () => testNeo4j().database;
  const inDateOrder = `${uniqueId("hist")}-`;
  const shuffled = `${uniqueId("hist")}-`;

  async function importAll(prefix: string, dates: string[]) {
    const dir = mkdtempSync(join(tmpdir(), "service-graph-history-"));
    const files = Object.fromEntries(dates.map((date) => [date, prefixedCopy(prefix, dir, snapshotOf(date), `${date}.json`)]));
    for (const date of dates) await runImport(govukOrganisationsSource, [files[date]!], { driver, database: database() });
    const changes = prefixedCopy(prefix, dir, machineryOfGovernmentChanges, "machinery-of-government.csv");
    const curated = await runImport(machineryOfGovernmentSource, [changes], { driver, database: database() });
    expect(curated.rejections).toEqual([]);
    return files;
  }

  /** Everything the imports wrote under a prefix, with the prefix taken out and the import times left out. */
  async function state(prefix: string): Promise<string[]> {
    const { records } = await driver.executeQuery(
      `MATCH (n) WHERE n.id STARTS WITH $prefix OR n.file STARTS WITH $prefix OR n.id CONTAINS (':' + $prefix)
       OPTIONAL MATCH (n)-[r]->(m)
       RETURN labels(n) AS labels, properties(n) AS node, type(r) AS type, properties(r) AS rel, m.id AS to`,
      { prefix },
      { database: database() },
    );
    const clean = (value: unknown): unknown =>
      value === null || typeof value !== "object"
        ? typeof value === "string"
          ? value.replaceAll(prefix, "")
          : value
        : Array.isArray(value)
          ? value.map(clean)
          : value.constructor === Object
            ? Object.fromEntries(
                Object.entries(value)
                  .filter(([key]) => key !== "importedAt")
                  .sort(([a], [b]) => (a < b ? -1 : 1))
                  .map(([k, v]) => [k, clean(v)]),
              )
            : (value as { toString(): string }).toString();
    return records.map((r) => JSON.stringify(clean([r.get("labels"), r.get("node"), r.get("type"), r.get("rel"), r.get("to")]))).sort();
  }

  async function organisation(prefix: string, slug: string) {
    const { records } = await driver.executeQuery(
      `MATCH (o:Organisation {id: $id})
       RETURN o {.status, since: toString(o.since), closedOn: toString(o.closedOn), .closedOnApproximate, .closedOnSource,
         links: COLLECT { MATCH (o)-[r]->(t:Organisation)
           RETURN type(r) + '>' + substring(t.id, size($prefix)) + ' ' + coalesce(toString(r.since), '…') + '/' + coalesce(toString(r.until), '…') + CASE WHEN r.sinceApproximate THEN ' ~' ELSE '' END
           ORDER BY type(r), t.id } } AS o`,
      { id: `${prefix}${slug}`, prefix },
      { database: database() },
    );
    return records[0]?.get("o") as Record<string, unknown>;
  }

  beforeAll(async () => {
    driver = testDriver();
    await importAll(inDateOrder, ["2023-01-01", "2026-07-20", "2026-08-22"]);
  }, 600_000);

  afterAll(async () => {
    for (const prefix of [inDateOrder, shuffled]) {
      await driver.executeQuery(
        "MATCH (n) WHERE n.id STARTS WITH $prefix OR n.file STARTS WITH $prefix OR n.id CONTAINS (':' + $prefix) DETACH DELETE n",
        { prefix },
        { database: database() },
      );
    }
    await driver.close();
  });

  it("dates BEIS's closure, its successions and Companies House's move by the 7 February 2023 changes, citing the announcement", async () => {
    const beis = await organisation(inDateOrder, "department-for-business-energy-and-industrial-strategy");
    expect(beis).toMatchObject({ status: "CLOSED", since: "2016-07-15", closedOn: "2023-02-07", closedOnApproximate: false });
    expect(beis["closedOnSource"]).toContain("https://www.gov.uk/government/news/making-government-deliver-for-the-british-people");
    expect(beis["links"]).toEqual([
      "SUPERSEDED_BY>department-for-business-and-trade 2023-02-07/…",
      "SUPERSEDED_BY>department-for-energy-security-and-net-zero 2023-02-07/…",
      "SUPERSEDED_BY>department-for-science-innovation-and-technology 2023-02-07/…",
    ]);
    // Part of BEIS until it closed (the link ended there), part of DBT from then (DBT succeeded BEIS).
    expect((await organisation(inDateOrder, "companies-house"))["links"]).toEqual([
      "PART_OF>department-for-business-and-trade 2023-02-07/…",
      "WAS_PART_OF>department-for-business-energy-and-industrial-strategy …/2023-02-07 ~",
    ]);
    expect(await organisation(inDateOrder, "department-for-business-and-trade")).toMatchObject({ status: "LIVE", since: "2023-02-07" });
  });

  it("opens BEIS and DIT when GOV.UK says they replaced BIS and UKTI, and leaves an opening nothing bounds unknown", async () => {
    const opened = async (slug: string) => {
      const { records } = await driver.executeQuery(
        `MATCH (o:Organisation {id: $id}) RETURN toString(o.since) AS since, o.sinceApproximate AS approximate, o.sinceSource AS source`,
        { id: `${inDateOrder}${slug}` },
        { database: database() },
      );
      return { ...records[0]!.toObject(), source: (records[0]!.get("source") as string).replaceAll(inDateOrder, "") };
    };
    expect(await opened("department-for-business-energy-and-industrial-strategy")).toEqual({
      since: "2016-07-15",
      approximate: false,
      source:
        "inferred: department-for-business-innovation-skills closed on 2016-07-15, replaced by department-for-business-energy-and-industrial-strategy (govuk-organisations: closed_at in the snapshot of 2026-08-22)",
    });
    expect(await opened("department-for-international-trade")).toMatchObject({ since: "2016-07-13", approximate: false });
    // A merger's successor may be older than the merger: BPDTS Ltd merged into DWP on 2021-07-01, and DWP stays undated.
    expect(await opened("department-for-work-pensions")).toMatchObject({ since: null, approximate: true });
  });

  it("keeps both bounds where no source dates a change: a parent seen on 2026-07-20 and gone on 2026-08-22", async () => {
    // The Disability Unit moved from the Cabinet Office to MHCLG between the two snapshots; nothing dates it.
    expect((await organisation(inDateOrder, "disability-unit"))["links"]).toEqual([
      "PART_OF>ministry-of-housing-communities-local-government 2026-08-22/… ~",
      "WAS_PART_OF>cabinet-office …/2026-08-22 ~",
    ]);
    const { records } = await driver.executeQuery(
      `MATCH (:Organisation {id: $id})-[r:WAS_PART_OF]->() RETURN toString(r.untilEarliest) AS earliest, toString(r.untilLatest) AS latest, r.untilApproximate AS approximate`,
      { id: `${inDateOrder}disability-unit` },
      { database: database() },
    );
    expect(records[0]?.toObject()).toEqual({ earliest: "2026-07-20", latest: "2026-08-22", approximate: true });
  });

  it("builds the same graph from the snapshots imported as 2026-07-20, 2023-01-01, 2026-08-22, and importing one again changes nothing", async () => {
    const files = await importAll(shuffled, ["2026-07-20", "2023-01-01", "2026-08-22"]);
    const expected = await state(inDateOrder);
    expect(expected.length).toBeGreaterThan(5000);
    expect(await state(shuffled)).toEqual(expected);

    const again = await runImport(govukOrganisationsSource, [files["2023-01-01"]!], { driver, database: database() });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1165, relationshipsCreated: 0, relationshipsDeleted: 0 });
    expect(await state(shuffled)).toEqual(expected);
  }, 600_000);
});
