/**
 * GOV.UK step-by-step journeys as services with ordered stages and owning organisations, from either
 * of two formats: the shared extract (an array of `{ title, base_path, organisations, steps }`) or
 * the GOV.UK Content API's `step_by_step_nav` documents (one per file, or an array of them).
 */
import { createReadStream } from "node:fs";
import { readJsonArray, readJsonDocument, type RawRecord } from "../read.js";
import { serviceIdsOf, writeServiceRecords, type ServiceRecordRow } from "../service-identity.js";
import { absolute, deriveStageResponsibilities, missingOrganisations, namedClaims, stageIdOf, type StageClaim } from "../../../graph/stage-responsibility.js";
import { check, parsing, RecordError, slugPattern } from "../parse.js";
import { replaceLinks, sumCounts, sumLinkResults, upsertNodes, type ImportSource, type NodeRow } from "../source.js";

export interface StepByStepJourney {
  /** What the step-by-step says of the journey as a service, its publishing organisations as owners. */
  service: ServiceRecordRow;
  stages: NodeRow[];
  /** Who the curated tables name for its stages, checked to be in the graph (graph/stage-responsibility.ts). */
  namedClaims: StageClaim[];
}

/** A GOV.UK path or slug as an id: no leading slash, no locale suffix (`.cy` is the Welsh page). */
function idOf(path: string, field: string): string {
  const id = path.replace(/^.*\//, "").replace(/\.[a-z]{2}$/, "");
  if (!slugPattern.test(id)) throw new RecordError(`${field} is not a GOV.UK path: "${path}"`);
  return id;
}

interface Step {
  title: string;
  description: string | null;
  /** GOV.UK numbers an "and"/"or" step with the one before it. */
  sharesNumberWithPrevious: boolean;
  /** The addresses the step links to, as written (GOV.UK pages as paths). */
  links: string[];
}

function hrefs(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((link) => (check.object(link) && typeof link["href"] === "string" && link["href"].trim() !== "" ? [link["href"].trim()] : []));
}

function sharedExtractSteps(raw: Record<string, unknown>): Step[] {
  const steps = raw["steps"];
  if (!Array.isArray(steps) || steps.length === 0) throw new RecordError("steps is missing or empty");
  return steps.map((step, i) => {
    if (!check.object(step)) throw new RecordError(`steps[${i}] is not an object`);
    const text = Array.isArray(step["text"]) ? (step["text"] as unknown[]).filter((t): t is string => typeof t === "string" && t.length > 2) : [];
    return {
      title: check.text(step, "title", { required: true, max: 300 })!,
      description: text.join(" ") || null,
      sharesNumberWithPrevious: false,
      links: hrefs(step["links"]),
    };
  });
}

function contentApiSteps(nav: Record<string, unknown>): Step[] {
  const steps = nav["steps"];
  if (!Array.isArray(steps) || steps.length === 0) throw new RecordError("details.step_by_step_nav.steps is missing or empty");
  return steps.map((step, i) => {
    if (!check.object(step)) throw new RecordError(`details.step_by_step_nav.steps[${i}] is not an object`);
    const paragraphs = Array.isArray(step["contents"])
      ? (step["contents"] as unknown[])
          .filter((c): c is { type: string; text: string } => check.object(c) && c["type"] === "paragraph" && typeof c["text"] === "string")
          .map((c) => c.text)
      : [];
    return {
      title: check.text(step, "title", { required: true, max: 300 })!,
      description: paragraphs.join(" ") || null,
      sharesNumberWithPrevious: step["logic"] === "and" || step["logic"] === "or",
      links: Array.isArray(step["contents"])
        ? (step["contents"] as unknown[]).flatMap((c) => (check.object(c) && c["type"] === "list" ? hrefs(c["contents"]) : []))
        : [],
    };
  });
}

function ownersOf(list: unknown, field: string): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new RecordError(`${field} must be a list`);
  return [
    ...new Set(
      list.map((o, i) => {
        if (!check.object(o)) throw new RecordError(`${field}[${i}] is not an object`);
        const slug = check.text(o, "slug") ?? check.text(o, "base_path");
        if (!slug) throw new RecordError(`${field}[${i}] has neither slug nor base_path`);
        return idOf(slug, `${field}[${i}]`);
      }),
    ),
  ];
}

