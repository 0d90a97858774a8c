/**
 * The GOV.UK Organisations API (`/api/organisations`, every page's `results` in one array): each
 * organisation with its type, status, closing date, parents and successors.
 */
import { basename } from "node:path";
import neo4j from "neo4j-driver";
import { readJsonArray } from "../read.js";
import {
  check,
  mergeLinks,
  parsing,
  pruneLinks,
  RecordError,
  slugPattern,
  upsertNodes,
  type ImportSource,
  type Link,
  type WriteCounts,
  addCounts,
  type LinkResult,
} from "../source.js";

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
      const status = check.text(details, "govuk_status", { required: true })!;
      // GOV.UK adds statuses now and then (2023 had "devolved"): check the shape, not a fixed list.
      if (!/^[a-z_]+$/.test(status)) throw new RecordError(`details.govuk_status is not a status word: "${status}"`);
      return {
        id,
        props: {
          name: check.text(raw, "title", { required: true, max: 300 })!, // some titles end with a space: trimmed
          acronym: check.text(details, "abbreviation", { max: 50 }),
          type: check.text(raw, "format", { max: 100 }),
          status,
          closedStatus: check.text(details, "govuk_closed_status", { max: 100 }),
          closedAt: dateOf(check.text(details, "closed_at"), "details.closed_at"),
          url: check.text(raw, "web_url", { max: 500 }),
        },
        parents: slugsOf(raw["parent_organisations"], "parent_organisations"),
        successors: slugsOf(raw["superseding_organisations"], "superseding_organisations"),
      };
    }),

  keyOf: (organisation) => `organisation "${organisation.id}"`,
  writeNodes: (tx, batch, provenance) => upsertNodes(tx, "Organisation", batch, provenance),

  async writeLinks(tx, batch, provenance) {
    const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0, relationshipsCreated: 0, relationshipsDeleted: 0 };
    const rejected: LinkResult["rejected"] = [];
    for (const [type, field] of [
      ["PART_OF", "parents"],
      ["SUPERSEDED_BY", "successors"],
    ] as const) {
      const shape = { from: "Organisation", type, to: "Organisation" };
      addCounts(
        counts,
        await pruneLinks(
          tx,
          shape,
          batch.map((o) => ({ id: o.id, targets: o[field] })),
        ),
      );
      const links: Link[] = batch.flatMap((o, index) => o[field].map((to) => ({ index, from: o.id, to })));
      const result = await mergeLinks(tx, shape, links, provenance);
      addCounts(counts, result.counts);
      rejected.push(...result.rejected);
    }
    return { counts, rejected };
  },
};
