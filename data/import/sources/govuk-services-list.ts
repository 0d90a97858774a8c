/**
 * The GOV.UK services list (x-govuk/govuk-services-list, `data/services/`: one JSON file per service,
 * named by its slug): each service with its synonyms, description, theme, phase, start pages and live
 * service address, its owning organisations (by title, matched with the alias table), and its
 * timeline: Service Standard assessments (phase assessed, outcome, report) and other dated events.
 * Give it the folder or any of its files. What it says of a service is its record; a service another
 * source also describes (a portfolio, a step-by-step) is one node, by the rule of data/import/service-identity.ts.
 */
import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import neo4j from "neo4j-driver";
import { readJsonDocument, type RawRecord } from "../read.js";
import { loadOrganisationNameIndex, type OrganisationNameIndex } from "../organisation-names.js";
import { serviceIdsOf, writeServiceRecords, type ServiceRecordRow } from "../service-identity.js";
import { phaseOf, themeProps } from "../service-values.js";
import { deriveStageResponsibilities, normaliseAddress } from "../../../graph/stage-responsibility.js";
import { check, parsing, RecordError, slugPattern } from "../parse.js";
import { mergeLinks, sumLinkResults, upsertNodes, type ImportSource, type NodeRow } from "../source.js";
import { toNumber } from "../../../graph/writes.js";
import { slugify } from "../../seed/professions.js";

const sourceName = "govuk-services-list";

export interface ListedService {
  /** The file's name without `.json`: the service's id in the list. */
  slug: string;
  /** What the list says of the service, owners included. */
  service: ServiceRecordRow;
  /** Organisation names the alias table cannot place: reported, never guessed. */
  unmatchedOwners: string[];
  events: NodeRow[];
}

interface Context {
  organisations: OrganisationNameIndex;
}

/** The list's template text, left in one file where a theme belongs. */
const themePlaceholder = /^\*\*\*/;

function texts(record: Record<string, unknown>, field: string): string[] {
  const value = record[field];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return [
    ...new Set(
      list.map((item, i) => {
        if (typeof item !== "string") throw new RecordError(`${field}${Array.isArray(value) ? `[${i}]` : ""} must be text`);
        return item.trim();
      }),
    ),
  ].filter((text) => text !== "");
}

function address(text: string, field: string): string {
  if (!normaliseAddress(text) || !/^https?:\/\//i.test(text)) throw new RecordError(`${field} is not a web address: "${text}"`);
  return text;
}

function dateOf(text: string, field: string): InstanceType<typeof neo4j.types.Date> {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const real = new Date(Date.UTC(year, month - 1, day));
  if (!match || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day) throw new RecordError(`${field} is not a date (YYYY-MM-DD): "${text}"`);
  return new neo4j.types.Date(year, month, day);
}

/**
 * What an assessment label says: "Passed beta reassessment", "Did not pass alpha assessment",
 * "Assessed as amber at beta assessment", "Met live assessment". Null for an event that is not an assessment.
 */
export function assessmentOf(label: string): { assessedPhase: string | null; outcome: string | null; reassessment: boolean } | null {
  if (!/assess/i.test(label)) return null;
  const phase = /\b(discovery|alpha|beta|live)\b/i.exec(label)?.[1]?.toUpperCase() ?? null;
  const outcome =
    /^did not pass\b/i.test(label) || /^failed\b/i.test(label)
      ? "not passed"
      : /^did not meet\b/i.test(label)
        ? "not met"
        : /^passed\b/i.test(label)
          ? "passed"
          : /^met\b/i.test(label)
            ? "met"
            : (/^assessed as (red|amber|green)\b/i.exec(label)?.[1]?.toLowerCase() ?? null);
  return { assessedPhase: phase, outcome, reassessment: /re-?assessment/i.test(label) };
}

function timeline(raw: Record<string, unknown>, slug: string): NodeRow[] {
  const value = raw["timeline"];
  if (value === undefined || value === null) return [];
  if (!check.object(value) || !Array.isArray(value["items"])) throw new RecordError("timeline must be an object with a list of items");
  const ids = new Set<string>();
  return (value["items"] as unknown[]).map((item, i) => {
    const field = `timeline.items[${i}]`;
    if (!check.object(item)) throw new RecordError(`${field} is not an object`);
    const label = check.text(item, "label", { required: true, max: 300 })!;
    const dateText = check.text(item, "date", { required: true })!;
    const date = dateOf(dateText, `${field}.date`);
    const links = item["links"] === undefined ? [] : item["links"];
    if (!Array.isArray(links)) throw new RecordError(`${field}.links must be a list`);
    const hrefs = links.map((link, j) => {
      if (!check.object(link)) throw new RecordError(`${field}.links[${j}] is not an object`);
      return address(check.text(link, "href", { required: true })!, `${field}.links[${j}].href`);
    });
    let id = `${slug}/${dateText}/${slugify(label)}`;
    for (let n = 2; ids.has(id); n++) id = `${slug}/${dateText}/${slugify(label)}-${n}`;
    ids.add(id);
    const assessment = assessmentOf(label);
    return {
      id,
      props: {
        date,
        label,
        assessedPhase: assessment?.assessedPhase ?? null,
        outcome: assessment?.outcome ?? null,
        reassessment: assessment ? assessment.reassessment : null,
        reportUrl: hrefs[0] ?? null,
        listedAs: slug,
      },
    };
  });
}

function parseService(raw: unknown, context: Context): ListedService {
  if (!check.object(raw) || typeof raw["file"] !== "string" || !check.object(raw["document"])) throw new RecordError("the file does not hold a JSON object");
  const slug = basename(raw["file"], ".json");
  if (!slugPattern.test(slug)) throw new RecordError(`the file name "${raw["file"]}" is not a service slug`);
  const record = raw["document"];
  const name = check.text(record, "name", { required: true, max: 300 })!;
  // One upstream file spells the key "synonyns".
  const synonyms = [...new Set([...texts(record, "synonyms"), ...texts(record, "synonyns")])];
  // The list's schema: Discovery, Alpha, Beta, Live, Retired or Unknown (no phase at all); one service, Work Hub, is Experimental.
  const phase = phaseOf(check.text(record, "phase", { required: true })!, "phase", ["unknown"]);
  const theme = check.text(record, "theme", { max: 200 });
  const liveService = check.text(record, "liveService") ?? check.text(record, "liveservice");
  const startPages = [...texts(record, "startPage"), ...texts(record, "start-page")].map((a, i) => address(a, `startPage[${i}]`));
  const organisationNames = texts(record, "organisation");
  if (organisationNames.length === 0) throw new RecordError("organisation is missing");
  const owners = organisationNames.map((n) => context.organisations.match(n));
  if (owners.every((o) => o === undefined))
    throw new RecordError(
      `no organisation matches a GOV.UK organisation: ${organisationNames.map((n) => `"${n}"`).join(", ")}; add them to data/import/data/organisation-aliases.csv`,
    );
  if (liveService) address(liveService, "liveService");
  return {
    slug,
    service: {
      ownId: slug,
      owners: [...new Set(owners.filter((o): o is string => o !== undefined))],
      values: {
        name,
        synonyms,
        description: check.text(record, "description", { max: 4000 }),
        ...themeProps(theme && !themePlaceholder.test(theme) ? theme : null),
        phase,
        liveService,
        startPages,
        url: startPages[0] ?? liveService,
        tags: texts(record, "tags"),
        listedAs: slug,
      },
    },
    unmatchedOwners: organisationNames.filter((_, i) => owners[i] === undefined),
    events: timeline(record, slug),
  };
}

/** One record per service file: the files named, or every `*.json` file of a folder named, in name order. */
async function* serviceFiles(path: string): AsyncGenerator<RawRecord> {
  const directory = statSync(path).isDirectory();
  const files = directory
    ? readdirSync(path)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => join(path, f))
    : [path];
  for (const file of files) {
    for await (const { value } of readJsonDocument(file))
      yield { value: { file: basename(file), document: value }, location: directory ? basename(file) : "$" };
  }
}

