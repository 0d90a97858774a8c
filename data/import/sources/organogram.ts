/**
 * data.gov.uk organograms: senior posts CSVs (one post a row, identified by its post reference in its
 * organisation) and junior posts CSVs (counted positions by unit, grade and profession, under a
 * senior post). Post holders' names, phones and e-mails are personal data: stored on the post
 * (holderName, contactPhone, contactEmail) and not served by the API. Junior posts are not people:
 * each row stays a count of positions.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { readCsv } from "../read.js";
import { loadOrganisationNameIndex, normaliseName, type OrganisationNameIndex } from "../organisation-names.js";
import { check, parsing, RecordError, SkipRecord } from "../parse.js";
import { replaceLinks, sumCounts, sumLinkResults, upsertNodes, type ImportSource, type LinkResult, type NodeRow } from "../source.js";
import { slugify } from "../../seed/professions.js";

export interface OrganogramRow {
  kind: "senior" | "junior";
  node: NodeRow;
  organisation: string;
  profession: string | null;
  reportsTo: string | null;
}

interface Context {
  organisations: OrganisationNameIndex;
  professionOf(group: string): string | null;
}

/** Published in place of a name when the post is empty or the name withheld. */
const notAName = new Set(["", "n/d", "vacant", "n/a", "na", "not disclosed", "eliminated", "redacted"]);

const snapshotOf = (file: string) => /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1] ?? null;

function number(value: string | null, field: string): number | null {
  if (value === null || value === "" || /^n\/?[ad]$/i.test(value)) return null;
  const n = Number(value.replace(/[£,]/g, ""));
  if (!Number.isFinite(n) || n < 0) throw new RecordError(`${field} is not a number: "${value}"`);
  return n;
}

function parseRow(raw: unknown, context: Context, location: string): OrganogramRow {
  if (!check.object(raw)) throw new RecordError("the row is not a record");
  const organisationName = check.text(raw, "Organisation", { required: true })!;
  const organisation = context.organisations.match(organisationName);
  if (!organisation)
    throw new RecordError(`Organisation "${organisationName}" matches no GOV.UK organisation: add it to data/import/data/organisation-aliases.csv`);
  const group = check.text(raw, "Professional/Occupational Group") ?? "";
  const profession = context.professionOf(group);
  const unit = check.text(raw, "Unit", { max: 300 });
  const grade = check.text(raw, "Grade (or equivalent)") ?? check.text(raw, "Grade");
  const snapshot = check.text(raw, "snapshot_date");

  if ("Post Unique Reference" in raw) {
    const reference = check.text(raw, "Post Unique Reference", { required: true, max: 100 })!;
    if (/^(0|deleted)$/i.test(reference)) throw new RecordError(`Post Unique Reference "${reference}" is not a post reference`);
    const reportsTo = check.text(raw, "Reports to Senior Post");
    const name = check.text(raw, "Name") ?? "";
    return {
      kind: "senior",
      organisation,
      profession,
      // "XX" and "0" mark the top of the organisation.
      reportsTo: reportsTo && !/^(xx|0)$/i.test(reportsTo) ? `${organisation}/${reportsTo}` : null,
      node: {
        id: `${organisation}/${reference}`,
        props: {
          reference,
          grade,
          unit,
          snapshot,
          professionGroup: group || null,
          jobTitle: check.text(raw, "Job Title", { max: 500 }),
          fte: number(check.text(raw, "FTE"), "FTE"),
          payFloor: number(check.text(raw, "Actual Pay Floor (£)"), "Actual Pay Floor (£)"),
          payCeiling: number(check.text(raw, "Actual Pay Ceiling (£)"), "Actual Pay Ceiling (£)"),
          // Personal data: kept for those allowed to see it, never served to the public API.
          holderName: notAName.has(name.toLowerCase()) ? null : name,
          contactPhone: check.text(raw, "Contact Phone"),
          contactEmail: check.text(raw, "Contact E-mail"),
        },
      },
    };
  }
  if ("Number of Posts in FTE" in raw) {
    const reportsTo = check.text(raw, "Reporting Senior Post");
    const fte = number(check.text(raw, "Number of Posts in FTE"), "Number of Posts in FTE");
    if (fte === null || fte === 0) throw new SkipRecord("no posts counted");
    const title = check.text(raw, "Generic Job Title", { max: 500 });
    return {
      kind: "junior",
      organisation,
      profession,
      reportsTo: reportsTo ? `${organisation}/${reportsTo}` : null,
      node: {
        // Junior rows repeat (unit, grade, title) freely: each row is a count of its own, keyed by its place in the publication.
        id: `${organisation}/junior/${slugify(location)}`,
        props: {
          unit,
          grade,
          jobTitle: title,
          fte,
          snapshot,
          professionGroup: group || null,
          payMin: number(check.text(raw, "Payscale Minimum (£)"), "Payscale Minimum (£)"),
          payMax: number(check.text(raw, "Payscale Maximum (£)"), "Payscale Maximum (£)"),
        },
      },
    };
  }
  throw new RecordError("the row is neither a senior post (Post Unique Reference) nor a junior one (Number of Posts in FTE)");
}

