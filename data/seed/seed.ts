/**
 * Loads the demo data. Every statement MERGEs on ids, so seeding twice leaves the graph as after once,
 * and nothing else in the graph is touched.
 */
import type { Driver } from "neo4j-driver";
import { refreshSummaries, type SummaryTouches } from "../../graph/summaries.js";
import { resolve } from "node:path";
import { readdirSync } from "node:fs";
import { runImport, type ImportSummary } from "../import/run-import.js";
import type { ImportSource } from "../import/source.js";
import { organogramSource } from "../import/sources/organogram.js";
import { professionStatisticsSource } from "../import/sources/profession-statistics.js";
import { servicePortfolioSource } from "../import/sources/service-portfolio.js";
import { govukOrganisationsSource } from "../import/sources/govuk-organisations.js";
import { machineryOfGovernmentSource } from "../import/sources/machinery-of-government.js";
import { stepByStepSource } from "../import/sources/step-by-step.js";
import { govukServicesListSource } from "../import/sources/govuk-services-list.js";
import { professions } from "./professions.js";
import { communities, mog2023Announcement, people, startingABusiness, startingABusinessSource, type PersonSeed } from "./starting-a-business.js";

export interface SeedSummary {
  organisations: number;
  professions: number;
  /** Headcount figures by organisation and profession (Civil Service Statistics 2022). */
  headcounts: number;
  /** Senior posts and junior post groups of the 2011 organograms. */
  posts: number;
  /** Every service: Starting a Business, the services list, the portfolios' and the step-by-steps. */
  services: number;
  /** Service Standard assessments and other dated events of the services list. */
  serviceEvents: number;
  /** Stages a step's links (or the curated table) say who delivers. */
  stagesWithDerivedOwner: number;
  communities: number;
  people: number;
}

/** The summary as a sentence, for `npm start` and `npm run seed`. */
export function describeSeed(summary: SeedSummary, seconds?: number): string {
  const n = (value: number) => value.toLocaleString("en-GB");
  return (
    `${n(summary.organisations)} organisations, ${n(summary.professions)} professions, ${n(summary.headcounts)} headcount figures, ` +
    `${n(summary.posts)} organogram posts, ${n(summary.services)} services with ${n(summary.serviceEvents)} assessments and other events, ` +
    `${n(summary.stagesWithDerivedOwner)} journey stages with an owner derived from their links, ${n(summary.communities)} communities and ` +
    `${n(summary.people)} fictional people${seconds === undefined ? "" : ` in ${seconds.toFixed(1)} s`}`
  );
}

/** A real file of data/seed/data, through its importer: the demo carries the same provenance as any import. */
async function importSeedFiles<T, C>(driver: Driver, database: string | undefined, source: ImportSource<T, C>, files: string[]): Promise<ImportSummary> {
  return runImport(
    source,
    files.map((f) => resolve(import.meta.dirname, "data", f)),
    { driver, database },
  );
}
const written = (summary: ImportSummary) => summary.created + summary.updated + summary.unchanged;

/** One write transaction; with `touches`, the graph's summaries refreshed for what it touched, in it (graph/summaries.ts). */
async function write(driver: Driver, database: string | undefined, cypher: string, params: Record<string, unknown>, touches?: SummaryTouches): Promise<void> {
  const session = driver.session({ database, defaultAccessMode: "WRITE" });
  try {
    await session.executeWrite(async (tx) => {
      await tx.run(cypher, params);
      if (touches) await refreshSummaries(tx, touches);
    });
  } finally {
    await session.close();
  }
}

/** The GOV.UK Organisations snapshots the demo's history is built from, in date order (any order gives the same graph). */
export const organisationSnapshots = [
  resolve(import.meta.dirname, "../../test/data/govuk-organisations-2023-01-01.json"),
  resolve(import.meta.dirname, "data", "govuk-organisations-2026-07-20.json"),
  resolve(import.meta.dirname, "../../test/data/govuk-organisations-2026-08-22.json"),
];

/** The curated machinery-of-government changes, each citing its public source. */
export const machineryOfGovernmentChanges = resolve(import.meta.dirname, "../import/data/machinery-of-government.csv");

/**
 * The GOV.UK organisations of three snapshots and the curated changes, through the importer, so they
 * carry its provenance and their history. Returns how many organisations there are.
 */
export async function seedOrganisations(driver: Driver, database?: string): Promise<number> {
  // The history is rebuilt once, by the last import.
  for (const file of organisationSnapshots) await runImport(govukOrganisationsSource, [file], { driver, database, finish: false });
  await runImport(machineryOfGovernmentSource, [machineryOfGovernmentChanges], { driver, database });
  const { records } = await driver.executeQuery("MATCH (o:Organisation) WHERE EXISTS { (o)-[:SEEN_IN]->(:Snapshot) } RETURN count(o) AS n", {}, { database });
  return Number(records[0]?.get("n"));
}

