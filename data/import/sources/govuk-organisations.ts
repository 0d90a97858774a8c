/**
 * The GOV.UK Organisations API (`/api/organisations`, every page's `results` in one array): each
 * organisation with its type, status, closing date, parents and successors.
 */
import { basename } from "node:path";
import neo4j, { type ManagedTransaction } from "neo4j-driver";
import { rebuildOrganisationHistory } from "../organisation-history.js";
import { readJsonArray } from "../read.js";
import { knownValue, organisationClosedStatuses, organisationStatuses, organisationTypes } from "../organisation-values.js";
import { check, parsing, RecordError, slugPattern } from "../parse.js";
import { replaceLinks, sumLinkResults, upsertNodes, type ImportSource, type LinkResult } from "../source.js";
import { toNumber, type Provenance, type WriteCounts } from "../../../graph/writes.js";

export interface GovukOrganisation {
  id: string;
  props: {
    name: string;
    acronym: string | null;
    type: string | null;
    status: string;
    closedStatus: string | null;
    closedAt: InstanceType<typeof neo4j.types.Date> | null;
    url: string | null;
  };
  parents: string[];
  successors: string[];
}

/** The slug at the end of a GOV.UK API or web URL. */
function slugOf(url: unknown, field: string): string {
  if (typeof url !== "string") throw new RecordError(`${field} must hold links with an id`);
  const slug = url.slice(url.lastIndexOf("/") + 1);
  if (!slugPattern.test(slug)) throw new RecordError(`${field} has an id that is not a GOV.UK slug: "${url}"`);
  return slug;
}

function slugsOf(list: unknown, field: string): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RecordError(`${field} must be a list`);
  return list.map((entry) => slugOf(check.object(entry) ? entry["id"] : undefined, field));
}

function dateOf(value: string | null, field: string): InstanceType<typeof neo4j.types.Date> | null {
  if (value === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) throw new RecordError(`${field} is not a date: "${value}"`);
  return new neo4j.types.Date(Number(match[1]), Number(match[2]), Number(match[3]));
}

export const govukOrganisationsSource: ImportSource<GovukOrganisation> = {
  name: "govuk-organisations",
  description: "GOV.UK Organisations API JSON: organisations, their parents (several allowed), successors, status and closing date",
  records: (file) => readJsonArray(file),
  snapshotOf: (file) => /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1] ?? null,

  parse: (raw) =>
    parsing(() => {
      if (!check.object(raw)) throw new RecordError("the record is not an object");
      const details = raw["details"];
      if (!check.object(details)) throw new RecordError("details is missing");
      const id = check.text(details, "slug", { required: true })!;
      if (!slugPattern.test(id)) throw new RecordError(`details.slug is not a GOV.UK slug: "${id}"`);
      // GOV.UK adds values now and then (2023 had the status "devolved"): one it has not used before is reported, not stored.
      const status = knownValue(check.text(details, "govuk_status", { required: true })!, "details.govuk_status", organisationStatuses);
      const type = check.text(raw, "format", { max: 100 });
      const closedStatus = check.text(details, "govuk_closed_status", { max: 100 });
      const name = check.text(raw, "title", { required: true, max: 300 })!; // some titles end with a space: trimmed
      const abbreviation = check.text(details, "abbreviation", { max: 50 });
      return {
        id,
        props: {
          name,
          // GOV.UK gives the name itself as the abbreviation of some (Companies House, BBC): that is no acronym.
          acronym: abbreviation && abbreviation.toLowerCase() !== name.toLowerCase() ? abbreviation : null,
          type: type === null ? null : knownValue(type, "format", organisationTypes),
          status,
          closedStatus: closedStatus === null ? null : knownValue(closedStatus, "details.govuk_closed_status", organisationClosedStatuses),
          closedAt: dateOf(check.text(details, "closed_at"), "details.closed_at"),
          url: check.text(raw, "web_url", { max: 500 }),
        },
        parents: slugsOf(raw["parent_organisations"], "parent_organisations"),
        successors: slugsOf(raw["superseding_organisations"], "superseding_organisations"),
      };
    }),

  keyOf: (organisation) => `organisation "${organisation.id}"`,
  writeNodes: (tx, batch, provenance) => (provenance.snapshot === null ? upsertNodes(tx, "Organisation", batch, provenance) : observe(tx, batch, provenance)),

  async writeLinks(tx, batch, provenance) {
    if (provenance.snapshot !== null) return { counts: {}, rejected: await missingTargets(tx, batch) };
    const links: LinkResult[] = [];
    for (const [type, field] of [
      ["PART_OF", "parents"],
      ["SUPERSEDED_BY", "successors"],
    ] as const) {
      const nodes = batch.map((o, index) => ({ index, id: o.id, targets: o[field] }));
      links.push(await replaceLinks(tx, { from: "Organisation", type, to: "Organisation" }, nodes, provenance));
    }
    return sumLinkResults(...links);
  },

  finish: (driver, database, files) => rebuildOrganisationHistory(driver, database, files.filter((f) => f.snapshot !== null).map(datasetOf)),
};

