/**
 * Civil Service Statistics headcount by organisation and profession, the long CSV
 * (`parent_department, organisation, profession, headcount, suppressed`): one
 * (Organisation)-[:HAS_HEADCOUNT {year, headcount, suppressed}]->(Profession) fact per row.
 */
import { basename } from "node:path";
import { readCsv } from "../read.js";
import { loadOrganisationNameIndex, type OrganisationNameIndex } from "../organisation-names.js";
import { check, parsing, RecordError, SkipRecord } from "../parse.js";
import { type ImportSource } from "../source.js";
import { toNumber, type WriteCounts } from "../../../graph/writes.js";
import { slugify } from "../../seed/professions.js";

export interface HeadcountFact {
  organisation: string;
  profession: string;
  /** Null when suppressed: small counts are not published. */
  headcount: number | null;
  suppressed: boolean;
}

/** Rows that total other rows ("HM Treasury overall", "Overall Civil Service"): not an organisation's own. */
const isTotal = (name: string) => / overall$/i.test(name) || /^overall /i.test(name);

interface Context {
  organisations: OrganisationNameIndex;
  professions: Set<string>;
}

export const professionStatisticsSource: ImportSource<HeadcountFact, Context> = {
  name: "profession-statistics",
  description: "Civil Service Statistics headcount by organisation and profession (long CSV); names matched to GOV.UK organisations",
  records: (file) => readCsv(file, [["organisation", "profession", "headcount", "suppressed"]]),
  keyOf: (fact) => `headcount of ${fact.profession} in "${fact.organisation}"`,
  snapshotOf: (file) => /((?:19|20)\d\d)/.exec(basename(file))?.[1] ?? null,
  prepare: async (driver, database) => ({
    organisations: await loadOrganisationNameIndex(driver, database),
    professions: new Set(
      (await driver.executeQuery("MATCH (p:Profession) RETURN p.id AS id", {}, { database, routing: "READ" })).records.map((r) => r.get("id") as string),
    ),
  }),

  parse: (raw, { organisations, professions }) =>
    parsing(() => {
      if (!check.object(raw)) throw new RecordError("the row is not a record");
      const name = check.text(raw, "organisation", { required: true })!.replace(/\s*\[note \d+\]/gi, "");
      if (isTotal(name)) throw new SkipRecord(`"${name}" totals other rows`);
      // "(excl. agencies)" rows are the department's own staff.
      const organisation = organisations.match(name.replace(/\s*\((excl|incl)\. [^)]*\)/i, ""));
      if (!organisation) throw new RecordError(`organisation "${name}" matches no GOV.UK organisation: add it to data/import/data/organisation-aliases.csv`);
      const professionName = check.text(raw, "profession", { required: true })!;
      if (professionName === "No reported profession") throw new SkipRecord("no reported profession");
      const profession = slugify(professionName);
      if (!professions.has(profession)) throw new RecordError(`profession "${professionName}" is not a Civil Service profession the graph holds`);
      const suppressedText = check.text(raw, "suppressed", { required: true })!;
      if (suppressedText !== "0" && suppressedText !== "1") throw new RecordError(`suppressed must be 0 or 1, not "${suppressedText}"`);
      const suppressed = suppressedText === "1";
      const headcountText = check.text(raw, "headcount");
      const headcount = suppressed ? null : Number(headcountText);
      if (!suppressed && (headcount === null || !Number.isInteger(headcount) || headcount < 0)) {
        throw new RecordError(`headcount must be a whole number, not "${headcountText ?? ""}"`);
      }
      return { organisation, profession, headcount, suppressed };
    }),

  async writeNodes(tx, batch, provenance) {
    const year = Number(provenance.snapshot?.slice(0, 4));
    if (!Number.isInteger(year)) throw new RecordError("the statistics' year is unknown: name the file with it or pass --snapshot");
    const result = await tx.run(
      `UNWIND $rows AS row
       MATCH (o:Organisation {id: row.organisation}), (p:Profession {id: row.profession})
       OPTIONAL MATCH (o)-[existing:HAS_HEADCOUNT {year: $year}]->(p)
       WITH o, p, row, existing,
            CASE WHEN existing IS NULL THEN 'created'
                 WHEN (existing.headcount = row.headcount OR (existing.headcount IS NULL AND row.headcount IS NULL))
                      AND existing.suppressed = row.suppressed THEN 'unchanged'
                 ELSE 'updated' END AS outcome
       MERGE (o)-[h:HAS_HEADCOUNT {year: $year}]->(p)
       FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
         SET h.headcount = row.headcount, h.suppressed = row.suppressed, h.source = $source, h.snapshot = $snapshot, h.importedAt = datetime())
       RETURN outcome, count(*) AS n`,
      { rows: batch, year, ...provenance },
    );
    const counts: Partial<WriteCounts> = {};
    for (const record of result.records) counts[record.get("outcome") as "created" | "updated" | "unchanged"] = toNumber(record.get("n"));
    return counts;
  },
};
