/**
 * The DWP and Defra digital service portfolios (JSON project files merged into one array): each
 * service with its department, phase and phase history. The named senior owners and service
 * managers are not imported: they are personal data the graph does not need here. What it says of a
 * service is its record; a service the services list (or another source) also describes is one node
 * (data/import/service-identity.ts).
 */
import { readJsonArray } from "../read.js";
import { loadOrganisationNameIndex, type OrganisationNameIndex } from "../organisation-names.js";
import { writeServiceRecords, type ServiceRecordRow } from "../service-identity.js";
import { phaseOf, themeProps } from "../service-values.js";
import { deriveStageResponsibilities } from "../../../graph/stage-responsibility.js";
import { check, parsing, RecordError } from "../parse.js";
import type { ImportSource } from "../source.js";
import { slugify } from "../../seed/professions.js";

export interface PortfolioService {
  /** What the portfolio says of the service: its department is its owner. */
  service: ServiceRecordRow;
}

function phaseHistory(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!check.object(value)) throw new RecordError("phase-history must be an object of phases");
  return Object.entries(value).flatMap(([phase, events]) => {
    if (!Array.isArray(events)) throw new RecordError(`phase-history.${phase} must be a list`);
    return events.flatMap((event, i) => {
      if (!check.object(event)) throw new RecordError(`phase-history.${phase}[${i}] is not an object`);
      const label = check.text(event, "label", { max: 200 });
      const date = check.text(event, "date", { max: 50 });
      // The portfolios leave placeholders ({ label: "", date: "" }) for events still to come.
      return label ? [`${phase}: ${label}${date ? ` (${date})` : ""}`] : [];
    });
  });
}

const sourceName = "service-portfolio";

export const servicePortfolioSource: ImportSource<PortfolioService, OrganisationNameIndex> = {
  name: sourceName,
  description: "DWP and Defra digital service portfolio JSON: services with their department, phase and phase history",
  records: (file) => readJsonArray(file),
  prepare: loadOrganisationNameIndex,

  parse: (raw, organisations) =>
    parsing(() => {
      if (!check.object(raw)) throw new RecordError("the record is not an object");
      const name = check.text(raw, "name", { required: true, max: 300 })!;
      const departmentName = check.text(raw, "_department", { required: true })!;
      const department = organisations.match(departmentName);
      if (!department) throw new RecordError(`_department "${departmentName}" matches no GOV.UK organisation`);
      const repository = check.text(raw, "_source_repo", { required: true })!;
      const path = check.text(raw, "_source_path", { required: true })!;
      const id = `${slugify(repository.split("/")[0]!)}-${slugify(path.replace(/^.*\//, "").replace(/\.json$/, ""))}`;
      // The portfolios' phases, with "backlog" for a service not yet started.
      const phase = phaseOf(check.text(raw, "phase", { required: true })!, "phase");
      return {
        service: {
          ownId: id,
          owners: [department],
          values: {
            name,
            description: check.text(raw, "description", { max: 4000 }),
            ...themeProps(check.text(raw, "theme", { max: 200 })),
            phase,
            phaseHistory: phaseHistory(raw["phase-history"]),
          },
        },
      };
    }),

  keyOf: (s) => `service "${s.service.ownId}"`,
  // Its owners follow its records (data/import/service-identity.ts): no links of its own to write.
  writeNodes: (tx, batch, provenance) =>
    writeServiceRecords(
      tx,
      sourceName,
      batch.map((s) => s.service),
      provenance,
    ),

  // The services' owners may have changed: so may who delivers the step-by-step stages that link to them.
  finish: deriveStageResponsibilities,
};
