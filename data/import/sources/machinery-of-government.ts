/**
 * Curated machinery-of-government changes (data/import/data/machinery-of-government.csv): an
 * organisation opened or closed on a known day, with the organisations that succeeded it, each row
 * citing the public source that states it. The dates replace the snapshots' bounds in the history
 * (data/import/organisation-history.ts).
 */
import neo4j from "neo4j-driver";
import { readCsv } from "../read.js";
import { rebuildOrganisationHistory } from "../organisation-history.js";
import { check, parsing, RecordError, slugPattern } from "../parse.js";
import { type ImportSource } from "../source.js";
import { toNumber } from "../../../graph/writes.js";

export interface MachineryOfGovernmentChange {
  id: string;
  organisation: string;
  props: {
    date: InstanceType<typeof neo4j.types.Date>;
    change: "opened" | "closed";
    successors: string[];
    citationTitle: string;
    citationUrl: string;
  };
}

export const machineryOfGovernmentSource: ImportSource<MachineryOfGovernmentChange> = {
  name: "machinery-of-government",
  description: "Curated machinery-of-government changes (CSV): an organisation opened or closed on a day, its successors, and the public source that says so",
  records: (file) => readCsv(file, [["date", "change", "organisation", "successors", "citation_title", "citation_url"]]),
  keyOf: (change) => `change "${change.id}"`,

  parse: (raw) =>
    parsing(() => {
      if (!check.object(raw)) throw new RecordError("the row is not a record");
      const date = check.text(raw, "date", { required: true })!;
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
        Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
        new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date
      )
        throw new RecordError(`date is not a day that exists, as YYYY-MM-DD: "${date}"`);
      const change = check.text(raw, "change", { required: true })!;
      if (change !== "opened" && change !== "closed") throw new RecordError(`change must be "opened" or "closed", not "${change}"`);
      const organisation = check.text(raw, "organisation", { required: true })!;
      const successors = (check.text(raw, "successors") ?? "").split(/\s+/).filter(Boolean);
      for (const slug of [organisation, ...successors]) if (!slugPattern.test(slug)) throw new RecordError(`"${slug}" is not a GOV.UK slug`);
      if (change === "opened" && successors.length > 0) throw new RecordError("an opening has no successors");
      const citationTitle = check.text(raw, "citation_title", { required: true, max: 300 })!;
      const citationUrl = check.text(raw, "citation_url", { required: true, max: 500 })!;
      // Curated facts cite a public source: a web address of its own, nothing else.
      if (!/^https:\/\/[^\s]+$/.test(citationUrl)) throw new RecordError(`citation_url must be an https address, not "${citationUrl}"`);
      const [year, month, day] = date.split("-").map(Number) as [number, number, number];
      return {
        id: `${date}:${change}:${organisation}`,
        organisation,
        props: { date: new neo4j.types.Date(year, month, day), change, successors, citationTitle, citationUrl },
      };
    }),

  async writeNodes(tx, batch, provenance) {
    const result = await tx.run(
      `UNWIND $rows AS row
       OPTIONAL MATCH (existing:MachineryOfGovernmentChange {id: row.id})
       WITH row, existing,
            CASE
              WHEN existing IS NULL THEN 'created'
              WHEN all(key IN keys(row.props) WHERE existing[key] = row.props[key]) THEN 'unchanged'
              ELSE 'updated'
            END AS outcome
       MERGE (change:MachineryOfGovernmentChange {id: row.id})
       FOREACH (_ IN CASE WHEN outcome <> 'unchanged' THEN [1] ELSE [] END |
         SET change += row.props, change.source = $source, change.importedAt = datetime())
       RETURN outcome, count(*) AS n`,
      { rows: batch, ...provenance },
    );
    return Object.fromEntries(result.records.map((r) => [r.get("outcome") as string, toNumber(r.get("n"))]));
  },

  async writeLinks(tx, batch) {
    const result = await tx.run(
      `UNWIND range(0, size($rows) - 1) AS index
       WITH index, $rows[index] AS row
       MATCH (change:MachineryOfGovernmentChange {id: row.id})
       OPTIONAL MATCH (o:Organisation {id: row.organisation})
       CALL (change, o) {
         WITH change, o WHERE o IS NOT NULL
         OPTIONAL MATCH (change)-[existing:CHANGES]->(o)
         MERGE (change)-[:CHANGES]->(o)
         RETURN existing IS NULL AS created
       UNION
         WITH o WHERE o IS NULL
         RETURN null AS created
       }
       RETURN index, row.organisation AS organisation, created`,
      { rows: batch },
    );
    const rejected = result.records
      .filter((r) => r.get("created") === null)
      .map((r) => ({ index: toNumber(r.get("index")), reason: `CHANGES: Organisation "${r.get("organisation") as string}" does not exist` }));
    return { counts: { relationshipsCreated: result.records.filter((r) => r.get("created") === true).length }, rejected };
  },

  // The datasets of the organisations the changes name.
  async finish(driver, database) {
    const { records } = await driver.executeQuery(
      "MATCH (:MachineryOfGovernmentChange)-[:CHANGES]->(:Organisation)-[:SEEN_IN]->(s:Snapshot) RETURN collect(DISTINCT s.dataset) AS datasets",
      {},
      { database, routing: "READ" },
    );
    return rebuildOrganisationHistory(driver, database, records[0]?.get("datasets") as string[]);
  },
};
