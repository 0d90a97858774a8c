/**
 * A journey on two dates, compared: for each stage and lane, the organisations responsible on one date
 * and not the other, and the organisations responsible on both whose department or status differs.
 * Read from the two journeys themselves, so the map can mark each difference where it is.
 */
import { longDate } from "./date-input.js";
import { h, shortName, stackOnPhones } from "./dom.js";
import type { Types } from "./operations.js";

type Journey = NonNullable<Types.JourneyMapQuery["journey"]>;
type Responsibility = Journey["stages"][number]["responsibilities"][number];
type Named = { id: string; name: string; acronym: string | null };

const laneNames: Record<Types.Lane, string> = { FRONTSTAGE: "frontstage", BACKSTAGE: "backstage", SUPPORT: "support" };

/** One difference, as the earlier date had it and as the later one has it. */
export interface JourneyDifference {
  stage: { id: string; name: string; position: number };
  lane: Types.Lane;
  /** The organisation whose department or status changed; absent when who is responsible changed. */
  organisation?: Named;
  before: string;
  after: string;
}

export interface JourneyComparison {
  earlier: string;
  later: string;
  differences: JourneyDifference[];
}

const names = (list: Named[]) => (list.length ? list.map(shortName).join(", ") : "nobody");
/** Where an organisation responsible sits on a date: its department then, and whether it had closed. */
const placed = (r: Responsibility) =>
  [
    !r.department ? "no department" : r.department.id === r.organisation.id ? "a department" : `part of ${shortName(r.department)}`,
    r.organisation.status === "CLOSED" ? "closed" : "",
  ]
    .filter(Boolean)
    .join(", ");

export function compareJourneys(a: Journey, b: Journey): JourneyComparison {
  const [earlier, later] = a.asAt <= b.asAt ? [a, b] : [b, a];
  const differences: JourneyDifference[] = [];
  for (const stage of later.stages) {
    const before = earlier.stages.find((s) => s.stage.id === stage.stage.id);
    for (const lane of Object.keys(laneNames) as Types.Lane[]) {
      const then = (before?.responsibilities ?? []).filter((r) => r.lane === lane);
      const now = stage.responsibilities.filter((r) => r.lane === lane);
      const key = (list: Responsibility[]) =>
        list
          .map((r) => r.organisation.id)
          .sort()
          .join(" ");
      if (key(then) !== key(now))
        differences.push({ stage: stage.stage, lane, before: names(then.map((r) => r.organisation)), after: names(now.map((r) => r.organisation)) });
      for (const r of now) {
        const was = then.find((t) => t.organisation.id === r.organisation.id);
        if (was && placed(was) !== placed(r))
          differences.push({ stage: stage.stage, lane, organisation: r.organisation, before: placed(was), after: placed(r) });
      }
    }
  }
  return { earlier: earlier.asAt, later: later.asAt, differences };
}

/** What the map shows for the stage and lane on `shown` (one of the two dates) about the other date. */
export function differencesAt(comparison: JourneyComparison | undefined, stageId: string, lane: Types.Lane): JourneyDifference[] {
  return comparison?.differences.filter((d) => d.stage.id === stageId && d.lane === lane) ?? [];
}

/** The differences as a GOV.UK table, earlier date first. */
export function comparisonTable(comparison: JourneyComparison, service: string): HTMLElement {
  const { earlier, later, differences } = comparison;
  const heading = h("h2", { class: "govuk-heading-m", id: "journey-comparison-heading" }, `What moved between ${longDate(earlier)} and ${longDate(later)}`);
  if (differences.length === 0)
    return h("div", {}, heading, h("p", { class: "govuk-body" }, `${service} had the same organisations responsible, in the same places, on both dates.`));
  const cell = (text: string | Node) => h("td", { class: "govuk-table__cell" }, text);
  return h(
    "div",
    {},
    heading,
    h(
      "div",
      { class: "dashboard-table-scroller", role: "region", "aria-labelledby": "journey-comparison-heading", tabindex: "0" },
      stackOnPhones(
        h(
          "table",
          { class: "govuk-table", id: "journey-comparison-table" },
          h("caption", { class: "govuk-table__caption govuk-table__caption--s" }, `${differences.length} differences, stage by stage`),
          h(
            "thead",
            { class: "govuk-table__head" },
            h(
              "tr",
              { class: "govuk-table__row" },
              ["Stage", "Lane", "What", `On ${longDate(earlier)}`, `On ${longDate(later)}`].map((t) =>
                h("th", { scope: "col", class: "govuk-table__header" }, t),
              ),
            ),
          ),
          h(
            "tbody",
            { class: "govuk-table__body" },
            differences.map((d) =>
              h(
                "tr",
                { class: "govuk-table__row" },
                cell(`${d.stage.position}. ${d.stage.name}`),
                cell(laneNames[d.lane]),
                cell(d.organisation ? `Where ${shortName(d.organisation)} sits` : "Who is responsible"),
                cell(d.before),
                cell(d.after),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
