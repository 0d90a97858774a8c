/**
 * Services by department, phase and theme: the ownership scorecard, one group's services (chosen in
 * the form, or a department's services not assessed lately, from the scorecard), and the counts, as
 * sortable tables.
 */
import { go } from "./address.js";
import { request } from "./api.js";
import { createDataTable, type Column } from "./data-table.js";
import { dateInput, readDate, writeDate } from "./date-input.js";
import { byId, h, linkButton, nameWithAcronym, plural, shortName } from "./dom.js";
import { groupKeyLabel, phaseLabel } from "./labels.js";
import { operations, type Types } from "./operations.js";

type Scorecard = Types.OwnershipScorecardQuery["ownershipScorecard"]["edges"][number]["node"];
type Count = Types.ServiceCountsQuery["serviceCounts"]["edges"][number]["node"];
type Listing = Types.ServicesInQuery["servicesIn"]["edges"][number]["node"];

/** Which services the list shows, and how its caption names them. */
interface Group {
  by: Types.ServiceGrouping;
  key: string;
  name: string;
  notAssessedSince: string | null;
}

const countColumns = (by: Types.ServiceGrouping, heading: string): Column<Count>[] => [
  { heading, value: (c) => (c.key === "none" ? "Not given" : groupKeyLabel(by, c.key)) },
  { heading: "Services", value: (c) => c.serviceCount, numeric: true },
];

const listingColumns: Column<Listing>[] = [
  { heading: "Service", value: (l) => l.service.name },
  { heading: "Owners", value: (l) => l.owners.map(shortName).join(", ") },
  { heading: "Phase", value: (l) => phaseLabel(l.service.phase) ?? "Not given" },
  {
    heading: "Last assessment",
    value: (l) => l.lastAssessment?.label ?? "None",
    render: (l) =>
      !l.lastAssessment
        ? "None"
        : l.lastAssessment.reportUrl
          ? h("a", { class: "govuk-link", href: l.lastAssessment.reportUrl, rel: "noreferrer" }, l.lastAssessment.label)
          : l.lastAssessment.label,
  },
  { heading: "Assessed on", value: (l) => String(l.lastAssessment?.date ?? "") },
  { heading: "Source", value: (l) => l.lastAssessment?.source ?? "" },
];

/** An option's value: what it groups by and the group's key. */
const optionValue = (by: Types.ServiceGrouping, key: string) => `${by}:${key}`;

export interface ServicesView {
  /**
   * Shows the scorecard as at the address's `asAt` and, when it names a `group` (`DEPARTMENT:<id>`,
   * `PHASE:<phase>`, `THEME:<theme>`), that group's services (those not assessed `since` a date only,
   * when it gives one).
   */
  show(params: URLSearchParams): Promise<void>;
}