/**
 * Records what a dated snapshot says of each organisation, as `(:Organisation)-[:SEEN_IN]->(:Snapshot)`;
 * the history is rebuilt from these once the file is in (data/import/organisation-history.ts). A
 * snapshot's dataset is its file name without the date: the series whose absences end a fact.
 */
/** A dated file's dataset: its name without the date. */
const datasetOf = (provenance: Provenance) => fileOf(provenance).replace(provenance.snapshot ?? "", "");
const fileOf = (provenance: Provenance) => provenance.source.slice(provenance.source.indexOf(":") + 1);

async function observe(tx: ManagedTransaction, batch: GovukOrganisation[], provenance: Provenance): Promise<Partial<WriteCounts>> {
  const file = fileOf(provenance);
  const result = await tx.run(
    `MERGE (snapshot:Snapshot {id: $source})
       ON CREATE SET snapshot.source = 'govuk-organisations', snapshot.file = $file, snapshot.dataset = $dataset,
                     snapshot.date = date($snapshot), snapshot.importedAt = datetime()
     WITH snapshot
     UNWIND $rows AS row
     OPTIONAL MATCH (existing:Organisation {id: row.id})
     OPTIONAL MATCH (existing)-[seen:SEEN_IN]->(snapshot)
     WITH snapshot, row, existing, seen, apoc.map.merge(row.props, {parents: row.parents, successors: row.successors}) AS observed
     WITH snapshot, row, observed,
          CASE
            WHEN existing IS NULL THEN 'created'
            WHEN seen IS NOT NULL AND all(key IN keys(observed) WHERE seen[key] = observed[key] OR (seen[key] IS NULL AND observed[key] IS NULL)) THEN 'unchanged'
            ELSE 'updated'
          END AS outcome
     MERGE (o:Organisation {id: row.id})
       ON CREATE SET o += row.props, o.source = $source, o.snapshot = $snapshot, o.importedAt = datetime()
     MERGE (o)-[s:SEEN_IN]->(snapshot)
     FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END | SET s = observed, s.importedAt = datetime())
     RETURN outcome, count(*) AS n`,
    { rows: batch, ...provenance, file, dataset: datasetOf(provenance) },
  );
  const counts: Partial<WriteCounts> = {};
  for (const record of result.records) counts[record.get("outcome") as "created" | "updated" | "unchanged"] = toNumber(record.get("n"));
  return counts;
}

/** Parents and successors a record names that no snapshot holds: reported, never invented. */
async function missingTargets(tx: ManagedTransaction, batch: GovukOrganisation[]): Promise<LinkResult["rejected"]> {
  const links = batch.flatMap((o, index) => [
    ...o.parents.map((to) => ({ index, type: "PART_OF", to })),
    ...o.successors.map((to) => ({ index, type: "SUPERSEDED_BY", to })),
  ]);
  const result = await tx.run(
    `UNWIND $links AS link
     WITH link WHERE NOT EXISTS { MATCH (:Organisation {id: link.to}) }
     RETURN link.index AS index, link.type AS type, link.to AS to`,
    { links },
  );
  return result.records.map((r) => ({
    index: toNumber(r.get("index")),
    reason: `${r.get("type") as string}: Organisation "${r.get("to") as string}" does not exist`,
  }));
}
