/**
 * One service, one node: the services list, the DWP and Defra portfolios and the step-by-steps each
 * describe services, often the same ones. Every source that writes a Service resolves its id here.
 *
 * The rule (docs/adr/0009-one-service-one-node.md):
 * 1. a source keeps the node it made itself (its own id, created by it): reruns are stable;
 * 2. otherwise a record is the service of another source when one of its addresses (start page, live
 *    service, GOV.UK page) is one of that service's, after normalising (https, no query, fragment or
 *    trailing slash, lower case);
 * 3. otherwise when its name, or one of its synonyms, is that service's name or synonym, normalised
 *    as organisation names are (case, "&", punctuation, a leading "The");
 * 4. otherwise it is a new service with the source's own id.
 * On a node another source made, a source fills only the properties still empty and adds itself to
 * `sources`; the maker's values stay, and every source's links carry their own provenance.
 */
import type { Driver, ManagedTransaction } from "neo4j-driver";
import { normaliseName } from "./organisation-names.js";
import { replaceLinks, toNumber, type LinkResult, type NodeLinks, type NodeRow, type Provenance, type WriteCounts } from "./source.js";

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

/** What a record offers to be recognised by. */
export interface ServiceKeys {
  names: string[];
  addresses: string[];
}

export interface ServiceIndex {
  /** The id a record of `source` should write to, given the id it would make itself. */
  resolve(source: string, ownId: string, keys: ServiceKeys): string;
  /** The services whose start page or live service is this address (not a mere GOV.UK page about one). */
  servicesAt(address: string): string[];
}

interface Known {
  id: string;
  /** The source that made the node: the part of its `source` before the colon; null for one made by hand or through the API. */
  maker: string | null;
}

const sourceNameOf = (source: string | null): string | null => (source ? source.split(":")[0]! : null);

export async function loadServiceIndex(driver: Driver, database: string | undefined): Promise<ServiceIndex> {
  const { records } = await driver.executeQuery(
    `MATCH (s:Service)
     RETURN s.id AS id, s.source AS source, [s.name] + coalesce(s.synonyms, []) AS names,
            [a IN [s.url, s.liveService] + coalesce(s.startPages, []) WHERE a IS NOT NULL] AS addresses,
            [a IN [s.liveService] + coalesce(s.startPages, []) WHERE a IS NOT NULL] AS entrances
     ORDER BY s.id`,
    {},
    { database, routing: "READ" },
  );
  const byId = new Map<string, Known>();
  const byAddress = new Map<string, Known[]>();
  const byName = new Map<string, Known[]>();
  const byEntrance = new Map<string, Set<string>>();
  const add = (map: Map<string, Known[]>, key: string | null, known: Known) => {
    if (key) map.set(key, [...(map.get(key) ?? []), known]);
  };
  for (const record of records) {
    const known = { id: record.get("id") as string, maker: sourceNameOf(record.get("source") as string | null) };
    byId.set(known.id, known);
    for (const address of record.get("addresses") as string[]) add(byAddress, normaliseAddress(address), known);
    for (const name of record.get("names") as string[]) add(byName, normaliseName(name), known);
    for (const address of record.get("entrances") as string[]) {
      const key = normaliseAddress(address);
      if (key) byEntrance.set(key, (byEntrance.get(key) ?? new Set()).add(known.id));
    }
  }
  return {
    resolve(source, ownId, keys) {
      if (byId.get(ownId)?.maker === source) return ownId;
      const other = (found: Known[] | undefined) => found?.find((k) => k.maker !== source)?.id;
      for (const address of keys.addresses) {
        const id = other(byAddress.get(normaliseAddress(address) ?? ""));
        if (id) return id;
      }
      for (const name of keys.names) {
        const id = other(byName.get(normaliseName(name)));
        if (id) return id;
      }
      return ownId;
    },
    servicesAt: (address) => [...(byEntrance.get(normaliseAddress(address) ?? "") ?? [])],
  };
}

/**
 * Creates or updates Service nodes as upsertNodes does, with the rule above for a node another source
 * made: only its empty properties are filled, and the source is added to `sources`.
 */
export async function upsertServices(tx: ManagedTransaction, rows: NodeRow[], provenance: Provenance): Promise<Partial<WriteCounts>> {
  const result = await tx.run(
    `UNWIND $rows AS row
     OPTIONAL MATCH (existing:Service {id: row.id})
     WITH row, existing, existing IS NOT NULL AND (existing.source IS NULL OR NOT existing.source STARTS WITH $maker) AS foreign
     WITH row, existing, foreign,
          CASE WHEN foreign
            // The spelling a source gave its theme goes with that theme: never beside another source's.
            THEN apoc.map.fromPairs([key IN keys(row.props) WHERE existing[key] IS NULL AND row.props[key] IS NOT NULL
                                       AND NOT (key = 'themeAsWritten' AND existing.theme IS NOT NULL) | [key, row.props[key]]])
            ELSE row.props
          END AS props
     WITH row, foreign, props,
          CASE
            WHEN existing IS NULL THEN 'created'
            WHEN $source IN coalesce(existing.sources, [])
              AND all(key IN keys(props) WHERE existing[key] = props[key] OR (existing[key] IS NULL AND props[key] IS NULL)) THEN 'unchanged'
            ELSE 'updated'
          END AS outcome
     MERGE (node:Service {id: row.id})
     FOREACH (_ IN CASE WHEN outcome <> 'unchanged' AND NOT foreign THEN [1] ELSE [] END |
       SET node.source = $source, node.snapshot = $snapshot, node.importedAt = datetime())
     FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
       SET node += props,
           node.sources = CASE WHEN $source IN coalesce(node.sources, []) THEN node.sources ELSE coalesce(node.sources, []) + $source END)
     RETURN outcome, count(*) AS n`,
    { rows, ...provenance, maker: `${sourceNameOf(provenance.source)}:` },
  );
  const counts: Partial<WriteCounts> = {};
  for (const record of result.records) counts[record.get("outcome") as "created" | "updated" | "unchanged"] = toNumber(record.get("n"));
  return counts;
}

/**
 * Makes a batch's services owned by the organisations the source names now: an owner it no longer
 * names loses its OWNS link, and the owners other sources named keep theirs.
 */
export function replaceOwners(tx: ManagedTransaction, owners: NodeLinks[], provenance: Provenance, sourceName: string): Promise<LinkResult> {
  return replaceLinks(tx, { from: "Organisation", type: "OWNS", to: "Service" }, owners, provenance, { incoming: true, madeBy: sourceName });
}