export async function seedProfessions(driver: Driver, database?: string): Promise<number> {
  const rows = professions();
  await write(
    driver,
    database,
    `
    UNWIND $rows AS row
    MERGE (p:Profession {id: row.id})
    SET p.name = row.name, p.family = row.family`,
    { rows },
  );
  return rows.length;
}

interface ServiceRow {
  id: string;
  name: string;
  description: string | null;
  url: string;
  owners: string[];
  stages: { id: string; position: number; name: string; description: string }[];
}

async function seedServices(driver: Driver, database: string | undefined, services: ServiceRow[]): Promise<void> {
  await write(
    driver,
    database,
    `
    UNWIND $services AS row
    MERGE (s:Service {id: row.id})
    SET s.name = row.name, s.description = row.description, s.url = row.url
    WITH s, row
    CALL (s, row) {
      UNWIND row.owners AS ownerId
      MATCH (o:Organisation {id: ownerId})
      MERGE (o)-[:OWNS]->(s)
    }
    CALL (s, row) {
      UNWIND row.stages AS stage
      MERGE (st:Stage {id: stage.id})
      SET st.name = stage.name, st.position = stage.position, st.description = stage.description
      MERGE (s)-[:HAS_STAGE]->(st)
    }`,
    { services },
  );
}

export async function seedStartingABusiness(driver: Driver, database?: string): Promise<void> {
  const { stages, ...service } = startingABusiness;
  await seedServices(driver, database, [
    { ...service, stages: stages.map((s, i) => ({ id: s.id, position: i + 1, name: s.name, description: s.description })) },
  ]);
  // Curated for the demo from what each body does for a new business (the service's GOV.UK page); those that
  // moved from BEIS and DIT to DBT are dated by the February 2023 announcement.
  const responsibilities = stages.flatMap((stage) =>
    stage.responsible.map((r) => ({
      stage: stage.id,
      organisation: r.organisation,
      lane: r.lane,
      since: r.since ?? null,
      until: r.until ?? null,
      evidence: r.since || r.until ? mog2023Announcement : service.url,
    })),
  );
  await write(
    driver,
    database,
    `
    UNWIND $rows AS row
    MATCH (o:Organisation {id: row.organisation}), (st:Stage {id: row.stage})
    MERGE (o)-[r:RESPONSIBLE_FOR]->(st)
    SET r.lane = row.lane, r.since = date(row.since), r.until = date(row.until),
      r.source = $source, r.derivation = 'curated', r.evidence = row.evidence
    WITH DISTINCT st SET st.source = $source`,
    { rows: responsibilities, source: startingABusinessSource },
    { stages: stages.map((s) => s.id) },
  );
  await write(
    driver,
    database,
    `
    UNWIND $rows AS row
    MATCH (st:Stage {id: row.stage}), (p:Profession {id: row.profession})
    MERGE (st)-[:EXPECTS_PROFESSION]->(p)`,
    { rows: stages.flatMap((stage) => stage.expects.map((profession) => ({ stage: stage.id, profession }))) },
  );

  await write(
    driver,
    database,
    `
    UNWIND $rows AS row
    MERGE (c:Community {id: row.id})
    SET c.name = row.name, c.kind = row.kind, c.description = row.description
    WITH c, row
    UNWIND row.focusesOn AS serviceId
    MATCH (s:Service {id: serviceId})
    MERGE (c)-[:FOCUSES_ON]->(s)`,
    { rows: communities },
  );

  await write(
    driver,
    database,
    `
    UNWIND $rows AS row
    MERGE (p:Person {id: row.id})
    SET p.name = row.name, p.jobTitle = row.jobTitle, p.grade = row.grade, p.email = row.email, p.phone = row.phone
    WITH p, row
    MATCH (o:Organisation {id: row.organisation}), (prof:Profession {id: row.profession})
    // Employment that has ended is WORKED_FOR, with its dates; WORKS_FOR holds today (docs/adr/0008).
    CALL (p, o, row) {
      WITH p, o, row WHERE row.employedUntil IS NULL
      MERGE (p)-[:WORKS_FOR]->(o)
    }
    CALL (p, o, row) {
      WITH p, o, row WHERE row.employedUntil IS NOT NULL
      MERGE (p)-[w:WORKED_FOR]->(o)
      SET w.until = date(row.employedUntil)
      WITH p, o
      OPTIONAL MATCH (p)-[now:WORKS_FOR]->(o)
      DELETE now
    }
    // Dated only where the seed gives a date (docs/adr/0008): an undated profession is open, with no since.
    MERGE (p)-[h:HAS_PROFESSION]->(prof)
    SET h.since = CASE WHEN row.professionSince IS NULL THEN null ELSE date(row.professionSince) END,
      h.until = CASE WHEN row.professionUntil IS NULL THEN null ELSE date(row.professionUntil) END
    WITH p, row
    CALL (p, row) {
      UNWIND row.communities AS m
      MATCH (c:Community {id: m.id})
      MERGE (p)-[r:MEMBER_OF]->(c)
      SET r.role = m.role, r.since = date(m.since)
    }
    CALL (p, row) {
      UNWIND [w IN row.stages WHERE w.until IS NULL] AS w
      MATCH (st:Stage {id: w.id})
      MERGE (p)-[r:WORKS_ON]->(st)
      SET r.role = w.role
    }
    CALL (p, row) {
      UNWIND [w IN row.stages WHERE w.until IS NOT NULL] AS w
      MATCH (st:Stage {id: w.id})
      MERGE (p)-[r:WORKED_ON]->(st)
      SET r.role = w.role, r.until = date(w.until)
      WITH p, st
      OPTIONAL MATCH (p)-[now:WORKS_ON]->(st)
      DELETE now
    }`,
    { rows: people.map((person, index) => ({ employedUntil: null, professionSince: null, professionUntil: null, ...person, ...demoContact(person, index) })) },
    // A person whose seed ends their employment left that organisation: its pairs are refreshed too.
    { people: people.map((person) => ({ id: person.id, organisations: [person.organisation], communities: person.communities.map((c) => c.id) })) },
  );
}