const sourceName = "step-by-step";

function parseJourney(raw: unknown): StepByStepJourney {
  if (!check.object(raw)) throw new RecordError("the record is not an object");
  const details = raw["details"];
  const nav = check.object(details) && check.object(details["step_by_step_nav"]) ? details["step_by_step_nav"] : undefined;
  const links = check.object(raw["links"]) ? raw["links"] : {};
  const steps = nav ? contentApiSteps(nav) : sharedExtractSteps(raw);
  const owners = nav ? ownersOf(links["organisations"], "links.organisations") : ownersOf(raw["organisations"], "organisations");
  const basePath = check.text(raw, "base_path", { required: true })!;
  const id = idOf(basePath, "base_path");
  const title = check.text(raw, "title", { required: true, max: 300 })!.replace(/: step by step$/, "");
  let number = 0;
  const url = `https://www.gov.uk/${id}`;
  return {
    service: {
      ownId: id,
      owners,
      values: {
        name: title,
        description: check.text(raw, "description", { max: 2000 })?.replace(/<[^>]+>/g, "") ?? null,
        url,
      },
    },
    stages: steps.map((step, index) => {
      if (!step.sharesNumberWithPrevious || number === 0) number++;
      // The step's links are kept on its stage: who delivers it is derived from them (graph/stage-responsibility.ts).
      return { id: stageIdOf(id, index + 1), props: { name: step.title, position: number, description: step.description, links: step.links.map(absolute) } };
    }),
    namedClaims: steps.flatMap((step, index) => namedClaims(id, stageIdOf(id, index + 1), step.title, step.links)),
  };
}

/** The records of a file in either format: an array of journeys or one journey document. */
async function* journeys(file: string): AsyncGenerator<RawRecord> {
  const first = await new Promise<string>((resolve, reject) => {
    const stream = createReadStream(file, { start: 0, end: 255, encoding: "utf8" });
    let text = "";
    stream.on("data", (chunk) => {
      text += chunk.toString();
    });
    stream.on("end", () => resolve(text.trimStart()[0] ?? ""));
    stream.on("error", reject);
  });
  yield* first === "[" ? readJsonArray(file) : readJsonDocument(file);
}

export const stepByStepSource: ImportSource<StepByStepJourney> = {
  name: sourceName,
  description: "GOV.UK step-by-step journeys (the shared extract or Content API step_by_step_nav): a service with ordered stages and owners",
  records: journeys,
  parse: (raw) => parsing(() => parseJourney(raw)),
  keyOf: (journey) => `service "${journey.service.ownId}"`,

  async writeNodes(tx, batch, provenance) {
    const services = batch.map((j) => j.service);
    const stages = batch.flatMap((j) => j.stages);
    return sumCounts(await writeServiceRecords(tx, sourceName, services, provenance), await upsertNodes(tx, "Stage", stages, provenance));
  },

  async writeLinks(tx, batch, provenance) {
    // The services the records belong to (settled with the records); their owners follow the records.
    const services = await serviceIdsOf(
      tx,
      sourceName,
      batch.map((j) => j.service.ownId),
    );
    const stages = batch.map((j, index) => ({ index, id: services.get(j.service.ownId)!, targets: j.stages.map((s) => s.id) }));
    const unknownOwners = (
      await missingOrganisations(
        tx,
        batch.flatMap((j, index) => j.service.owners.map((organisation) => ({ index, organisation }))),
      )
    ).map(({ index, organisation }) => ({ index, reason: `OWNS: Organisation "${organisation}" does not exist` }));
    const claims = batch.flatMap((j, index) => j.namedClaims.map((c) => ({ ...c, index })));
    const unknownOrganisations = (await missingOrganisations(tx, claims)).map((claim) => ({
      index: claim.index,
      reason: `RESPONSIBLE_FOR: Organisation "${claim.organisation}" does not exist (from ${claim.derivation} ${claim.evidence})`,
    }));
    return sumLinkResults(await replaceLinks(tx, { from: "Service", type: "HAS_STAGE", to: "Stage" }, stages, provenance), {
      counts: {},
      rejected: [...unknownOwners, ...unknownOrganisations],
    });
  },

  // Who delivers each stage, once every stage and owner is in: from the whole graph, so the services list may come before or after.
  finish: deriveStageResponsibilities,
};
