/**
 * One service, one node, and each source's own facts kept beside it (docs/adr/0009-one-service-one-node.md).
 *
 * Every source that describes services (the services list, the DWP and Defra portfolios, the
 * step-by-steps) writes one `(:ServiceRecord)` per service it describes, holding only what that source
 * says (name, description, phase, theme, addresses, owners…) with its provenance. Which records are one
 * service, and what the service shows, is then worked out from all the records in the graph
 * (settleServices), never from the order they came in:
 * 1. records are taken in a fixed order: by source (the services list, then the portfolios, then the
 *    step-by-steps), then by the source's own id;
 * 2. a record is the service of an earlier record of another source when one of its addresses (start
 *    page, live service, GOV.UK page) is one of that service's records' addresses, compared as
 *    `https://host/path` in lower case; otherwise when its name or a synonym is one of theirs,
 *    normalised as organisation names are; never two records of one source in one service;
 * 3. the service's id is its first record's own id; each value shown is the first record's that gives one;
 *    its owners are every record's owners, each OWNS link naming the sources that give it.
 * A service made by hand or through the API (no record) is no source's: never matched, never written.
 */
import type { ManagedTransaction, QueryResult } from "neo4j-driver";
import { normaliseName } from "./organisation-names.js";
import { normaliseAddress } from "../../graph/stage-responsibility.js";
import { toNumber, type Provenance, type WriteCounts } from "../../graph/writes.js";

/** The sources that describe services, in the order their records count: the first gives a service its id and values. */
export const serviceSourcePrecedence = ["govuk-services-list", "service-portfolio", "step-by-step"] as const;
export type ServiceSourceName = (typeof serviceSourcePrecedence)[number];

/** The values a record may hold, and a service show: each the first record's that gives it. */
export const serviceValueKeys = ["name", "synonyms", "description", "phase", "phaseHistory", "url", "liveService", "startPages", "tags", "listedAs"] as const;

const rank = (sourceName: string): number => {
  const i = (serviceSourcePrecedence as readonly string[]).indexOf(sourceName);
  return i === -1 ? serviceSourcePrecedence.length : i;
};

const recordValueKeys = [...serviceValueKeys, "theme", "themeAsWritten"];

/** What one source says of one service. */
export interface ServiceRecordRow {
  /** The id the source gives it (the list's file name, the step-by-step's slug…): the service's id when this record comes first. */
  ownId: string;
  /** Its values (serviceValueKeys, `theme` and `themeAsWritten`), null where the source says nothing. */
  values: Record<string, unknown>;
  /** The organisations it names as owners, by GOV.UK slug. */
  owners: string[];
}

/** A record's id: the source's own id for the service and the source's name. */
export const serviceRecordId = (sourceName: string, ownId: string): string => `${ownId}@${sourceName}`;

/**
 * Creates or updates a batch's records, then settles the services they belong to. A record's
 * properties and provenance are written only when something changed, so importing the same data
 * twice changes nothing. Counts are of records.
 */
export async function writeServiceRecords(
  tx: ManagedTransaction,
  sourceName: ServiceSourceName,
  rows: ServiceRecordRow[],
  provenance: Provenance,
): Promise<Partial<WriteCounts>> {
  const records = rows.map((row) => ({
    id: serviceRecordId(sourceName, row.ownId),
    props: {
      ...Object.fromEntries(recordValueKeys.map((key) => [key, row.values[key] ?? null])),
      ownId: row.ownId,
      sourceName,
      precedence: rank(sourceName) + 1,
      ownerIds: [...new Set(row.owners)].sort(),
    },
  }));
  const result = await tx.run(
    `UNWIND $records AS row
     OPTIONAL MATCH (existing:ServiceRecord {id: row.id})
     WITH row, existing,
          CASE
            WHEN existing IS NULL THEN 'created'
            WHEN existing.source = $source AND coalesce(existing.snapshot, '') = coalesce($snapshot, '')
              AND all(key IN keys(row.props) WHERE existing[key] = row.props[key] OR (existing[key] IS NULL AND row.props[key] IS NULL)) THEN 'unchanged'
            ELSE 'updated'
          END AS outcome
     MERGE (record:ServiceRecord {id: row.id})
     FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
       SET record += row.props, record.source = $source, record.snapshot = $snapshot, record.importedAt = datetime())
     RETURN outcome, count(*) AS n`,
    { records, ...provenance },
  );
  const counts: Partial<WriteCounts> = {};
  for (const record of result.records) counts[record.get("outcome") as "created" | "updated" | "unchanged"] = toNumber(record.get("n"));
  const settled = await settleServices(tx, new Set(records.map((r) => r.id)));
  return { ...counts, ...settled };
}