/**
 * The real sources of data/seed/data beyond the organisations, each through its importer (see its
 * README for what each is): headcounts by organisation and profession, the organograms (with their
 * post holders' names and contacts removed from the copy), the services list, the DWP and Defra
 * portfolios and the step-by-steps. The services list comes before the portfolios and the
 * step-by-steps: its addresses are what a step's links are matched to, and it makes the nodes they join.
 */
async function seedRealSources(driver: Driver, database: string | undefined) {
  const headcounts = await importSeedFiles(driver, database, professionStatisticsSource, ["headcount-by-organisation-and-profession-2022.csv"]);
  const organograms = readdirSync(resolve(import.meta.dirname, "data", "organograms-2011")).map((f) => `organograms-2011/${f}`);
  const posts = await importSeedFiles(driver, database, organogramSource, organograms);
  await importSeedFiles(driver, database, govukServicesListSource, ["govuk-services-list/services"]);
  await importSeedFiles(driver, database, servicePortfolioSource, ["services/dwp-defra-digital-service-portfolios.json"]);
  await importSeedFiles(driver, database, stepByStepSource, ["step-by-steps-2024-11.json"]);
  return { headcounts: written(headcounts), posts: written(posts) };
}

/** Loads all the demo data; safe to run again. */
export async function seedDemoData(driver: Driver, database?: string): Promise<SeedSummary> {
  const organisations = await seedOrganisations(driver, database);
  const professionCount = await seedProfessions(driver, database);
  await seedStartingABusiness(driver, database);
  const { headcounts, posts } = await seedRealSources(driver, database);
  const { records } = await driver.executeQuery(
    `CALL { MATCH (s:Service) RETURN count(s) AS services }
     CALL { MATCH (e:ServiceEvent) RETURN count(e) AS serviceEvents }
     CALL { MATCH (st:Stage) WHERE EXISTS { (:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE r.derivation IS NOT NULL } RETURN count(st) AS stagesWithDerivedOwner }
     RETURN services, serviceEvents, stagesWithDerivedOwner`,
    {},
    { database, routing: "READ" },
  );
  const counts = records[0]!.toObject() as Record<string, unknown>;
  return {
    organisations,
    professions: professionCount,
    headcounts,
    posts,
    services: Number(counts["services"]),
    serviceEvents: Number(counts["serviceEvents"]),
    stagesWithDerivedOwner: Number(counts["stagesWithDerivedOwner"]),
    communities: communities.length,
    people: people.length,
  };
}

/** True when the graph holds no organisations yet: `npm start` seeds then. */
export async function graphIsEmpty(driver: Driver, database?: string): Promise<boolean> {
  const { records } = await driver.executeQuery("MATCH (o:Organisation) RETURN count(o) > 0 AS any", {}, { database, routing: "READ" });
  return records[0]?.get("any") !== true;
}

/**
 * Contact details for the fictional demo people: addresses under the reserved `.example` domain and
 * numbers from Ofcom's range kept for drama (020 7946 0000 to 0999), so none reaches anyone real.
 */
function demoContact(person: PersonSeed, index: number): { email: string; phone: string } {
  const local = person.name
    .toLowerCase()
    .replace(/[^a-z]+/g, ".")
    .replace(/^\.|\.$/g, "");
  return { email: `${local}@demo.service-graph.example`, phone: `020 7946 ${String(index + 1).padStart(4, "0")}` };
}
