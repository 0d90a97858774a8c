/**
 * Real reference data shipped in seed/data (Crown copyright, OGL v3): the Civil Service professions
 * and GOV.UK step-by-step journeys, turned into rows for Cypher. (The GOV.UK organisations go
 * through the importer: import/sources/govuk-organisations.ts.)
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
  text.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

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
  return readFileSync(resolve(dataDir, "civil-service-professions-2022.txt"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    // "No reported profession" is the absence of one, not a profession.
    .filter((line) => line && !line.startsWith("#") && line !== "No reported profession")
    .map((name) => {
      const family = professionFamilies[name];
      if (!family) throw new Error(`No family for the profession "${name}": add it to seed/reference-data.ts`);
      return { id: slugify(name), name, family };
    });
}

export interface StepByStep {
  id: string;
  name: string;
  url: string;
  owners: string[];
  stages: { id: string; position: number; name: string; description: string }[];
}

interface StepByStepRecord {
  title: string;
  base_path: string;
  organisations: { slug: string }[];
  steps: { number: number; title: string; text: string[] }[];
}

/** GOV.UK step-by-step journeys, by base path, as services with ordered stages. */
export function stepBySteps(basePaths: readonly string[]): StepByStep[] {
  const records = JSON.parse(readFileSync(resolve(dataDir, "step-by-steps-2024-11.json"), "utf8")) as StepByStepRecord[];
  return basePaths.map((basePath) => {
    const record = records.find((r) => r.base_path === basePath);
    if (!record) throw new Error(`No step-by-step at ${basePath} in seed/data`);
    const id = basePath.replace(/^\//, "");
    return {
      id,
      name: record.title.replace(/: step by step$/, ""),
      url: `https://www.gov.uk${basePath}`,
      // Owners may be given by their Welsh path (department-for-work-pensions.cy).
      owners: [...new Set(record.organisations.map((o) => o.slug.replace(/\.cy$/, "")))],
      stages: record.steps.map((step) => ({
        id: `${id}-step-${step.number}`,
        position: step.number,
        name: step.title,
        description: step.text.filter((t) => t.length > 2).join(" "),
      })),
    };
  });
}