/** The ids of the services a source's records now belong to, by the source's own ids. */
export async function serviceIdsOf(tx: ManagedTransaction, sourceName: ServiceSourceName, ownIds: string[]): Promise<Map<string, string>> {
  const { records } = await tx.run(`UNWIND $ids AS id MATCH (s:Service)-[:DESCRIBED_BY]->(:ServiceRecord {id: id}) RETURN id, s.id AS service`, {
    ids: ownIds.map((id) => serviceRecordId(sourceName, id)),
  });
  const byRecord = new Map(records.map((r) => [r.get("id") as string, r.get("service") as string]));
  return new Map(ownIds.flatMap((id) => (byRecord.has(serviceRecordId(sourceName, id)) ? [[id, byRecord.get(serviceRecordId(sourceName, id))!]] : [])));
}

interface StoredRecord {
  id: string;
  sourceName: string;
  ownId: string;
  props: Record<string, unknown>;
  /** The service it belongs to now; null for a record not yet placed, or whose service was deleted. */
  service: string | null;
}

interface Group {
  id: string;
  records: StoredRecord[];
  sources: Set<string>;
}

const byPrecedence = (a: StoredRecord, b: StoredRecord): number =>
  rank(a.sourceName) - rank(b.sourceName) || a.sourceName.localeCompare(b.sourceName) || a.ownId.localeCompare(b.ownId);

const texts = (value: unknown): string[] => (Array.isArray(value) ? (value as unknown[]) : [value]).filter((v): v is string => typeof v === "string");
const addressesOf = (props: Record<string, unknown>): string[] =>
  [...texts(props["url"]), ...texts(props["liveService"]), ...texts(props["startPages"])].flatMap((a) => normaliseAddress(a) ?? []);
const namesOf = (props: Record<string, unknown>): string[] => [...texts(props["name"]), ...texts(props["synonyms"])].map(normaliseName);

/** Rule 2 over every record, in the order of rule 1: which records are one service, and its id (rule 3). */
function groupRecords(records: StoredRecord[], reserved: Set<string>): Group[] {
  const groups: Group[] = [];
  const byAddress = new Map<string, Group[]>();
  const byName = new Map<string, Group[]>();
  const index = (map: Map<string, Group[]>, keys: string[], group: Group) => {
    for (const key of keys) if (!map.get(key)?.includes(group)) map.set(key, [...(map.get(key) ?? []), group]);
  };
  const first = (map: Map<string, Group[]>, keys: string[], sourceName: string) =>
    keys
      .flatMap((key) => map.get(key) ?? [])
      .filter((g) => !g.sources.has(sourceName))
      .sort((a, b) => groups.indexOf(a) - groups.indexOf(b))[0];
  const used = new Set(reserved);
  for (const record of [...records].sort(byPrecedence)) {
    const [addresses, names] = [addressesOf(record.props), namesOf(record.props)];
    let group = first(byAddress, addresses, record.sourceName) ?? first(byName, names, record.sourceName);
    if (!group) {
      // Two sources may use one id for different services, and a service made by hand keeps its own.
      const id = used.has(record.ownId) ? `${record.ownId}-${record.sourceName}` : record.ownId;
      used.add(id);
      group = { id, records: [], sources: new Set() };
      groups.push(group);
    }
    group.records.push(record);
    group.sources.add(record.sourceName);
    index(byAddress, addresses, group);
    index(byName, names, group);
  }
  return groups;
}

/** What a service shows, by rule 3: each value from the first record that gives it, the theme with its spelling as written. */
function shownValues(group: Group): Record<string, unknown> {
  const given = (value: unknown) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
  const values: Record<string, unknown> = {};
  for (const key of serviceValueKeys) {
    const from = group.records.find((r) => given(r.props[key])) ?? group.records.find((r) => r.props[key] !== undefined && r.props[key] !== null);
    values[key] = from?.props[key] ?? null;
  }
  const themed = group.records.find((r) => given(r.props["theme"]));
  values["theme"] = themed?.props["theme"] ?? null;
  values["themeAsWritten"] = themed?.props["themeAsWritten"] ?? null;
  const [head] = group.records;
  return { ...values, source: head!.props["source"], snapshot: head!.props["snapshot"] ?? null, sources: group.records.map((r) => r.props["source"]) };
}

