/**
 * A synthetic but realistically shaped graph on the real organisations and professions: people per
 * organisation and profession following the real 2022 headcounts (Civil Service Statistics, about
 * half a million people at full scale), communities of practice and service communities with members
 * across departments, and services of 5 to 15 stages with responsible organisations and people.
 * Deterministic from a seed; every name is obviously fictional; every id starts with `gen-`.
 */
import { resolve } from "node:path";
import type { Driver, ManagedTransaction } from "neo4j-driver";
import { rebuildSummaries } from "../../graph/summaries.js";
import { readCsv } from "../import/read.js";
import { professionStatisticsSource } from "../import/sources/profession-statistics.js";

export const scales = { tiny: 0.002, small: 0.02, medium: 0.2, "civil-service": 1 } as const;
export type Scale = keyof typeof scales;

export interface GenerateOptions {
  driver: Driver;
  database?: string | undefined;
  scale: Scale;
  seed?: number;
  batchSize?: number;
  onProgress?: (stage: string, done: number) => void;
}

export interface GenerateSummary {
  scale: Scale;
  seed: number;
  people: number;
  services: number;
  stages: number;
  communities: number;
  /** Nodes and relationships this run created (0 when run again with the same scale and seed). */
  created: number;
  seconds: number;
}

/** mulberry32: small, fast and the same on every machine for a given seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const firstNames = [
  "Alex",
  "Sam",
  "Jo",
  "Priya",
  "Chidi",
  "Mei",
  "Tomasz",
  "Aisha",
  "Owen",
  "Fatima",
  "Liam",
  "Nia",
  "Ravi",
  "Elena",
  "Kwame",
  "Sofia",
  "Dev",
  "Hana",
  "Iain",
  "Zara",
];
const fictionalSurnames = [
  "Example",
  "Sample",
  "Placeholder",
  "Testcase",
  "Mockingbird",
  "Dummy",
  "Fixture",
  "Stub",
  "Specimen",
  "Prototype",
  "Synthetic",
  "Madeup",
];
const grades = [
  ["AA", 4],
  ["AO", 20],
  ["EO", 25],
  ["HEO", 18],
  ["SEO", 14],
  ["Grade 7", 11],
  ["Grade 6", 5],
  ["SCS1", 2],
  ["SCS2", 0.7],
  ["SCS3", 0.3],
] as const;
const roles = [
  "service owner",
  "product manager",
  "delivery manager",
  "user researcher",
  "designer",
  "developer",
  "policy lead",
  "operations lead",
  "analyst",
  "content designer",
  "caseworker",
  "legal adviser",
];
const stageVerbs = ["Check", "Apply", "Register", "Pay", "Prove", "Report", "Renew", "Appeal", "Book", "Claim", "Update", "Find"];
const stageObjects = [
  "eligibility",
  "an account",
  "identity",
  "a licence",
  "a payment",
  "changes",
  "a decision",
  "an appointment",
  "evidence",
  "support",
  "a certificate",
  "records",
];
const serviceSubjects = [
  "a grant",
  "a permit",
  "benefits",
  "a licence",
  "funding",
  "a registration",
  "a certificate",
  "an allowance",
  "a scheme",
  "an exemption",
];
const lanes = ["FRONTSTAGE", "BACKSTAGE", "SUPPORT"] as const;
const practiceNames = [
  "Accessibility",
  "Agile delivery",
  "User research",
  "Service design",
  "Content design",
  "Data science",
  "Cyber security",
  "Performance analysis",
  "Product management",
  "Technical architecture",
  "Policy design",
  "Behavioural insight",
  "Casework",
  "Commercial",
  "Risk and assurance",
  "Open standards",
  "Interaction design",
  "Digital inclusion",
  "Evaluation",
  "Complaints handling",
];

interface Block {
  organisation: string;
  profession: string;
  /** People ids [first, first + count). */
  first: number;
  count: number;
}

const personId = (n: number) => `gen-person-${n}`;

async function write(options: GenerateOptions, cypher: string, rows: unknown[], source: string): Promise<number> {
  if (rows.length === 0) return 0;
  const session = options.driver.session({ database: options.database, defaultAccessMode: "WRITE" });
  try {
    const result = await session.executeWrite((tx: ManagedTransaction) => tx.run(cypher, { rows, source }));
    return result.summary.counters.updates().relationshipsCreated + result.summary.counters.updates().nodesCreated;
  } finally {
    await session.close();
  }
}

