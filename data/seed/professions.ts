/**
 * The Civil Service professions of data/seed/data (Crown copyright, OGL v3), turned into rows for Cypher.
 * (The GOV.UK organisations and step-by-steps in data/seed/data go through the importer.)
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const dataDir = resolve(import.meta.dirname, "data");

export interface ProfessionRow {
  id: string;
  name: string;
  family: string;
}

export const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/**
 * Our grouping of the professions into families, for analysis by broad kind of work; Civil Service
 * Statistics lists the professions without one.
 */
const professionFamilies: Record<string, string> = {
  Policy: "Policy and analysis",
  Economics: "Policy and analysis",
  Geography: "Policy and analysis",
  "Intelligence Analysis": "Policy and analysis",
  "Operational Research": "Policy and analysis",
  Psychology: "Policy and analysis",
  "Social Research": "Policy and analysis",
  Statistics: "Policy and analysis",
  "Operational Delivery": "Delivery",
  "Project Delivery": "Delivery",
  "Digital, Data and Technology": "Delivery",
  Commercial: "Corporate",
  Communications: "Corporate",
  "Corporate Finance": "Corporate",
  "Counter Fraud": "Corporate",
  Finance: "Corporate",
  "Human Resources": "Corporate",
  "Internal Audit": "Corporate",
  "Knowledge and Information Management": "Corporate",
  Property: "Corporate",
  Security: "Corporate",
  Legal: "Specialist",
  Tax: "Specialist",
  Medicine: "Specialist",
  Veterinarian: "Specialist",
  "Science and Engineering": "Specialist",
  Planning: "Specialist",
  "Planning Inspectors": "Specialist",
  "Inspector of Education and Training": "Specialist",
  "International Trade": "Specialist",
  "Other profession": "Other",
};

export function professions(): ProfessionRow[] {
  return (
    readFileSync(resolve(dataDir, "civil-service-professions-2022.txt"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      // "No reported profession" is the absence of one, not a profession.
      .filter((line) => line && !line.startsWith("#") && line !== "No reported profession")
      .map((name) => {
        const family = professionFamilies[name];
        if (!family) throw new Error(`No family for the profession "${name}": add it to data/seed/professions.ts`);
        return { id: slugify(name), name, family };
      })
  );
}