export const govukServicesListSource: ImportSource<ListedService, Context> = {
  name: sourceName,
  description: "GOV.UK services list (data/services/*.json, a folder or files): services with owners, phase, addresses and assessments",
  records: serviceFiles,
  async prepare(driver, database) {
    return { organisations: await loadOrganisationNameIndex(driver, database) };
  },
  parse: (raw, context) => parsing(() => parseService(raw, context)),
  keyOf: (s) => `service "${s.slug}"`,

  async writeNodes(tx, batch, provenance) {
    const events = batch.flatMap((s) => s.events);
    const counts = await writeServiceRecords(
      tx,
      sourceName,
      batch.map((s) => s.service),
      provenance,
    );
    // Events are facts about a service, not records of the file: counted with its links, not as records.
    await upsertNodes(tx, "ServiceEvent", events, provenance);
    return counts;
  },

  async writeLinks(tx, batch, provenance) {
    // Events the list no longer gives are gone from the service's timeline, with their links.
    const removed = await tx.run(
      `UNWIND $current AS row
       MATCH (e:ServiceEvent {listedAs: row.slug}) WHERE NOT e.id IN row.ids
       DETACH DELETE e
       RETURN count(*) AS n`,
      { current: batch.map((s) => ({ slug: s.slug, ids: s.events.map((e) => e.id) })) },
    );
    const removedEvents = { counts: { relationshipsDeleted: toNumber(removed.records[0]?.get("n") ?? 0) }, rejected: [] };
    // The services the records belong to (settled with the records); their owners follow the records.
    const services = await serviceIdsOf(
      tx,
      sourceName,
      batch.map((s) => s.slug),
    );
    const events = batch.flatMap((s, index) => s.events.map((e) => ({ index, from: services.get(s.slug)!, to: e.id })));
    const unmatchedOwners = batch.flatMap((s, index) =>
      s.unmatchedOwners.map((name) => ({
        index,
        reason: `organisation "${name}" matches no GOV.UK organisation: the service is imported without it; add it to data/import/data/organisation-aliases.csv`,
      })),
    );
    return sumLinkResults(
      removedEvents,
      // The events it no longer gives went above: nothing to prune.
      await mergeLinks(tx, { from: "Service", type: "HAS_EVENT", to: "ServiceEvent" }, events, provenance),
      { counts: {}, rejected: unmatchedOwners },
    );
  },
  // Services' entrances and owners may have changed: so may who delivers the step-by-step stages that link to them.
  finish: deriveStageResponsibilities,
};
