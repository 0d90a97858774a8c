/**
 * Who delivers each step of a GOV.UK step-by-step, derived from the step's links and never guessed:
 * - a link to a service's start page or live service: the stage uses that service (LINKS_TO) and the
 *   service's owners are responsible for it (lane FRONTSTAGE, derivation `service-address`);
 * - a link to an organisation's own site, by the curated table data/import/data/organisation-domains.csv
 *   (each row with its source): that organisation (derivation `organisation-domain`);
 * - a step whose owner is well known but not derivable, curated in data/import/data/step-owners.csv
 *   with its source (derivation `curated`).
 * Each responsibility carries the step-by-step's provenance (`source`, `snapshot`), the link or the
 * curated row's source as `evidence`, and `derivation`; the import prunes only those it made.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ManagedTransaction } from "neo4j-driver";
import { parse } from "csv-parse/sync";
import type { ServiceIndex } from "./service-identity.js";
import { pruneLinks, toNumber, type LinkResult, type Provenance, type WriteCounts } from "./source.js";

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

const table = <T>(name: string): T[] => parse<T>(readFileSync(resolve(import.meta.dirname, "data", name)), { columns: true, trim: true });
const domains = table<DomainRow>("organisation-domains.csv");
const stepOwners = table<StepOwnerRow>("step-owners.csv");

/** A step's link as an absolute address: GOV.UK writes its own pages as paths. */
const absolute = (href: string): string => (href.startsWith("/") ? `https://www.gov.uk${href}` : href);

function organisationSite(address: string): DomainRow | undefined {
  let host: string;
  try {
    host = new URL(address).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return domains.find((d) => host === d.domain || host.endsWith(`.${d.domain}`));
}

/** The claims one step's links and the curated table make for its stage. */
export function claimsFor(journey: string, stage: string, stepTitle: string, links: string[], services: ServiceIndex): StageClaim[] {
  const claims: StageClaim[] = [];
  for (const href of links) {
    const address = absolute(href);
    for (const service of services.servicesAt(address)) claims.push({ stage, derivation: "service-address", evidence: address, service });
    const site = organisationSite(address);
    if (site) claims.push({ stage, derivation: "organisation-domain", evidence: address, organisation: site.organisation });
  }
  for (const row of stepOwners)
    if (row.journey === journey && row.step === stepTitle) claims.push({ stage, derivation: "curated", evidence: row.source, organisation: row.organisation });
  return claims;
}

/**
 * Writes the LINKS_TO and RESPONSIBLE_FOR links the claims of a batch's stages make, and removes those
 * this source made earlier that its claims no longer make. An organisation named in a table that is
 * not in the graph is reported.
 */
export async function writeStageClaims(
  tx: ManagedTransaction,
  stages: { index: number; stage: string; claims: StageClaim[] }[],
  provenance: Provenance,
  sourceName: string,
): Promise<LinkResult> {
  const counts: Partial<WriteCounts> = { relationshipsCreated: 0, relationshipsDeleted: 0 };
  const rejected: LinkResult["rejected"] = [];
  const rows = stages.flatMap(({ index, claims }) =>
    claims.map((claim) => ({ index, ...claim, service: claim.service ?? null, organisation: claim.organisation ?? null })),
  );
  // Who each claim names: a service's owners as the graph holds them now, or the organisation itself. The first claim per pair is its evidence.
  const { records } = await tx.run(
    `UNWIND range(0, size($rows) - 1) AS i
     WITH i, $rows[i] AS row
     CALL (row) {
       MATCH (o:Organisation)-[:OWNS]->(:Service {id: row.service}) RETURN o.id AS organisation
       UNION
       OPTIONAL MATCH (o:Organisation {id: row.organisation}) WITH o WHERE row.organisation IS NOT NULL RETURN coalesce(o.id, '') AS organisation
     }
     RETURN i, organisation ORDER BY i`,
    { rows },
  );
  const wanted = new Map<string, { stage: string; organisation: string; evidence: string; derivation: Derivation }>();
  for (const record of records) {
    const row = rows[toNumber(record.get("i"))]!;
    const organisation = record.get("organisation") as string;
    if (organisation === "") {
      rejected.push({
        index: row.index,
        reason: `RESPONSIBLE_FOR: Organisation "${row.organisation}" does not exist (from ${row.derivation} ${row.evidence})`,
      });
      continue;
    }
    const key = `${organisation}\u0000${row.stage}`;
    if (!wanted.has(key)) wanted.set(key, { stage: row.stage, organisation, evidence: row.evidence, derivation: row.derivation });
  }
  const responsible = { from: "Organisation", type: "RESPONSIBLE_FOR", to: "Stage" };
  const linksTo = { from: "Stage", type: "LINKS_TO", to: "Service" };
  const targets = (pick: (stage: string) => string[]) => stages.map(({ stage }) => ({ id: stage, targets: pick(stage) }));
  const deleted = [
    await pruneLinks(
      tx,
      responsible,
      targets((stage) => [...wanted.values()].filter((w) => w.stage === stage).map((w) => w.organisation)),
      true,
      sourceName,
    ),
    await pruneLinks(
      tx,
      linksTo,
      targets((stage) => rows.filter((r) => r.stage === stage && r.service).map((r) => r.service!)),
      false,
      sourceName,
    ),
  ];
  for (const d of deleted) counts.relationshipsDeleted! += d.relationshipsDeleted ?? 0;
  const created = await tx.run(
    `CALL {
       UNWIND $responsibilities AS w
       MATCH (o:Organisation {id: w.organisation}), (st:Stage {id: w.stage})
       OPTIONAL MATCH (o)-[existing:RESPONSIBLE_FOR]->(st)
       MERGE (o)-[r:RESPONSIBLE_FOR]->(st)
         ON CREATE SET r.lane = 'FRONTSTAGE', r.source = $source, r.snapshot = $snapshot, r.importedAt = datetime(),
                       r.evidence = w.evidence, r.derivation = w.derivation
       RETURN count(CASE WHEN existing IS NULL THEN 1 END) AS n
     UNION ALL
       UNWIND $links AS l
       MATCH (st:Stage {id: l.stage}), (svc:Service {id: l.service})
       OPTIONAL MATCH (st)-[existing:LINKS_TO]->(svc)
       MERGE (st)-[r:LINKS_TO]->(svc)
         ON CREATE SET r.href = l.evidence, r.source = $source, r.snapshot = $snapshot, r.importedAt = datetime()
       RETURN count(CASE WHEN existing IS NULL THEN 1 END) AS n
     }
     RETURN sum(n) AS created`,
    { responsibilities: [...wanted.values()], links: rows.filter((r) => r.service), ...provenance },
  );
  counts.relationshipsCreated! += toNumber(created.records[0]?.get("created") ?? 0);
  return { counts, rejected };
}