export const organogramSource: ImportSource<OrganogramRow, Context> = {
  name: "organogram",
  description: "data.gov.uk organogram CSVs: senior posts with grade, title, profession and reporting line; junior posts as counts",
  records: (file) =>
    readCsv(file, [
      ["Post Unique Reference", "Organisation", "Grade (or equivalent)", "Job Title", "Reports to Senior Post", "Professional/Occupational Group"],
      ["Organisation", "Unit", "Reporting Senior Post", "Grade", "Generic Job Title", "Number of Posts in FTE", "Professional/Occupational Group"],
    ]),
  // A post reference twice in one organisation is a job share or a slip: its first row is the post.
  keyOf: (row) => `post "${row.node.id}"`,
  snapshotOf,
  async prepare(driver, database) {
    const professions = new Set(
      (await driver.executeQuery("MATCH (p:Profession) RETURN p.id AS id", {}, { database, routing: "READ" })).records.map((r) => r.get("id") as string),
    );
    const table = parse<{ group: string; profession: string }>(readFileSync(resolve(import.meta.dirname, "..", "data", "organogram-professions.csv")), {
      columns: true,
    });
    const mapped = new Map(table.map((row) => [normaliseName(row.group), row.profession]));
    return {
      organisations: await loadOrganisationNameIndex(driver, database),
      // Organogram groups mostly name a profession ("Operational delivery"); the table maps the rest ("Law").
      professionOf(group: string) {
        if (!group) return null;
        const id = mapped.get(normaliseName(group)) ?? slugify(group);
        return professions.has(id) ? id : "other-profession";
      },
    };
  },
  parse: (raw, context, location) => parsing(() => parseRow(raw, context, location)),

  async writeNodes(tx, batch, provenance) {
    const withSnapshot = (row: OrganogramRow) => ({ ...row.node, props: { ...row.node.props, snapshot: row.node.props["snapshot"] ?? provenance.snapshot } });
    return sumCounts(
      await upsertNodes(tx, "Post", batch.filter((r) => r.kind === "senior").map(withSnapshot), provenance),
      await upsertNodes(tx, "JuniorPosts", batch.filter((r) => r.kind === "junior").map(withSnapshot), provenance),
    );
  },

  async writeLinks(tx, batch, provenance) {
    const links: LinkResult[] = [];
    for (const kind of ["senior", "junior"] as const) {
      const label = kind === "senior" ? "Post" : "JuniorPosts";
      const rows = batch.map((row, index) => ({ row, index })).filter(({ row }) => row.kind === kind);
      for (const [shape, target] of [
        [{ from: label, type: "IN_ORGANISATION", to: "Organisation" }, (r: OrganogramRow) => r.organisation],
        [{ from: label, type: "HAS_PROFESSION", to: "Profession" }, (r: OrganogramRow) => r.profession],
        [{ from: label, type: "REPORTS_TO", to: "Post" }, (r: OrganogramRow) => r.reportsTo],
      ] as const) {
        const nodes = rows.map(({ row, index }) => ({ index, id: row.node.id, targets: [target(row)].filter((t): t is string => t !== null) }));
        links.push(await replaceLinks(tx, shape, nodes, provenance));
      }
    }
    return sumLinkResults(...links);
  },
};
