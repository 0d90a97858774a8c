/**
 * Who delivers each step of a GOV.UK step-by-step, derived from the step's links and never guessed:
 * - a link to a service's start page or live service: the stage uses that service (LINKS_TO) and the
 *   service's owners are responsible for it (lane FRONTSTAGE, derivation `service-address`);
 * - a link to an organisation's own site, by the curated table data/import/data/organisation-domains.csv
 *   (each row with its source): that organisation (derivation `organisation-domain`);
 * - a step whose owner is well known but not derivable, curated in data/import/data/step-owners.csv
 *   with its source (derivation `curated`).
 * Each responsibility carries the step-by-step's provenance (`source`, `snapshot` of the stage), the
 * link or the curated row's source as `evidence`, and `derivation`.
 *
 * The step-by-step keeps each step's links on its stage (`Stage.links`), and the derivation is worked
 * out again from the whole graph after every import that changes either side (step-by-steps, the
 * services list, portfolios), so the result does not depend on the order the sources come in.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Driver, ManagedTransaction } from "neo4j-driver";
import { parse } from "csv-parse/sync";
import { refreshSummaries } from "./summaries.js";
import { repoRoot } from "../platform/paths.js";
import { pruneLinks, toNumber, type Provenance, type QueryRunner, type WriteCounts } from "./writes.js";

export type Derivation = "service-address" | "organisation-domain" | "curated";

/** One reason to hold an organisation responsible for a stage, before the graph says who owns a service. */
export interface StageClaim {
  stage: string;
  derivation: Derivation;
  /** The step's link, or the curated row's source. */
  evidence: string;
  /** The service linked to (service-address), or the organisation named (the others). */
  service?: string;
  organisation?: string;
}

interface DomainRow {
  domain: string;
  organisation: string;
  source: string;
}

interface StepOwnerRow {
  journey: string;
  step: string;
  organisation: string;
  source: string;
}

const table = <T>(name: string): T[] => parse<T>(readFileSync(resolve(repoRoot, "data/import/data", name)), { columns: true, trim: true });
const domains = table<DomainRow>("organisation-domains.csv");
const stepOwners = table<StepOwnerRow>("step-owners.csv");

/** An address as the sources write it, in the one form they are compared in; null when it is not a web address. */
export function normaliseAddress(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address.trim(), "https://www.gov.uk");
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  return `https://${url.hostname.toLowerCase()}${url.pathname.replace(/\/+$/, "").toLowerCase()}`;
}

/** The services whose start page or live service is an address, by any of their records (not a mere GOV.UK page about one). */
export interface ServiceEntrances {
  servicesAt(address: string): string[];
}

export async function loadServiceEntrances(tx: QueryRunner): Promise<ServiceEntrances> {
  const { records } = await tx.run(
    `CALL {
       MATCH (s:Service)-[:DESCRIBED_BY]->(r:ServiceRecord) RETURN s.id AS id, r.liveService AS liveService, r.startPages AS startPages
     UNION ALL
       MATCH (s:Service) WHERE NOT (s)-[:DESCRIBED_BY]->() RETURN s.id AS id, s.liveService AS liveService, s.startPages AS startPages
     }
     RETURN id, [a IN [liveService] + coalesce(startPages, []) WHERE a IS NOT NULL] AS entrances ORDER BY id`,
  );
  const byEntrance = new Map<string, Set<string>>();
  for (const record of records)
    for (const address of record.get("entrances") as string[]) {
      const key = normaliseAddress(address);
      if (key) byEntrance.set(key, (byEntrance.get(key) ?? new Set()).add(record.get("id") as string));
    }
  return { servicesAt: (address) => [...(byEntrance.get(normaliseAddress(address) ?? "") ?? [])] };
}

/** A step's link as an absolute address: GOV.UK writes its own pages as paths. */
export const absolute = (href: string): string => (href.startsWith("/") ? `https://www.gov.uk${href}` : href);

