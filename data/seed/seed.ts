/**
 * Loads the demo data. Every statement MERGEs on ids, so seeding twice leaves the graph as after once,
 * and nothing else in the graph is touched.
 */
import type { Driver } from "neo4j-driver";
import { resolve } from "node:path";
import { runImport } from "../import/run-import.js";
import { govukOrganisationsSource } from "../import/sources/govuk-organisations.js";
import { stepByStepSource } from "../import/sources/step-by-step.js";
import { govukServicesListSource } from "../import/sources/govuk-services-list.js";
import { professions } from "./professions.js";
import { communities, people, startingABusiness, type PersonSeed } from "./starting-a-business.js";

export interface SeedSummary {
  organisations: number;
  professions: number;
  services: number;
  communities: number;
  people: number;
}

async function write(driver: Driver, database: string | undefined, cypher: string, params: Record<string, unknown>): Promise<void> {
  await driver.executeQuery(cypher, params, { database, routing: "WRITE" });
}

/** The GOV.UK organisations, through the importer, so they carry its provenance. */
export async function seedOrganisations(driver: Driver, database?: string): Promise<number> {
  const summary = await runImport(govukOrganisationsSource, [resolve(import.meta.dirname, "data", "govuk-organisations-2026-07-20.json")], {
    driver,
    database,
  });
  return summary.created + summary.updated + summary.unchanged;
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
  const responsibilities = stages.flatMap((stage) =>
    stage.responsible.map((r) => ({ stage: stage.id, organisation: r.organisation, lane: r.lane, since: r.since ?? null, until: r.until ?? null })),
  );
  await write(
    driver,
    database,
    `
    UNWIND $rows AS row
    MATCH (o:Organisation {id: row.organisation}), (st:Stage {id: row.stage})
    MERGE (o)-[r:RESPONSIBLE_FOR]->(st)
    SET r.lane = row.lane, r.since = date(row.since), r.until = date(row.until)`,
    { rows: responsibilities },
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
    MERGE (p)-[:WORKS_FOR]->(o)
    MERGE (p)-[:HAS_PROFESSION]->(prof)
    WITH p, row
    CALL (p, row) {
      UNWIND row.communities AS m
      MATCH (c:Community {id: m.id})
      MERGE (p)-[r:MEMBER_OF]->(c)
      SET r.role = m.role, r.since = date(m.since)
    }
    CALL (p, row) {
      UNWIND row.stages AS w
      MATCH (st:Stage {id: w.id})
      MERGE (p)-[r:WORKS_ON]->(st)
      SET r.role = w.role
    }`,
    { rows: people.map((person, index) => ({ ...person, ...demoContact(person, index) })) },
  );
}

/** The GOV.UK step-by-step journeys of data/seed/data, through the importer. */
export async function seedStepBySteps(driver: Driver, database?: string): Promise<number> {
  const summary = await runImport(stepByStepSource, [resolve(import.meta.dirname, "data", "step-by-steps-2024-11.json")], { driver, database });
  return summary.read - summary.rejected;
}

/** The 240 services of the GOV.UK services list in data/seed/data, through the importer. */
export async function seedServicesList(driver: Driver, database?: string): Promise<number> {
  const summary = await runImport(govukServicesListSource, [resolve(import.meta.dirname, "data", "govuk-services-list", "services")], { driver, database });
  return summary.created + summary.updated + summary.unchanged;
}

/** Loads all the demo data; safe to run again. */
export async function seedDemoData(driver: Driver, database?: string): Promise<SeedSummary> {
  const organisations = await seedOrganisations(driver, database);
  const professionCount = await seedProfessions(driver, database);
  await seedStartingABusiness(driver, database);
  // The services list first: its addresses are what a step's link is matched to, and it makes the nodes the others join.
  const listedCount = await seedServicesList(driver, database);
  const stepByStepCount = await seedStepBySteps(driver, database);
  return {
    organisations,
    professions: professionCount,
    services: 1 + stepByStepCount + listedCount,
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