/** People per organisation and profession, from the real headcounts scaled; suppressed counts as 5 (under 10). */
async function peopleBlocks(options: GenerateOptions): Promise<Block[]> {
  const context = await professionStatisticsSource.prepare!(options.driver, options.database);
  const blocks: Block[] = [];
  let next = 0;
  for await (const raw of readCsv(resolve(import.meta.dirname, "../seed/data/headcount-by-organisation-and-profession-2022.csv"))) {
    const parsed = professionStatisticsSource.parse(raw.value, context, raw.location);
    if (!parsed.ok) continue;
    const count = Math.round((parsed.item.headcount ?? 5) * scales[options.scale]);
    if (count === 0) continue;
    blocks.push({ organisation: parsed.item.organisation, profession: parsed.item.profession, first: next, count });
    next += count;
  }
  return blocks;
}

export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const started = performance.now();
  const seed = options.seed ?? 2026;
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const batchSize = options.batchSize ?? 10_000;
  const source = `generate:${options.scale}:${seed}`;
  let created = 0;

  const blocks = await peopleBlocks(options);
  const totalPeople = blocks.reduce((n, b) => n + b.count, 0);
  const gradeTotal = grades.reduce((n, [, w]) => n + w, 0);
  const gradeOf = () => {
    let r = rand() * gradeTotal;
    for (const [grade, weight] of grades) if ((r -= weight) < 0) return grade;
    return "EO";
  };

  // People, with their organisation and profession, a block at a time.
  let rows: { id: string; name: string; grade: string; organisation: string; profession: string }[] = [];
  const flushPeople = async () => {
    created += await write(
      options,
      `
      UNWIND $rows AS row
      MATCH (o:Organisation {id: row.organisation}), (p:Profession {id: row.profession})
      MERGE (person:Person {id: row.id})
      SET person.name = row.name, person.grade = row.grade, person.jobTitle = p.name + ' professional', person.source = $source
      MERGE (person)-[:WORKS_FOR]->(o)
      MERGE (person)-[:HAS_PROFESSION]->(p)`,
      rows,
      source,
    );
    rows = [];
  };
  let done = 0;
  for (const block of blocks) {
    for (let i = 0; i < block.count; i++) {
      const n = block.first + i;
      rows.push({
        id: personId(n),
        name: `${pick(firstNames)} ${pick(fictionalSurnames)}`,
        grade: gradeOf(),
        organisation: block.organisation,
        profession: block.profession,
      });
      if (rows.length >= batchSize) {
        await flushPeople();
        options.onProgress?.("people", (done += batchSize));
      }
    }
  }
  await flushPeople();
  options.onProgress?.("people", totalPeople);

  // Services of 5 to 15 stages, each stage with responsible organisations and people from them.
  const byOrganisation = new Map<string, Block[]>();
  for (const block of blocks) byOrganisation.set(block.organisation, [...(byOrganisation.get(block.organisation) ?? []), block]);
  const organisations = [...byOrganisation.keys()];
  const weight = new Map(organisations.map((o) => [o, byOrganisation.get(o)!.reduce((n, b) => n + b.count, 0)]));
  const weightTotal = [...weight.values()].reduce((a, b) => a + b, 0);
  const weightedOrganisation = () => {
    let r = rand() * weightTotal;
    for (const [o, w] of weight) if ((r -= w) < 0) return o;
    return organisations[0]!;
  };
  const personFrom = (organisation: string) => {
    const candidates = byOrganisation.get(organisation)!;
    const block = pick(candidates);
    return personId(block.first + Math.floor(rand() * block.count));
  };

  const serviceCount = Math.max(10, Math.round(400 * Math.sqrt(scales[options.scale])));
  let stageCount = 0;
  const services: {
    id: string;
    name: string;
    owner: string;
    stages: { id: string; name: string; position: number; responsible: { organisation: string; lane: string }[]; people: { id: string; role: string }[] }[];
  }[] = [];
  for (let s = 0; s < serviceCount; s++) {
    const owner = weightedOrganisation();
    const partners = [owner, ...Array.from({ length: 1 + Math.floor(rand() * 4) }, weightedOrganisation)];
    const stages = Array.from({ length: 5 + Math.floor(rand() * 11) }, (_, i) => {
      const responsible = [...new Set([pick(partners), ...(rand() < 0.4 ? [pick(partners)] : [])])].map((organisation, k) => ({
        organisation,
        lane: k === 0 ? "FRONTSTAGE" : pick(lanes),
      }));
      const people = [...new Set(Array.from({ length: 3 + Math.floor(rand() * 10) }, () => personFrom(pick(responsible).organisation)))].map((id) => ({
        id,
        role: pick(roles),
      }));
      return { id: `gen-service-${s}-stage-${i + 1}`, name: `${pick(stageVerbs)} ${pick(stageObjects)}`, position: i + 1, responsible, people };
    });
    stageCount += stages.length;
    services.push({ id: `gen-service-${s}`, name: `Get ${pick(serviceSubjects)} (generated ${s})`, owner, stages });
  }
  for (let i = 0; i < services.length; i += 50) {
    created += await write(
      options,
      `
      UNWIND $rows AS row
      MATCH (owner:Organisation {id: row.owner})
      MERGE (s:Service {id: row.id})
      SET s.name = row.name, s.description = 'A generated service for load and scale testing.', s.source = $source
      MERGE (owner)-[:OWNS]->(s)
      WITH s, row
      UNWIND row.stages AS stage
      MERGE (st:Stage {id: stage.id})
      SET st.name = stage.name, st.position = stage.position, st.source = $source
      MERGE (s)-[:HAS_STAGE]->(st)
      WITH st, stage
      CALL (st, stage) {
        UNWIND stage.responsible AS r
        MATCH (o:Organisation {id: r.organisation})
        MERGE (o)-[rel:RESPONSIBLE_FOR]->(st) SET rel.lane = r.lane
      }
      CALL (st, stage) {
        UNWIND stage.people AS w
        MATCH (p:Person {id: w.id})
        MERGE (p)-[rel:WORKS_ON]->(st) SET rel.role = w.role
      }`,
      services.slice(i, i + 50),
      source,
    );
    options.onProgress?.("services", Math.min(i + 50, services.length));
  }

  // Communities: one service community per service (its stages' people), and communities of practice across departments.
  const communityRows = [
    ...services.map((s) => ({
      id: `gen-community-${s.id}`,
      name: `${s.name} service community`,
      kind: "SERVICE_COMMUNITY",
      focusesOn: [s.id],
      members: [...new Set(s.stages.flatMap((st) => st.people.map((p) => p.id)))].slice(0, 60).map((id, k) => ({ id, role: k === 0 ? "lead" : "member" })),
    })),
    ...practiceNames.map((name, c) => ({
      id: `gen-community-practice-${c}`,
      name: `${name} community of practice (generated)`,
      kind: "COMMUNITY_OF_PRACTICE",
      focusesOn: [] as string[],
      members: [...new Set(Array.from({ length: Math.max(5, Math.round(totalPeople * 0.004)) }, () => personFrom(weightedOrganisation())))].map((id, k) => ({
        id,
        role: k === 0 ? "convenor" : "member",
      })),
    })),
  ];
  for (let i = 0; i < communityRows.length; i += 20) {
    created += await write(
      options,
      `
      UNWIND $rows AS row
      MERGE (c:Community {id: row.id})
      SET c.name = row.name, c.kind = row.kind, c.source = $source
      WITH c, row
      CALL (c, row) {
        UNWIND row.focusesOn AS serviceId
        MATCH (s:Service {id: serviceId})
        MERGE (c)-[:FOCUSES_ON]->(s)
      }
      CALL (c, row) {
        UNWIND row.members AS m
        MATCH (p:Person {id: m.id})
        MERGE (p)-[r:MEMBER_OF]->(c) SET r.role = m.role
      }`,
      communityRows.slice(i, i + 20),
      source,
    );
  }

  // The links' summaries, rebuilt once from everything written rather than per batch (graph/summaries.ts).
  options.onProgress?.("summaries", 0);
  await rebuildSummaries(options.driver, options.database);

  return {
    scale: options.scale,
    seed,
    people: totalPeople,
    services: services.length,
    stages: stageCount,
    communities: communityRows.length,
    created,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
