/**
 * The journey map: a service's stages across the page in order, a row per lane (frontstage,
 * backstage, support) with the organisations responsible and the people of theirs working there,
 * then the professions present, the hand-offs between organisations and the gaps, highlighted.
 */
import { request } from "./api.js";
import { currentToken } from "./session.js";
import { go } from "./address.js";
import { createDetailsPanel, readSelection, selectionText, type Selection } from "./details.js";
import { dateInput, longDate, readDate, todayIso, writeDate } from "./date-input.js";
import { compareJourneys, comparisonTable, differencesAt, type JourneyComparison } from "./journey-comparison.js";
import { bulletList, byId, h, linkButton, plural, shortName, showStatus, tag, waitingIn } from "./dom.js";
import { keyboardGrid, type KeyboardGrid } from "./keyboard-grid.js";
import { operations, type Types } from "./operations.js";

type Journey = NonNullable<Types.JourneyMapQuery["journey"]>;
type JourneyStage = Journey["stages"][number];
type StagePerson = JourneyStage["people"]["edges"][number];
type Responsibility = JourneyStage["responsibilities"][number];

export const defaultServiceId = "starting-a-business";

/** StageResponsibility.derivation, in words. */
const derivations: Record<string, string> = {
  "service-address": "runs the service this step links to",
  "organisation-domain": "the step links to its site",
  curated: "curated",
};

const lanes: { lane: Types.Lane; name: string; hint: string }[] = [
  { lane: "FRONTSTAGE", name: "Frontstage", hint: "What the user sees and does" },
  { lane: "BACKSTAGE", name: "Backstage", hint: "Work out of the user's sight" },
  { lane: "SUPPORT", name: "Support", hint: "Systems, policy and partners" },
];

export interface Gap {
  stage: JourneyStage["stage"];
  text: string;
}

/** What needs attention on a stage, read from the journey itself so the map needs no second request. */
export function stageGaps(stage: JourneyStage): Gap[] {
  const gaps: Gap[] = [];
  if (stage.responsibilities.length === 0)
    gaps.push({
      stage: stage.stage,
      text: stage.journeyOwners.length ? "No organisation assigned: the journey's owners hold it" : "No organisation responsible",
    });
  if (stage.people.totalCount === 0) gaps.push({ stage: stage.stage, text: "Nobody working on it" });
  for (const profession of stage.missingProfessions) gaps.push({ stage: stage.stage, text: `No ${profession.name} profession` });
  for (const r of stage.responsibilities.filter((r) => r.organisation.status === "CLOSED")) {
    const successors = r.successors.map(shortName).join(", ");
    gaps.push({ stage: stage.stage, text: `${shortName(r.organisation)} has closed${successors ? `; succeeded by ${successors}` : ""}` });
  }
  return gaps;
}

export interface JourneyView {
  /**
   * Shows what the address asks for: the journey of `service` (Starting a Business, or the first
   * service when the graph has not got it, when none is named) as at `asAt`, compared with `compare`,
   * with the organisation or person `select`ed (at the stage `at`) in the details panel.
   */
  show(params: URLSearchParams): Promise<void>;
}

/** The journey's state as the address holds it. */
interface JourneyState {
  service: string | null;
  asAt: string | null;
  compare: string | null;
}