export function createServicesView(): ServicesView {
  byId("services-dates").replaceChildren(
    dateInput({ id: "services-as-at", legend: "As at (optional)", hint: "The scorecard as it stood on this day; today when left empty" }),
  );
  let asAt: string | null = null;
  let group: Group | undefined;
  const heading = byId("services-in-heading");
  const select = byId<HTMLSelectElement>("services-in-group");
  const groupNames = new Map<string, string>();

  const listing = createDataTable(byId("services-in-table"), {
    id: "services-in",
    get caption() {
      if (!group) return "Choose a department, phase or theme";
      return group.notAssessedSince ? `Services of ${group.name} not assessed since ${group.notAssessedSince}` : `Services of ${group.name}`;
    },
    rowName: "service",
    columns: listingColumns,
    csvFilename: "services.csv",
    async fetchPage(after) {
      if (!group) return { rows: [], totalCount: 0, hasNextPage: false, endCursor: null };
      const { servicesIn: page } = await request(operations.servicesIn, {
        by: group.by,
        key: group.key,
        notAssessedSince: group.notAssessedSince,
        first: 100,
        after,
      });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  const listingContainer = byId("services-in-table");
  // Nothing to list until a group is chosen.
  listingContainer.hidden = true;
  const choose = async (chosen: Group | undefined) => {
    group = chosen;
    listingContainer.hidden = !chosen;
    if (chosen) await listing.reload();
  };

  const scorecardColumns: Column<Scorecard>[] = [
    { heading: "Department", value: (s) => shortName(s.department) },
    { heading: "Services", value: (s) => s.serviceCount, numeric: true },
    { heading: "Stages", value: (s) => s.stageCount, numeric: true },
    { heading: "Stages with nobody responsible", value: (s) => s.unassignedStageCount, numeric: true },
    { heading: "Gaps", value: (s) => s.gapCount, numeric: true },
    {
      heading: "Services not assessed in 3 years",
      value: (s) => s.notRecentlyAssessedServiceCount,
      numeric: true,
      // The count opens the list of those services.
      render: (s) =>
        s.notRecentlyAssessedServiceCount === 0
          ? "0"
          : linkButton(
              String(s.notRecentlyAssessedServiceCount),
              () => {
                groupNames.set(optionValue("DEPARTMENT", s.department.id), nameWithAcronym(s.department));
                go("services", { asAt, group: optionValue("DEPARTMENT", s.department.id), since: String(s.assessedSince) });
              },
              { "aria-label": `${plural(s.notRecentlyAssessedServiceCount, "service")} of ${shortName(s.department)} not assessed in 3 years: list them` },
            ),
    },
  ];
  const scorecard = createDataTable(byId("scorecard-table"), {
    id: "scorecard",
    caption: "Ownership scorecard, by department",
    rowName: "department",
    columns: scorecardColumns,
    csvFilename: "ownership-scorecard.csv",
    async fetchPage(after) {
      const { ownershipScorecard: page } = await request(operations.ownershipScorecard, { asAt, first: 100, after });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  const counts = (by: Types.ServiceGrouping, id: string, heading: string) =>
    createDataTable(byId(`${id}-table`), {
      id,
      caption: `Services by ${heading.toLowerCase()}`,
      rowName: heading.toLowerCase(),
      columns: countColumns(by, heading),
      csvFilename: `services-by-${heading.toLowerCase()}.csv`,
      async fetchPage(after) {
        const { serviceCounts: page } = await request(operations.serviceCounts, { by, first: 100, after });
        return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
      },
    });
  const phases = counts("PHASE", "phase-counts", "Phase");
  const themes = counts("THEME", "theme-counts", "Theme");

  /** The form's choices: every department, phase and theme with services, and how many each has. */
  async function loadChoices(): Promise<void> {
    const groups = await Promise.all(
      (["DEPARTMENT", "PHASE", "THEME"] as const).map(async (by) => {
        const { serviceCounts } = await request(operations.serviceCounts, { by, first: 500, after: null });
        return { by, counts: serviceCounts.edges.map((e) => e.node) };
      }),
    );
    const labels = { DEPARTMENT: "Departments", PHASE: "Phases", THEME: "Themes" };
    select.replaceChildren(
      h("option", { value: "" }, "Choose one"),
      ...groups.map(({ by, counts: rows }) =>
        h(
          "optgroup",
          { label: labels[by] },
          rows
            .filter((c) => by !== "DEPARTMENT" || c.department)
            .map((c) => {
              const key = by === "DEPARTMENT" ? c.department!.id : c.key;
              const name = by === "DEPARTMENT" ? nameWithAcronym(c.department!) : c.key === "none" ? `no ${by.toLowerCase()} given` : groupKeyLabel(by, c.key);
              groupNames.set(optionValue(by, key), name);
              return h("option", { value: optionValue(by, key) }, `${name} (${c.serviceCount})`);
            }),
        ),
      ),
    );
  }

  byId<HTMLFormElement>("services-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (select.value) go("services", { asAt, group: select.value });
  });

  byId<HTMLFormElement>("services-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const read = readDate("services-as-at");
    if (read) go("services", { asAt: read.date, group: group && optionValue(group.by, group.key), since: group?.notAssessedSince });
  });

  let choices: Promise<void> | undefined;
  let counted: Promise<unknown> | undefined;
  let shown: { asAt: string | null; group: string; since: string | null } | undefined;
  return {
    async show(params) {
      const wanted = { asAt: params.get("asAt"), group: params.get("group") ?? "", since: params.get("since") };
      if (shown && JSON.stringify(shown) === JSON.stringify(wanted)) {
        // The lists stand; the form, which may have been changed since (Back just after sending), follows the address.
        writeDate("services-as-at", wanted.asAt);
        select.value = wanted.group;
        return;
      }
      const before = shown;
      shown = wanted;
      counted ??= Promise.all([phases.reload(), themes.reload()]);
      const loading: Promise<unknown>[] = [counted];
      if (!before || before.asAt !== wanted.asAt) {
        writeDate("services-as-at", wanted.asAt);
        const read = readDate("services-as-at");
        if (read) {
          asAt = read.date;
          loading.push(scorecard.reload());
        }
      }
      if (!before || before.group !== wanted.group || before.since !== wanted.since) {
        choices ??= loadChoices().catch((error: unknown) => {
          select.replaceChildren(h("option", { value: "" }, `The choices could not be loaded: ${(error as Error).message}`));
        });
        loading.push(
          choices.then(() => {
            const mark = wanted.group.indexOf(":");
            select.value = wanted.group;
            if (mark < 0) return choose(undefined);
            const by = wanted.group.slice(0, mark) as Types.ServiceGrouping;
            const key = wanted.group.slice(mark + 1);
            const chosen = choose({ by, key, name: groupNames.get(wanted.group) ?? key, notAssessedSince: wanted.since });
            // From the scorecard's count: the list it opened is further down the page.
            if (wanted.since) heading.scrollIntoView();
            return chosen;
          }),
        );
      }
      await Promise.all(loading);
    },
  };
}
