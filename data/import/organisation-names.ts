/**
 * Matches organisation names as other publications write them to GOV.UK organisations: exact titles
 * after normalising (case, "&" for "and", punctuation, a leading "The"), then the alias table
 * shipped in data/import/data/organisation-aliases.csv for names that differ in words.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Driver } from "neo4j-driver";
import { parse } from "csv-parse/sync";

export const normaliseName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[^a-z0-9 ]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^the /, "");

export interface OrganisationNameIndex {
  /** The GOV.UK slug for a name, or undefined. */
  match(name: string): string | undefined;
}

export async function loadOrganisationNameIndex(driver: Driver, database: string | undefined): Promise<OrganisationNameIndex> {
  const { records } = await driver.executeQuery(
    // Live organisations first, so a name a closed body shared with a live one goes to the live one.
    "MATCH (o:Organisation) RETURN o.id AS id, o.name AS name ORDER BY CASE o.status WHEN 'CLOSED' THEN 1 ELSE 0 END DESC",
    {},
    { database, routing: "READ" },
  );
  const byName = new Map<string, string>();
  for (const record of records) byName.set(normaliseName(record.get("name") as string), record.get("id") as string);
  const aliases = parse<{ name: string; slug: string }>(readFileSync(resolve(import.meta.dirname, "data", "organisation-aliases.csv")), { columns: true });
  for (const alias of aliases) byName.set(normaliseName(alias.name), alias.slug);
  return { match: (name) => byName.get(normaliseName(name)) };
}