export function createJourneyView(): JourneyView {
  const form = byId<HTMLFormElement>("journey-form");
  const select = byId<HTMLSelectElement>("journey-service");
  const summary = byId("journey-summary");
  const map = byId("journey-map");
  const comparisonRegion = byId("journey-comparison");
  let serviceId = defaultServiceId;
  let comparison: JourneyComparison | undefined;
  /** What the map shows now, and what the address asked for when it was drawn. */
  let state: JourneyState = { service: null, asAt: null, compare: null };
  let drawn: string | undefined;
  const stateKey = (s: JourneyState) => JSON.stringify([s.service, s.asAt, s.compare]);
  const details = createDetailsPanel(byId("journey-details"), (selection) => selectOnMap(selection));
  /** The stage of the last thing selected on the map, so the details' link back returns to it. */
  let at: string | null = null;
  let grid: KeyboardGrid | undefined;
  // The skip link to the map lands on the grid's cell, one Tab fewer to the first organisation.
  map.addEventListener("focus", () => grid?.focus());

  function selectOnMap(selection: Selection, stageId = at): void {
    go("journey", { ...state, select: selectionText(selection), at: stageId });
  }
  /** The button selected on the map: in the stage it was selected at, or the first one for it. */
  function selectedButton(selection: Selection, stageId: string | null): HTMLElement | undefined {
    const buttons = [...map.querySelectorAll<HTMLElement>("[data-select]")].filter((b) => b.dataset["select"] === selectionText(selection));
    return buttons.find((b) => b.closest<HTMLElement>("[data-stage]")?.dataset["stage"] === stageId) ?? buttons[0];
  }
  const onMap = (selection: Selection) => (event: Event) =>
    selectOnMap(selection, (event.currentTarget as HTMLElement).closest<HTMLElement>("[data-stage]")?.dataset["stage"] ?? null);
  byId("journey-dates").replaceChildren(
    dateInput({ id: "journey-as-at", legend: "As at (optional)", hint: "For example, 1 6 2022 shows it before the 2023 changes to departments" }),
    dateInput({ id: "journey-compare", legend: "Compare with (optional)", hint: "Another date: the map marks what moved between the two" }),
  );

  // The visible text starts the accessible name, so speech users can say what they see.
  const organisationButton = (o: { id: string; name: string; acronym: string | null }) =>
    linkButton(
      h("span", {}, shortName(o), h("span", { class: "govuk-visually-hidden" }, `${shortName(o) === o.name ? "" : ` (${o.name})`}: show details`)),
      onMap({ kind: "organisation", id: o.id }),
      { title: o.name, "data-select": `organisation:${o.id}` },
    );

  const personEntry = (edge: StagePerson) =>
    h(
      "li",
      { class: "journey-map__person" },
      linkButton(h("span", {}, edge.node.name, h("span", { class: "govuk-visually-hidden" }, ": show details")), onMap({ kind: "person", id: edge.node.id }), {
        "data-select": `person:${edge.node.id}`,
      }),
      h("span", { class: "journey-map__role" }, `${edge.role}${edge.professions.length ? ` · ${edge.professions.map((p) => p.name).join(", ")}` : ""}`),
    );

  /** How an import knew the responsibility, with the link it read: evidence a reader can follow. */
  const derivationNote = (r: Responsibility) =>
    r.derivation &&
    r.evidence &&
    h(
      "span",
      { class: "journey-map__evidence" },
      derivations[r.derivation] ?? r.derivation,
      " (",
      h(
        "a",
        { class: "govuk-link", href: r.evidence, rel: "noreferrer" },
        "evidence",
        h("span", { class: "govuk-visually-hidden" }, ` for ${shortName(r.organisation)}`),
      ),
      ")",
    );

  function responsibilityEntry(r: Responsibility, people: StagePerson[], moved: string | undefined): HTMLElement {
    const closed = r.organisation.status === "CLOSED";
    const department = r.department && r.department.id !== r.organisation.id ? r.department : undefined;
    return h(
      "li",
      { class: `journey-map__organisation${closed ? " journey-map__organisation--closed" : ""}` },
      organisationButton(r.organisation),
      department && h("span", { class: "journey-map__department" }, `part of ${shortName(department)}`),
      derivationNote(r),
      closed && h("span", { class: "journey-map__closed" }, tag("Closed", "red"), r.successors.length ? ` now ${r.successors.map(shortName).join(", ")}` : ""),
      moved && h("span", { class: "journey-map__moved" }, tag("Moved", "blue"), ` ${moved}`),
      people.length > 0 && h("ul", { class: "journey-map__people", "aria-label": `People from ${shortName(r.organisation)}` }, people.map(personEntry)),
    );
  }

  /** The other of the two dates compared, and what the difference was on it. */
  function onOtherDate(difference: { before: string; after: string }, shown: string): { day: string; state: string } {
    const onEarlier = shown === comparison!.earlier;
    return { day: longDate(onEarlier ? comparison!.later : comparison!.earlier), state: onEarlier ? difference.after : difference.before };
  }

  function laneCell(stage: JourneyStage, lane: Types.Lane, shown: string): HTMLTableCellElement {
    const differences = differencesAt(comparison, stage.stage.id, lane);
    const movedOf = (r: Responsibility) => {
      const d = differences.find((x) => x.organisation?.id === r.organisation.id);
      if (!d) return undefined;
      const other = onOtherDate(d, shown);
      return `${other.state} on ${other.day}`;
    };
    const cell = laneCellContent(stage, lane, movedOf);
    // What moved between the two dates compared, marked where it is: a tag and who held it on the other date.
    const holders = differences.find((d) => !d.organisation);
    if (holders) {
      const other = onOtherDate(holders, shown);
      cell.classList.add("journey-map__cell--changed");
      cell.append(h("p", { class: "govuk-body-s journey-map__changed" }, tag("Changed", "blue"), ` On ${other.day}: ${other.state}`));
    }
    return cell;
  }

  function laneCellContent(stage: JourneyStage, lane: Types.Lane, movedOf: (r: Responsibility) => string | undefined): HTMLTableCellElement {
    const held = stage.responsibilities.filter((r) => r.lane === lane);
    // Nobody assigned: the journey's owners stand in the frontstage lane, marked as such, never an empty map.
    if (held.length === 0 && lane === "FRONTSTAGE" && stage.journeyOwners.length > 0)
      return h(
        "td",
        { class: "govuk-table__cell journey-map__cell journey-map__cell--unassigned" },
        h("p", { class: "govuk-body-s journey-map__unassigned" }, tag("Not assigned", "grey"), " Owner of the journey; stage not assigned"),
        h(
          "ul",
          { class: "journey-map__list" },
          stage.journeyOwners.map((o) => h("li", { class: "journey-map__organisation journey-map__organisation--owner" }, organisationButton(o))),
        ),
      );
    if (held.length === 0)
      return h("td", { class: "govuk-table__cell journey-map__cell journey-map__cell--empty" }, h("span", { class: "govuk-visually-hidden" }, "None"));
    const worksFor = (edge: StagePerson, organisationId: string) => edge.organisations.some((o) => o.id === organisationId);
    return h(
      "td",
      { class: "govuk-table__cell journey-map__cell" },
      h(
        "ul",
        { class: "journey-map__list" },
        held.map((r) =>
          responsibilityEntry(
            r,
            stage.people.edges.filter((e) => worksFor(e, r.organisation.id)),
            movedOf(r),
          ),
        ),
      ),
    );
  }

  function peopleCell(stage: JourneyStage): HTMLTableCellElement {
    const responsible = new Set(stage.responsibilities.map((r) => r.organisation.id));
    const others = stage.people.edges.filter((e) => !e.organisations.some((o) => responsible.has(o.id)));
    const unlisted = stage.people.totalCount - stage.people.edges.length;
    return h(
      "td",
      { class: "govuk-table__cell journey-map__cell" },
      h("p", { class: "govuk-body-s journey-map__count" }, plural(stage.people.totalCount, "person", "people")),
      stage.professions.length > 0 &&
        h(
          "ul",
          { class: "journey-map__professions", "aria-label": "Professions" },
          stage.professions.map((p) => h("li", {}, `${p.profession.name} (${p.peopleCount})`)),
        ),
      others.length > 0 && [
        h("p", { class: "govuk-body-s journey-map__subheading" }, "From other organisations"),
        h("ul", { class: "journey-map__people" }, others.map(personEntry)),
      ],
      // Names are not public: without a token the gateway sends the count and nobody's name.
      unlisted > 0 &&
        (currentToken() === null
          ? h("p", { class: "govuk-body-s" }, h("a", { class: "govuk-link", href: "#signin" }, "Sign in to see who"))
          : h("p", { class: "govuk-body-s" }, `and ${plural(unlisted, "more person", "more people")}`)),
    );
  }

  function handoffCell(stage: JourneyStage): HTMLTableCellElement {
    const handoff = stage.handoff;
    if (!handoff)
      return h("td", { class: "govuk-table__cell journey-map__cell journey-map__cell--empty" }, h("span", { class: "govuk-visually-hidden" }, "No hand-off"));
    const names = (list: { id: string; name: string; acronym: string | null }[]) => list.map(shortName).join(", ");
    const change =
      handoff.from.length === 0
        ? `${names(handoff.to)} joins`
        : handoff.to.length === 0
          ? `${names(handoff.from)} steps out`
          : `${names(handoff.from)} hands over to ${names(handoff.to)}`;
    return h(
      "td",
      { class: "govuk-table__cell journey-map__cell journey-map__cell--handoff" },
      tag("Hand-off", "purple"),
      h("p", { class: "govuk-body-s journey-map__handoff" }, change),
      handoff.continuing.length > 0 && h("p", { class: "govuk-body-s journey-map__handoff" }, `${names(handoff.continuing)} continues`),
    );
  }

  function gapCell(stage: JourneyStage): HTMLTableCellElement {
    const gaps = stageGaps(stage);
    if (gaps.length === 0)
      return h("td", { class: "govuk-table__cell journey-map__cell journey-map__cell--empty" }, h("span", { class: "govuk-visually-hidden" }, "No gaps"));
    return h(
      "td",
      { class: "govuk-table__cell journey-map__cell journey-map__cell--gap" },
      h(
        "ul",
        { class: "journey-map__gaps" },
        gaps.map((g) => h("li", {}, tag("Gap", "orange"), " ", g.text)),
      ),
    );
  }

  function renderSummary(journey: Journey): void {
    const gaps = journey.stages.flatMap(stageGaps);
    const organisations = new Set(journey.stages.flatMap((s) => s.responsibilities.map((r) => r.organisation.id)));
    const professions = new Set(journey.stages.flatMap((s) => s.professions.map((p) => p.profession.id)));
    // The departments it crosses on the day shown, each organisation counted under its department then.
    const crossed = [...new Set(journey.stages.flatMap((s) => s.responsibilities.map((r) => shortName(r.department ?? r.organisation))))].sort();
    const title = h("h2", { class: "govuk-notification-banner__title", id: "journey-summary-title" }, "How this journey works");
    summary.replaceChildren(
      h(
        "div",
        { class: "govuk-notification-banner", role: "region", "aria-labelledby": "journey-summary-title", "data-module": "govuk-notification-banner" },
        h("div", { class: "govuk-notification-banner__header" }, title),
        h(
          "div",
          { class: "govuk-notification-banner__content" },
          h(
            "p",
            { class: "govuk-notification-banner__heading" },
            `${journey.service.name}: ${plural(journey.stages.length, "stage")}, ${plural(organisations.size, "organisation")} responsible, ${plural(journey.handoffCount, "hand-off")} between them`,
          ),
          // The owners are today's: on another day the stages' responsibilities say who held them then.
          journey.asAt === new Date().toISOString().slice(0, 10) &&
            journey.service.owners.length > 0 &&
            h("p", { class: "govuk-body" }, `Owned by ${journey.service.owners.map(shortName).join(", ")}.`),
          journey.service.description && h("p", { class: "govuk-body" }, journey.service.description),
          crossed.length > 1 && h("p", { class: "govuk-body" }, `On ${journey.asAt} it crosses ${crossed.join(", ")}.`),
          h(
            "p",
            { class: "govuk-body" },
            `People from ${plural(professions.size, "profession")} work on it. Read the map from left to right: each column is a stage, each row a lane.`,
          ),
          gaps.length
            ? [
                h("p", { class: "govuk-body" }, `${plural(gaps.length, "gap")} to look at:`),
                bulletList(gaps.map((g) => `Stage ${g.stage.position}, ${g.stage.name}: ${g.text}`)),
              ]
            : h("p", { class: "govuk-body" }, "No gaps: every stage has an organisation responsible, people working on it and the professions it expects."),
          h("p", { class: "govuk-body" }, `As at ${journey.asAt}.`),
          comparison &&
            h(
              "p",
              { class: "govuk-body" },
              `Compared with ${comparison.earlier === journey.asAt ? comparison.later : comparison.earlier}: ${plural(comparison.differences.length, "difference")}, marked on the map and listed below it.`,
            ),
        ),
      ),
    );
  }

  function renderMap(journey: Journey): void {
    const stages = journey.stages;
    const row = (heading: Node | string, cells: HTMLTableCellElement[], className = "") => {
      cells.forEach((cell, i) => (cell.dataset["stage"] = stages[i]!.stage.id));
      return h("tr", { class: `govuk-table__row ${className}` }, h("th", { scope: "row", class: "govuk-table__header journey-map__lane" }, heading), cells);
    };
    const table = h(
      "table",
      { class: "govuk-table journey-map", id: "journey-map-table", "aria-describedby": "journey-map-keys" },
      h("caption", { class: "govuk-table__caption govuk-table__caption--m" }, `${journey.service.name}: who is responsible for each stage`),
      h(
        "thead",
        { class: "govuk-table__head" },
        h(
          "tr",
          { class: "govuk-table__row" },
          h("td", { class: "govuk-table__header journey-map__corner" }),
          stages.map((s) =>
            h(
              "th",
              {
                scope: "col",
                class: `govuk-table__header journey-map__stage${stageGaps(s).length ? " journey-map__stage--gap" : ""}`,
                id: `stage-${s.stage.id}`,
              },
              h("span", { class: "journey-map__position" }, `Stage ${s.stage.position}`),
              h("span", { class: "journey-map__stage-name" }, s.stage.name),
            ),
          ),
        ),
      ),
      h(
        "tbody",
        { class: "govuk-table__body" },
        row("Hand-offs", stages.map(handoffCell), "journey-map__row--handoffs"),
        lanes.map((l) =>
          row(
            h("span", {}, l.name, h("span", { class: "journey-map__lane-hint" }, l.hint)),
            stages.map((s) => laneCell(s, l.lane, journey.asAt)),
            `journey-map__row--${l.lane.toLowerCase()}`,
          ),
        ),
        row("People and professions", stages.map(peopleCell)),
        row("Gaps", stages.map(gapCell), "journey-map__row--gaps"),
      ),
    );
    // Each stage a column wide enough to read on a phone (dashboard.css).
    table.style.setProperty("--stages", String(stages.length));
    // The region scrolls, and the grid in it is its one stop for the Tab key.
    const scroller = h("div", { class: "journey-map__scroller", role: "region", "aria-label": `${journey.service.name} journey map, scrolls sideways` }, table);
    map.replaceChildren(
      h(
        "p",
        { class: "govuk-visually-hidden", id: "journey-map-keys" },
        "Arrow keys move between cells; Enter goes to a cell's buttons and Escape back to the cell.",
      ),
      scroller,
    );
    grid = keyboardGrid(table, scroller);
  }

  function ensureOption(id: string, name: string): void {
    if (![...select.options].some((o) => o.value === id)) select.append(h("option", { value: id }, name));
    select.value = id;
  }

  /**
   * Draws the journey `state` asks for; resolves when the map is on the page, to false when there is
   * no such service (or the address's dates are not dates, which the form then says).
   */
  let loads = 0;
  async function load(id: string, asAt: string | null, compareWith: string | null): Promise<boolean> {
    const ticket = ++loads;
    serviceId = id;
    showStatus(map, "Loading the journey map…", "loading");
    comparisonRegion.replaceChildren();
    try {
      const [{ journey }, other] = await Promise.all([
        request(operations.journey, { serviceId: id, asAt }, { waiting: waitingIn(map) }),
        compareWith && compareWith !== (asAt ?? todayIso())
          ? request(operations.journey, { serviceId: id, asAt: compareWith }, { waiting: waitingIn(map) })
          : undefined,
      ]);
      // The address moved on while this one loaded: the later journey draws instead.
      if (ticket !== loads) return true;
      if (!journey) {
        summary.replaceChildren();
        showStatus(map, "There is no service with that id in the graph.", "error");
        return false;
      }
      comparison = other?.journey ? compareJourneys(journey, other.journey) : undefined;
      ensureOption(journey.service.id, journey.service.name);
      renderSummary(journey);
      renderMap(journey);
      if (comparison) comparisonRegion.replaceChildren(comparisonTable(comparison, journey.service.name));
      // Read by the end-to-end tests and the dashboard benchmark: the first useful view is on the page.
      if (!performance.getEntriesByName("journey-map-rendered").length) performance.mark("journey-map-rendered");
      map.dataset["serviceId"] = journey.service.id;
      return true;
    } catch (error) {
      if (ticket !== loads) return true;
      summary.replaceChildren();
      showStatus(map, (error as Error).message, "error");
      return true;
    }
  }

  let services: Promise<string[]> | undefined;
  async function loadServices(): Promise<string[]> {
    let list;
    try {
      ({ services: list } = await request(operations.services, {}));
    } catch (error) {
      // The map can still show: say why the list to choose from is missing.
      count.textContent = `The list of services could not be loaded: ${(error as Error).message}`;
      return [];
    }
    const shown = [...select.selectedOptions];
    allServices = list.map((s) => ({ id: s.id, name: s.name, words: [s.name, ...(s.synonyms ?? [])].join(" ").toLowerCase() }));
    select.replaceChildren(...list.map((s) => h("option", { value: s.id }, s.name)));
    // The service on show may lie beyond the list's limit: keep it selectable.
    for (const option of shown) ensureOption(option.value, option.text);
    select.value = serviceId;
    if (filter.value.trim()) applyFilter();
    return list.map((s) => s.id);
  }

  const view: JourneyView = {
    async show(params) {
      services ??= loadServices();
      const wanted: JourneyState = { service: params.get("service"), asAt: params.get("asAt"), compare: params.get("compare") };
      if (stateKey(wanted) !== drawn) {
        state = wanted;
        drawn = stateKey(wanted);
        details.clear();
        writeDate("journey-as-at", wanted.asAt);
        writeDate("journey-compare", wanted.compare);
        const asAt = readDate("journey-as-at");
        const compareWith = readDate("journey-compare", "The date to compare with");
        if (!asAt || !compareWith) {
          summary.replaceChildren();
          return showStatus(map, "The address holds a date that is not a date: correct it above and show the journey again.", "error");
        }
        const found = await load(wanted.service ?? defaultServiceId, asAt.date, compareWith.date);
        // A graph without the demo data shows its first service instead.
        const first = (await services)[0];
        if (!found && !wanted.service && first) await load(first, asAt.date, compareWith.date);
        if (drawn !== stateKey(wanted)) return;
      }
      const selection = readSelection(params.get("select"));
      at = params.get("at");
      if (!selection) return details.clear();
      if (details.shown() === selectionText(selection)) return;
      const button = selectedButton(selection, at);
      await details.show(selection, button && { text: "Back to the map", target: button });
    },
  };

  // Finding a service as you type: the list keeps only the services whose name (or another name) holds every word typed.
  const filter = byId<HTMLInputElement>("journey-service-filter");
  const count = byId("journey-service-count");
  let allServices: { id: string; name: string; words: string }[] = [];
  function applyFilter(): void {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const matches = allServices.filter((s) => words.every((w) => s.words.includes(w)));
    select.replaceChildren(...matches.map((s) => h("option", { value: s.id }, s.name)));
    if (matches.length > 0) select.value = matches.some((s) => s.id === serviceId) ? serviceId : matches[0]!.id;
    count.textContent = words.length ? `${plural(matches.length, "service")} of ${allServices.length} match` : "";
  }
  filter.addEventListener("input", applyFilter);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const asAt = readDate("journey-as-at");
    const compareWith = readDate("journey-compare", "The date to compare with");
    if (!asAt || !compareWith) return;
    // Sent again, the journey is read again: the graph may have changed since it was drawn (an edit, an import).
    drawn = undefined;
    go("journey", { service: select.value, asAt: asAt.date, compare: compareWith.date });
  });
  return view;
}
