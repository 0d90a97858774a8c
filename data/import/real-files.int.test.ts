/**
 * Each real file of ../shared/data (the project's shared data, beside the repository) imported, with
 * counts checked against the file itself and facts it states. The organograms there name real
 * officials, so they are read in place; the demo's copies (data/seed/data/organograms-2011) have the
 * names and contacts removed.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { runImport } from "./run-import.js";
import { organogramSource } from "./sources/organogram.js";
import { professionStatisticsSource } from "./sources/profession-statistics.js";
import { servicePortfolioSource } from "./sources/service-portfolio.js";
import { stepByStepSource } from "./sources/step-by-step.js";
import { govukServicesListSource } from "./sources/govuk-services-list.js";
import { testDriver, testNeo4j } from "../../test/helpers.js";
import { seedDemoData } from "../seed/seed.js";

const data = resolve(import.meta.dirname, "../../../shared/data");
const csvRows = (file: string) =>
  parse<Record<string, string>>(readFileSync(file), { columns: true, bom: true, relax_column_count: true, skip_empty_lines: true });

describe.skipIf(!existsSync(data))("importing the real files of ../shared/data", () => {
  const driver = testDriver();
  const database = testNeo4j().database;
  const query = async (cypher: string, params: Record<string, unknown> = {}) =>
    (await driver.executeQuery(cypher, params, { database })).records.map((r) => r.toObject());
  afterAll(async () => {
    // What these imports added, by its provenance; the demo data's own imports are left alone.
    await driver.executeQuery(
      `MATCH (n) WHERE n.source STARTS WITH 'organogram:' OR n.source = 'service-portfolio:dwp-defra-digital-service-portfolios.json' DETACH DELETE n`,
      {},
      { database },
    );
    await driver.executeQuery(`MATCH ()-[h:HAS_HEADCOUNT {year: 2022}]->() DELETE h`, {}, { database });
    // The demo loads some of the same files (the organograms without their holders' names): put it back as it was.
    await seedDemoData(driver, database);
    await driver.close();
  });

  it("step-by-steps 2024-11: eight journeys, Employ someone with its seven steps and four owners", async () => {
    const file = join(data, "step-by-step/step-by-steps-2024-11.json");
    const summary = await runImport(stepByStepSource, [file], { driver, database });
    expect(summary).toMatchObject({ read: (JSON.parse(readFileSync(file, "utf8")) as unknown[]).length, rejected: 0 });
    const [employ] = await query(`MATCH (s:Service {id: 'employ-someone'})-[:HAS_STAGE]->(st) OPTIONAL MATCH (o)-[:OWNS]->(s)
      RETURN count(DISTINCT st) AS stages, apoc.coll.sort(collect(DISTINCT o.id)) AS owners`);
    expect(Number(employ!["stages"])).toBe(7);
    expect(employ!["owners"]).toEqual([
      "department-for-business-and-trade",
      "department-for-business-energy-and-industrial-strategy",
      "department-for-work-pensions",
      "hm-revenue-customs",
    ]);
  });

  it("step-by-steps 2024-11: a step linking to a service's start page or live address is that service's, its owners responsible, the link the evidence", async () => {
    const file = join(data, "step-by-step/step-by-steps-2024-11.json");
    const journeys = JSON.parse(readFileSync(file, "utf8")) as { base_path: string; steps: { links: { href: string }[] }[] }[];
    const listDir = join(data, "govuk-services-list/services");
    const address = (href: string) =>
      (href.startsWith("/") ? `https://www.gov.uk${href}` : href)
        .replace(/^http:/, "https:")
        .replace(/[?#].*$/, "")
        .replace(/\/$/, "")
        .toLowerCase();
    const entrances = new Map<string, string[]>();
    for (const f of readdirSync(listDir)) {
      const s = JSON.parse(readFileSync(join(listDir, f), "utf8")) as { liveService?: string; startPage?: string | string[] };
      for (const a of [s.liveService ?? [], s.startPage ?? []].flat())
        entrances.set(address(a), [...(entrances.get(address(a)) ?? []), f.replace(/\.json$/, "")]);
    }
    const expected = new Set(
      journeys.flatMap((j) =>
        j.steps.flatMap((step, i) =>
          step.links.flatMap((l) => (entrances.get(address(l.href)) ?? []).map((slug) => `${j.base_path.slice(1)}-step-${i + 1} ${slug}`)),
        ),
      ),
    );
    await runImport(govukServicesListSource, [listDir], { driver, database });
    await runImport(stepByStepSource, [file], { driver, database });
    const linked = await query(
      `MATCH (st:Stage)-[l:LINKS_TO]->(s:Service) WHERE l.source = 'step-by-step:step-by-steps-2024-11.json' RETURN st.id + ' ' + s.listedAs AS pair`,
    );
    expect(new Set(linked.map((r) => r["pair"]))).toEqual(expected);
    // Each such stage: the service's owners responsible, frontstage, with the link as evidence.
    const derived = await query(
      `MATCH (st:Stage)-[l:LINKS_TO]->(s:Service)<-[:OWNS]-(o:Organisation)
       OPTIONAL MATCH (o)-[r:RESPONSIBLE_FOR]->(st)
       RETURN st.id AS stage, o.id AS organisation, r.lane AS lane, r.derivation AS derivation, r.evidence AS evidence`,
    );
    expect(derived.length).toBeGreaterThan(0);
    for (const d of derived)
      expect(d).toMatchObject({ lane: "FRONTSTAGE", derivation: expect.stringMatching(/^(service-address|curated|organisation-domain)$/) });

    // Employ someone: stages with a responsible organisation derived from their links, each link one of the step's own.
    const employ = journeys.find((j) => j.base_path === "/employ-someone")!;
    const responsible = await query(
      `MATCH (:Service {id: 'employ-someone'})-[:HAS_STAGE]->(st)<-[r:RESPONSIBLE_FOR]-(o) WHERE r.derivation IN ['service-address', 'organisation-domain']
       RETURN st.id AS stage, o.id AS organisation, r.evidence AS evidence ORDER BY stage`,
    );
    expect(responsible.map((r) => r["organisation"])).toEqual(["acas", "the-pensions-regulator"]);
    for (const r of responsible) {
      const step = employ.steps[Number(/-step-(\d+)$/.exec(r["stage"] as string)![1]) - 1]!;
      expect(step.links.map((l) => address(l.href))).toContain(address(r["evidence"] as string));
    }
  });

  it("the Content API step_by_step_nav examples: the same journey in two formats is one service", async () => {
    const dir = join(data, "step-by-step/content-schema");
    const files = readdirSync(dir)
      .filter((f) => /__(learn_to_drive_a_car|step_by_step_nav)\.json$/.test(f))
      .map((f) => join(dir, f));
    const summary = await runImport(stepByStepSource, files, { driver, database });
    expect(summary).toMatchObject({ read: 3, rejected: 1 });
    expect(summary.rejections[0]?.reason).toBe(
      'duplicate: service "get-a-divorce" already stands at $ of step_by_step_nav__frontend__step_by_step_nav.json; only that one is imported',
    );
    const [divorce] = await query("MATCH (:Service {id: 'get-a-divorce'})-[:HAS_STAGE]->(st) RETURN count(st) AS stages");
    expect(Number(divorce!["stages"])).toBe(3);
  });

  it("the GOV.UK services list: services per organisation, phases and assessment dates as the files give them; the one unmatched name reported", async () => {
    const dir = join(data, "govuk-services-list/services");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    const listed = files.map((f) => ({
      slug: f.replace(/\.json$/, ""),
      ...(JSON.parse(readFileSync(join(dir, f), "utf8")) as {
        organisation: string | string[];
        phase: string;
        theme: string;
        timeline?: { items: { date: string }[] };
      }),
    }));
    const summary = await runImport(govukServicesListSource, [dir], { driver, database });
    expect(summary).toMatchObject({ read: files.length, rejected: 1 });
    expect(summary.rejections[0]).toMatchObject({
      location: "general-registrars-office.json",
      reason: expect.stringMatching(/^organisation "General Register Office" matches no/),
    });

    const names = (s: (typeof listed)[number]) => new Set((Array.isArray(s.organisation) ? s.organisation : [s.organisation]).map((n) => n.trim()));
    for (const [id, name] of [
      ["hm-revenue-customs", "HM Revenue and Customs"],
      ["department-for-work-pensions", "Department for Work and Pensions"],
      ["driver-and-vehicle-licensing-agency", "Driver and Vehicle Licensing Agency"],
    ] as const) {
      const [owned] = await query("MATCH (:Organisation {id: $id})-[:OWNS]->(s:Service) WHERE s.listedAs IS NOT NULL RETURN count(s) AS n", { id });
      expect([id, Number(owned!["n"])]).toEqual([id, listed.filter((s) => names(s).has(name)).length]);
    }

    const phases = await query("MATCH (s:Service) WHERE s.listedAs IS NOT NULL RETURN s.phase AS phase, count(*) AS n ORDER BY phase");
    const expected = new Map<string | null, number>();
    for (const s of listed) {
      const phase = s.phase.toLowerCase() === "unknown" ? null : s.phase.toUpperCase();
      expected.set(phase, (expected.get(phase) ?? 0) + 1);
    }
    expect(new Map(phases.map((r) => [r["phase"] as string | null, Number(r["n"])]))).toEqual(expected);

    // Themes that differ only in case are one ("Government Internal" and "Government internal"), in one spelling.
    const themes = await query("MATCH (s:Service) WHERE s.listedAs IS NOT NULL AND s.theme IS NOT NULL RETURN s.theme AS theme, count(*) AS n");
    const themesInFiles = new Map<string, number>();
    for (const s of listed) if (!s.theme.startsWith("***")) themesInFiles.set(s.theme.toLowerCase(), (themesInFiles.get(s.theme.toLowerCase()) ?? 0) + 1);
    expect(themes).toHaveLength(themesInFiles.size);
    expect(new Map(themes.map((r) => [(r["theme"] as string).toLowerCase(), Number(r["n"])]))).toEqual(themesInFiles);
    expect(Number(themes.find((r) => r["theme"] === "Government internal")?.["n"])).toEqual(
      listed.filter((s) => s.theme === "Government internal" || s.theme === "Government Internal").length,
    );

    const timelines = await query(
      "MATCH (e:ServiceEvent) WHERE e.listedAs IS NOT NULL RETURN e.listedAs AS slug, apoc.coll.sort(collect(toString(e.date))) AS dates",
    );
    expect(new Map(timelines.map((r) => [r["slug"], r["dates"]]))).toEqual(
      new Map(listed.filter((s) => s.timeline?.items.length).map((s) => [s.slug, s.timeline!.items.map((i) => i.date).sort()])),
    );
  });

  it("a service in both the services list and a portfolio, or in two sources by any route, is one node", async () => {
    await runImport(govukServicesListSource, [join(data, "govuk-services-list/services")], { driver, database });
    await runImport(servicePortfolioSource, [join(data, "services/dwp-defra-digital-service-portfolios.json")], { driver, database });
    const [both] = await query(
      "MATCH (s:Service) WHERE any(x IN s.sources WHERE x STARTS WITH 'govuk-services-list:') AND any(x IN s.sources WHERE x STARTS WITH 'service-portfolio:') RETURN collect(s.listedAs) AS listed",
    );
    expect(both!["listed"]).toContain("access-to-work");
    // No two sources hold the same service twice: no name or address is on services made by two sources.
    // (Within the list, two services may share a start page: apprenticeship-levy and recruit-an-apprentice do.)
    const clashes = await query(
      `MATCH (s:Service) UNWIND [toLower(s.name)] + [a IN [s.liveService] + coalesce(s.startPages, []) WHERE a IS NOT NULL | toLower(a)] AS key
       WITH key, collect(DISTINCT coalesce(split(s.source, ':')[0], 'hand-made')) AS makers, collect(DISTINCT s.id) AS ids
       WHERE size(makers) > 1 RETURN key, ids`,
    );
    expect(clashes).toEqual([]);
    // And by what each source said: no name, synonym or address of one source's record is on another service than another source's record with it.
    const recordClashes = await query(
      `MATCH (s:Service)-[:DESCRIBED_BY]->(r:ServiceRecord) WHERE NOT r.id STARTS WITH 'test-'
       UNWIND [toLower(r.name)] + [x IN coalesce(r.synonyms, []) | toLower(x)] + [a IN [r.url, r.liveService] + coalesce(r.startPages, []) WHERE a IS NOT NULL | toLower(a)] AS key
       WITH key, collect(DISTINCT r.sourceName) AS sources, collect(DISTINCT s.id) AS ids
       WHERE size(sources) > 1 AND size(ids) > 1 RETURN key, ids`,
    );
    expect(recordClashes).toEqual([]);
    // Each service holds one record per source that describes it, and shows its first record's name.
    const [records] = await query(
      `MATCH (s:Service)-[:DESCRIBED_BY]->(r:ServiceRecord) WHERE NOT s.id STARTS WITH 'test-'
       WITH s, r ORDER BY r.precedence
       WITH s, collect(r) AS records
       RETURN count(s) AS services, count(CASE WHEN size(records) <> size(apoc.coll.toSet([r IN records | r.sourceName])) THEN 1 END) AS twice,
              count(CASE WHEN s.name <> records[0].name OR s.source <> records[0].source THEN 1 END) AS notFirst`,
    );
    expect({ twice: Number(records!["twice"]), notFirst: Number(records!["notFirst"]) }).toEqual({ twice: 0, notFirst: 0 });
    // A theme's spelling as written stays with that theme, not beside another source's theme.
    expect(await query("MATCH (s:Service) WHERE s.themeAsWritten IS NOT NULL AND toLower(s.themeAsWritten) <> toLower(s.theme) RETURN s.id AS id")).toEqual([]);
  });

  it("the DWP and Defra portfolios: every service, with its department and phase", async () => {
    const file = join(data, "services/dwp-defra-digital-service-portfolios.json");
    const projects = JSON.parse(readFileSync(file, "utf8")) as { _department: string; phase: string }[];
    const summary = await runImport(servicePortfolioSource, [file], { driver, database });
    expect(summary).toMatchObject({ read: projects.length, rejected: 0 });
    const byDepartment =
      await query(`MATCH (o:Organisation)-[:OWNS]->(s:Service) WHERE 'service-portfolio:dwp-defra-digital-service-portfolios.json' IN s.sources
      RETURN o.name AS department, count(s) AS services ORDER BY department`);
    expect(byDepartment.map((r) => [r["department"], Number(r["services"])])).toEqual(
      [...new Set(projects.map((p) => p._department))].sort().map((d) => [d, projects.filter((p) => p._department === d).length]),
    );
  });

  it("headcount by organisation and profession 2022: figures as published, suppressed ones marked, unmatched names reported", async () => {
    const file = join(data, "professions/headcount-by-organisation-and-profession-2022.csv");
    const rows = csvRows(file);
    const summary = await runImport(professionStatisticsSource, [file], { driver, database });
    expect(summary.read).toBe(rows.length);
    expect(summary.created + summary.updated + summary.unchanged + summary.skipped + summary.rejected).toBe(rows.length);
    const unmatched = new Set(summary.rejections.map((r) => /organisation "(.+)" matches no/.exec(r.reason)?.[1]));
    expect(unmatched.has(undefined)).toBe(false);
    expect(unmatched).toContain("Transport Scotland");
    const published = rows.find((r) => r["organisation"] === "HM Revenue and Customs (excl. agencies)" && r["profession"] === "Tax")!;
    const [tax] = await query(
      "MATCH (:Organisation {id: 'hm-revenue-customs'})-[h:HAS_HEADCOUNT {year: 2022}]->(:Profession {id: 'tax'}) RETURN h.headcount AS headcount",
    );
    expect(Number(tax!["headcount"])).toBe(Number(published["headcount"]));
    const [suppressed] = await query("MATCH ()-[h:HAS_HEADCOUNT {year: 2022, suppressed: true}]->() RETURN count(h) AS n, count(h.headcount) AS withNumber");
    expect(Number(suppressed!["n"])).toBeGreaterThan(0);
    expect(Number(suppressed!["withNumber"])).toBe(0);
  });

  // Tens of thousands of rows: the timeout guards against a hang; bench:import measures the speed.
  it("the 2011 organograms of ten organisations: posts, reporting lines and junior counts as published", async () => {
    const dir = join(data, "organograms/2011-09-30");
    const files = readdirSync(dir).map((f) => join(dir, f));
    const summary = await runImport(organogramSource, files, { driver, database });
    expect(summary.read).toBe(files.reduce((n, f) => n + csvRows(f).length, 0));
    expect(summary.rejections.every((r) => /^(duplicate: post|REPORTS_TO: Post|Post Unique Reference "(0|Deleted)")/.test(r.reason))).toBe(true);

    const tprRows = csvRows(join(dir, "the_pensions_regulator-2011-09-30-senior.csv"));
    const [tpr] = await query("MATCH (p:Post)-[:IN_ORGANISATION]->(:Organisation {id: 'the-pensions-regulator'}) RETURN count(p) AS posts");
    expect(Number(tpr!["posts"])).toBe(new Set(tprRows.map((r) => r["Post Unique Reference"])).size);
    const [line] = await query("MATCH (:Post {id: 'cabinet-office/24'})-[:REPORTS_TO]->(boss:Post) RETURN boss.reference AS boss");
    expect(line!["boss"]).toBe(
      csvRows(join(dir, "cabinet_office-2011-09-30-senior.csv")).find((r) => r["Post Unique Reference"] === "24")!["Reports to Senior Post"],
    );
    const juniorRows = csvRows(join(dir, "hm_treasury-2011-09-30-junior.csv"));
    const [fte] = await query("MATCH (j:JuniorPosts)-[:IN_ORGANISATION]->(:Organisation {id: 'hm-treasury'}) RETURN sum(j.fte) AS fte");
    expect(Number(fte!["fte"])).toBeCloseTo(
      juniorRows.reduce((n, r) => n + Number(r["Number of Posts in FTE"] || 0), 0),
      5,
    );
  }, 300_000);

  // Tens of thousands of rows: the timeout guards against a hang; bench:import measures the speed.
  it("the senior posts of 193 organisations, 2011-2016, again idempotently", async () => {
    const file = join(data, "organograms/senior-posts-all-organisations-2011-2016.csv");
    const first = await runImport(organogramSource, [file], { driver, database });
    expect(first.read).toBe(csvRows(file).length);
    const again = await runImport(organogramSource, [file], { driver, database });
    expect(again).toMatchObject({ created: 0, updated: 0, relationshipsCreated: 0, relationshipsDeleted: 0 });
  }, 300_000);
});