function organisationSite(address: string): DomainRow | undefined {
  let host: string;
  try {
    host = new URL(address).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return domains.find((d) => host === d.domain || host.endsWith(`.${d.domain}`));
}

/** The source whose stages the derivation reads, and whose derived links it alone replaces. */
const stepBySteps = "step-by-step";

/** A step-by-step stage's id: the journey's own slug and the step's place in it. */
export const stageIdOf = (journey: string, step: number): string => `${journey}-step-${step}`;
const journeyOf = (stage: string): string => stage.replace(/-step-\d+$/, "");

/** The claims that need nothing but the step itself and the curated tables: its links to organisations' own sites, and the curated owner. */
export function namedClaims(journey: string, stage: string, stepTitle: string, links: string[]): StageClaim[] {
  const claims: StageClaim[] = [];
  for (const address of links.map(absolute)) {
    const site = organisationSite(address);
    if (site) claims.push({ stage, derivation: "organisation-domain", evidence: address, organisation: site.organisation });
  }
  for (const row of stepOwners)
    if (row.journey === journey && row.step === stepTitle) claims.push({ stage, derivation: "curated", evidence: row.source, organisation: row.organisation });
  return claims;
}

/** Every claim for one step: its links to services' entrances (in link order), then the named ones. */
function claimsFor(journey: string, stage: string, stepTitle: string, links: string[], services: ServiceEntrances): StageClaim[] {
  const claims: StageClaim[] = [];
  for (const address of links.map(absolute))
    for (const service of services.servicesAt(address)) claims.push({ stage, derivation: "service-address", evidence: address, service });
  return [...claims, ...namedClaims(journey, stage, stepTitle, links)];
}

/** The organisations these claims (or owners) name that are not in the graph, to report. */
export async function missingOrganisations<C extends { organisation?: string | undefined }>(tx: ManagedTransaction, claims: C[]): Promise<C[]> {
  const named = claims.filter((c) => c.organisation !== undefined);
  if (named.length === 0) return [];
  const { records } = await tx.run(`UNWIND $ids AS id MATCH (o:Organisation {id: id}) RETURN collect(o.id) AS found`, {
    ids: [...new Set(named.map((c) => c.organisation!))],
  });
  const found = new Set(records[0]?.get("found") as string[]);
  return named.filter((c) => !found.has(c.organisation!));
}

/**
 * Works out who delivers every step-by-step stage from the graph as it is now: each stage's links, the
 * services whose entrances they are, those services' owners, and the curated tables. Writes the
 * LINKS_TO and RESPONSIBLE_FOR links that follow and removes the derived ones that no longer do, so
 * the graph after any sequence of imports is the one their last state implies.
 */
export async function deriveStageResponsibilities(driver: Driver, database: string | undefined): Promise<Partial<WriteCounts>> {
  const session = driver.session({ database, defaultAccessMode: "WRITE" });
  try {
    return await session.executeWrite((tx) => deriveStageResponsibilitiesIn(tx));
  } finally {
    await session.close();
  }
}

/**
 * The same in a transaction already open, such as a mutation's that changed services' owners; with
 * `services`, only for the stages that link to those services (the only ones whose owners it changes).
 */
export async function deriveStageResponsibilitiesIn(tx: QueryRunner, services?: string[]): Promise<Partial<WriteCounts>> {
  const entrances = await loadServiceEntrances(tx);
  const { records } = await tx.run(
    `MATCH (st:Stage) WHERE st.links IS NOT NULL AND st.source STARTS WITH $maker
       AND ($services IS NULL OR EXISTS { (st)-[:LINKS_TO]->(s:Service) WHERE s.id IN $services })
     RETURN st.id AS id, st.name AS name, st.links AS links, st.source AS source, st.snapshot AS snapshot ORDER BY id`,
    { maker: `${stepBySteps}:`, services: services ?? null },
  );
  const stages = records.map((r) => {
    const id = r.get("id") as string;
    return {
      stage: id,
      provenance: { source: r.get("source") as string, snapshot: r.get("snapshot") as string | null },
      claims: claimsFor(journeyOf(id), id, r.get("name") as string, r.get("links") as string[], entrances),
    };
  });
  if (stages.length === 0) return {};
  return writeStageClaims(tx, stages);
}

/** Writes what the stages' claims make and removes the derived links they no longer make; an organisation not in the graph is left out (the step-by-step import reports it). */
async function writeStageClaims(tx: QueryRunner, stages: { stage: string; provenance: Provenance; claims: StageClaim[] }[]): Promise<Partial<WriteCounts>> {
  const rows = stages.flatMap(({ provenance, claims }) =>
    claims.map((claim) => ({ ...claim, ...provenance, service: claim.service ?? null, organisation: claim.organisation ?? null })),
  );
  // Who each claim names: a service's owners as the graph holds them now, or the organisation itself. The first claim per pair is its evidence.
  const { records } = await tx.run(
    `UNWIND range(0, size($rows) - 1) AS i
     WITH i, $rows[i] AS row
     CALL (row) {
       MATCH (o:Organisation)-[:OWNS]->(:Service {id: row.service}) RETURN o.id AS organisation
       UNION
       MATCH (o:Organisation {id: row.organisation}) RETURN o.id AS organisation
     }
     RETURN i, organisation ORDER BY i, organisation`,
    { rows },
  );
  const wanted = new Map<string, { stage: string; organisation: string; evidence: string; derivation: Derivation; source: string; snapshot: string | null }>();
  for (const record of records) {
    const row = rows[toNumber(record.get("i"))]!;
    const organisation = record.get("organisation") as string;
    const key = `${organisation}\u0000${row.stage}`;
    if (!wanted.has(key))
      wanted.set(key, { stage: row.stage, organisation, evidence: row.evidence, derivation: row.derivation, source: row.source, snapshot: row.snapshot });
  }
  const responsible = { from: "Organisation", type: "RESPONSIBLE_FOR", to: "Stage" };
  const linksTo = { from: "Stage", type: "LINKS_TO", to: "Service" };
  const targets = (pick: (stage: string) => string[]) => stages.map(({ stage }) => ({ id: stage, targets: pick(stage) }));
  let deleted = 0;
  for (const d of [
    await pruneLinks(
      tx,
      responsible,
      targets((stage) => [...wanted.values()].filter((w) => w.stage === stage).map((w) => w.organisation)),
      true,
      stepBySteps,
    ),
    await pruneLinks(
      tx,
      linksTo,
      targets((stage) => rows.filter((r) => r.stage === stage && r.service).map((r) => r.service!)),
      false,
      stepBySteps,
    ),
  ])
    deleted += d.relationshipsDeleted ?? 0;
  // A derived link takes the evidence its claims give now; a link someone else made is left as it is.
  const created = await tx.run(
    `CALL {
       UNWIND $responsibilities AS w
       MATCH (o:Organisation {id: w.organisation}), (st:Stage {id: w.stage})
       OPTIONAL MATCH (o)-[existing:RESPONSIBLE_FOR]->(st)
       MERGE (o)-[r:RESPONSIBLE_FOR]->(st)
         ON CREATE SET r.lane = 'FRONTSTAGE', r.importedAt = datetime()
       WITH existing, r, w, existing IS NULL OR coalesce(r.source STARTS WITH $maker AND r.derivation IS NOT NULL, false) AS ours
       FOREACH (_ IN CASE WHEN ours AND NOT coalesce(r.source = w.source AND coalesce(r.snapshot, '') = coalesce(w.snapshot, '') AND r.evidence = w.evidence AND r.derivation = w.derivation, false) THEN [1] ELSE [] END |
         SET r.source = w.source, r.snapshot = w.snapshot, r.evidence = w.evidence, r.derivation = w.derivation)
       RETURN count(CASE WHEN existing IS NULL THEN 1 END) AS n
     UNION ALL
       UNWIND $links AS l
       MATCH (st:Stage {id: l.stage}), (svc:Service {id: l.service})
       OPTIONAL MATCH (st)-[existing:LINKS_TO]->(svc)
       MERGE (st)-[r:LINKS_TO]->(svc)
         ON CREATE SET r.importedAt = datetime()
       FOREACH (_ IN CASE WHEN existing IS NULL OR (r.source STARTS WITH $maker AND NOT coalesce(r.href = l.evidence AND r.source = l.source AND coalesce(r.snapshot, '') = coalesce(l.snapshot, ''), false)) THEN [1] ELSE [] END |
         SET r.href = l.evidence, r.source = l.source, r.snapshot = l.snapshot)
       RETURN count(CASE WHEN existing IS NULL THEN 1 END) AS n
     }
     RETURN sum(n) AS created`,
    { responsibilities: [...wanted.values()], links: firstLinkPerService(rows), maker: `${stepBySteps}:` },
  );
  // Whoever works on these stages may now link other organisations, or no longer: their spans follow, in this transaction.
  await refreshSummaries(tx, { stages: stages.map((s) => s.stage) });
  return { relationshipsCreated: toNumber(created.records[0]?.get("created") ?? 0), relationshipsDeleted: deleted };
}

/** One LINKS_TO per stage and service, its href the first of the step's links that reaches it. */
function firstLinkPerService<R extends { stage: string; service: string | null }>(rows: R[]): R[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    if (!r.service) return false;
    const key = `${r.stage}\u0000${r.service}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