/** The owners a service's records name, each with the sources that name it, the first of them as its `source`. */
function ownersOf(group: Group): { organisation: string; source: string; snapshot: string | null; sources: string[] }[] {
  const owners = new Map<string, StoredRecord[]>();
  for (const record of group.records) for (const id of texts(record.props["ownerIds"])) owners.set(id, [...(owners.get(id) ?? []), record]);
  return [...owners].map(([organisation, records]) => ({
    organisation,
    source: records[0]!.props["source"] as string,
    snapshot: (records[0]!.props["snapshot"] as string | null) ?? null,
    sources: records.map((r) => r.props["source"] as string),
  }));
}

const count = (result: QueryResult, key: string): number => toNumber(result.records[0]?.get(key) ?? 0);

/**
 * Places every record by the rules above and makes the graph agree: a record not yet placed goes to its
 * service's node (made if need be); nodes whose records are now one service are merged into one,
 * with all their links; a record that is no longer its node's service moves to its own, taking the
 * links its source made there when no other record of that source stays. Then every service a
 * `touched` record (or a move) concerns shows its records' values and owners. A record whose service
 * was deleted is left out until its source describes it again.
 */
export async function settleServices(tx: ManagedTransaction, touched: Set<string>): Promise<Partial<WriteCounts>> {
  const read = await tx.run(
    `CALL {
       MATCH (r:ServiceRecord)
       OPTIONAL MATCH (s:Service)-[:DESCRIBED_BY]->(r)
       RETURN r.id AS id, r.sourceName AS sourceName, r.ownId AS ownId, properties(r) AS props, s.id AS service, false AS handMade
     UNION ALL
       MATCH (s:Service) WHERE s.source IS NULL AND NOT (s)-[:DESCRIBED_BY]->()
       RETURN null AS id, null AS sourceName, s.id AS ownId, null AS props, s.id AS service, true AS handMade
     }
     RETURN id, sourceName, ownId, props, service, handMade`,
  );
  const reserved = new Set<string>();
  const records: StoredRecord[] = [];
  for (const r of read.records) {
    if (r.get("handMade")) reserved.add(r.get("ownId") as string);
    else if (r.get("service") !== null || touched.has(r.get("id") as string))
      records.push({
        id: r.get("id") as string,
        sourceName: r.get("sourceName") as string,
        ownId: r.get("ownId") as string,
        props: r.get("props") as Record<string, unknown>,
        service: r.get("service") as string | null,
      });
  }
  const groups = groupRecords(records, reserved);
  const groupOf = new Map(groups.flatMap((g) => g.records.map((r) => [r.id, g] as const)));
  const affected = new Set(groups.filter((g) => g.records.some((r) => touched.has(r.id))));
  let relationshipsCreated = 0;
  let relationshipsDeleted = 0;

  // Nodes whose records now belong elsewhere, in the records' order so that the outcome is the same whatever was there.
  const byNode = new Map<string, StoredRecord[]>();
  for (const record of [...records].sort(byPrecedence))
    if (record.service !== null && record.service !== groupOf.get(record.id)!.id) byNode.set(record.service, [...(byNode.get(record.service) ?? []), record]);
  for (const [node, leaving] of byNode) {
    const all = records.filter((r) => r.service === node).sort(byPrecedence);
    const staying = all.filter((r) => groupOf.get(r.id)!.id === node);
    // With no record left, the node is the service of its first record, and goes into it whole.
    const whole = staying.length === 0 ? groupOf.get(all[0]!.id)! : undefined;
    for (const group of new Set(leaving.map((r) => groupOf.get(r.id)!))) {
      affected.add(group);
      if (group === whole) continue;
      const moving = leaving.filter((r) => groupOf.get(r.id) === group);
      const remaining = all.filter((r) => !moving.includes(r) && (whole === undefined ? staying.includes(r) : groupOf.get(r.id) === whole));
      const sources = [...new Set(moving.map((r) => r.sourceName))].filter((s) => !remaining.some((r) => r.sourceName === s));
      await tx.run(
        `MATCH (from:Service {id: $node})
         MERGE (to:Service {id: $to})
         WITH from, to
         CALL (from, to) {
           MATCH (from)-[d:DESCRIBED_BY]->(r:ServiceRecord) WHERE r.id IN $records
           DELETE d MERGE (to)-[:DESCRIBED_BY]->(r)
         }
         CALL (from, to) {
           MATCH (from)-[l]-() WHERE type(l) <> 'DESCRIBED_BY' AND any(s IN $sources WHERE l.source STARTS WITH s + ':')
           CALL (l, from, to) {
             WITH l WHERE startNode(l) = from CALL apoc.refactor.from(l, to) YIELD output RETURN output
             UNION
             WITH l WHERE endNode(l) = from CALL apoc.refactor.to(l, to) YIELD output RETURN output
           }
           RETURN count(*) AS moved
         }
         RETURN moved`,
        { node, to: group.id, records: moving.map((r) => r.id), sources },
      );
      for (const r of moving) r.service = group.id;
    }
    if (whole) {
      affected.add(whole);
      // Into the node that already has the id, or renamed to it: its links, the API's too, go with it.
      await tx.run(
        `MATCH (from:Service {id: $node})
         OPTIONAL MATCH (to:Service {id: $to})
         CALL (from, to) {
           WITH from, to WHERE to IS NULL
           SET from.id = $to
         }
         CALL (from, to) {
           WITH from, to WHERE to IS NOT NULL
           CALL apoc.refactor.mergeNodes([to, from], {properties: 'discard', mergeRels: true}) YIELD node
           RETURN count(node) AS merged
         }
         RETURN 1`,
        { node, to: whole.id },
      );
      for (const r of all) if (r.service === node) r.service = whole.id;
    }
  }

  const settled = [...affected];
  if (settled.length === 0) return {};
  // Records not yet placed, placed; then what each affected service shows, and its owners.
  await tx.run(
    `UNWIND $placements AS p
     MATCH (r:ServiceRecord {id: p.record})
     MERGE (s:Service {id: p.service})
     MERGE (s)-[:DESCRIBED_BY]->(r)`,
    { placements: settled.flatMap((g) => g.records.filter((r) => r.service === null).map((r) => ({ record: r.id, service: g.id }))) },
  );
  const services = settled.map((g) => ({ id: g.id, props: shownValues(g), owners: ownersOf(g) }));
  await tx.run(
    `UNWIND $services AS row
     MATCH (s:Service {id: row.id})
     WITH s, row WHERE NOT all(key IN keys(row.props) WHERE coalesce(s[key] = row.props[key], s[key] IS NULL AND row.props[key] IS NULL))
     SET s += row.props, s.importedAt = datetime()`,
    { services },
  );
  // An OWNS link some import made follows the records; one made by hand or through the API (no source) is left as it is.
  const owners = await tx.run(
    `UNWIND $services AS row
     MATCH (s:Service {id: row.id})
     CALL (s, row) {
       MATCH (o:Organisation)-[r:OWNS]->(s) WHERE r.source IS NOT NULL AND NOT o.id IN [w IN row.owners | w.organisation]
       DELETE r
       RETURN count(*) AS deleted
     }
     CALL (s, row) {
       UNWIND row.owners AS w
       MATCH (o:Organisation {id: w.organisation})
       OPTIONAL MATCH (o)-[existing:OWNS]->(s)
       MERGE (o)-[r:OWNS]->(s)
         ON CREATE SET r.source = w.source, r.importedAt = datetime()
       WITH existing, r, w WHERE r.source IS NOT NULL
       FOREACH (_ IN CASE WHEN existing IS NULL OR r.source <> w.source OR coalesce(r.snapshot, '') <> coalesce(w.snapshot, '') OR coalesce(r.sources, []) <> w.sources THEN [1] ELSE [] END |
         SET r.source = w.source, r.snapshot = w.snapshot, r.sources = w.sources, r.importedAt = datetime())
       RETURN count(CASE WHEN existing IS NULL THEN 1 END) AS created
     }
     RETURN sum(deleted) AS deleted, sum(created) AS created`,
    { services },
  );
  relationshipsCreated += count(owners, "created");
  relationshipsDeleted += count(owners, "deleted");
  return { relationshipsCreated, relationshipsDeleted };
}
