/**
 * What changed between two dates (the API's `changes`): organisations opened, closed, renamed or moved
 * under another parent, responsibilities that passed between organisations, and, for readers, people
 * who joined or left; filtered by department and kind, each with its date and its source. A date known
 * only between two snapshots is shown as such. The download holds every matching change.
 */
import { go } from "./address.js";
import { request } from "./api.js";
import { addDepartments, selectValue } from "./choices.js";
import { createDataTable, type Column, type DataTable } from "./data-table.js";
import { dateError, dateInput, longDate, readDate, todayIso, writeDate } from "./date-input.js";
import { byId, h, nameWithAcronym, shortName, tag } from "./dom.js";
import { operations, type Types } from "./operations.js";
import { currentToken } from "./session.js";

type Change = Types.ChangesQuery["changes"]["edges"][number]["node"];

const changeKinds: Record<Types.ChangeKind, string> = {
  OPENED: "Opened",
  CLOSED: "Closed",
  RENAMED: "Renamed",
  MOVED: "Moved to another parent",
  RESPONSIBILITY_MOVED: "Responsibility moved",
  JOINED: "Person joined",
  LEFT: "Person left",
};

const peopleKinds: readonly Types.ChangeKind[] = ["JOINED", "LEFT"];

const names = (list: { name: string; acronym: string | null }[]) => list.map(shortName).join(", ");

/** When it happened, in words: the day, or the two days it is known to fall between. */
function whenText(change: Pick<Change, "date" | "dateEarliest" | "dateLatest" | "approximate">): string {
  if (!change.approximate) return change.date ? longDate(change.date) : "Not known";
  const latest = change.dateLatest ?? change.date;
  if (!change.dateEarliest) return latest ? `On or before ${longDate(latest)}` : "Not known";
  return `Between ${longDate(change.dateEarliest)} and ${latest ? longDate(latest) : "today"}`;
}

/** A source as text, its web addresses as links a reader can follow. */
function sourceCell(source: string | null): Node | string {
  if (!source) return "Not recorded";
  const parts = source.split(/(https?:\/\/[^\s)]+)/);
  return h(
    "span",
    { class: "changes__source" },
    parts.map((part, i) => (i % 2 === 1 ? h("a", { class: "govuk-link", href: part, rel: "noreferrer" }, part) : part)),
  );
}

const columns: Column<Change>[] = [
  {
    heading: "Date",
    value: (c) => c.date ?? "",
    render: (c) => h("span", {}, whenText(c), c.approximate && [" ", tag("Approximate", "grey")]),
  },
  { heading: "Kind", value: (c) => changeKinds[c.kind] },
  { heading: "What changed", value: (c) => c.description },
  { heading: "Organisation", value: (c) => (c.organisation ? nameWithAcronym(c.organisation) : (c.via?.name ?? "")) },
  { heading: "From", value: (c) => names(c.from) },
  { heading: "To", value: (c) => names(c.to) },
  { heading: "Source", value: (c) => c.source ?? "", render: (c) => sourceCell(c.source) },
  // In the download only: what a spreadsheet needs to sort and filter on the dates' bounds.
  { heading: "Known after", value: (c) => (c.approximate ? (c.dateEarliest ?? "") : ""), csvOnly: true },
  { heading: "Known by", value: (c) => (c.approximate ? (c.dateLatest ?? c.date ?? "") : ""), csvOnly: true },
  { heading: "Approximate", value: (c) => (c.approximate ? "yes" : "no"), csvOnly: true },
  { heading: "Subject", value: (c) => `${c.subject.kind.toLowerCase()} ${c.subject.id}`, csvOnly: true },
];

/** A change is a few sentences: half the other tables' page, so a page stays readable. */
const pageSize = 50;

export interface ChangesView {
  /**
   * Shows the changes between the address's `from` (five years back when it names none) and `to`,
   * touching its `department`, of its `kinds` (comma-separated; every kind when none).
   */
  show(params: URLSearchParams): Promise<void>;
}

/** Five years back by default: the period opens on something worth seeing before anything is chosen. */
const defaultFrom = () => `${Number(todayIso().slice(0, 4)) - 5}${todayIso().slice(4)}`;

export function createChangesView(): ChangesView {
  const form = byId<HTMLFormElement>("changes-form");
  const departmentSelect = byId<HTMLSelectElement>("changes-department");
  byId("changes-dates").replaceChildren(
    dateInput({ id: "changes-from", legend: "From", hint: "Changes after this day, for example 1 6 2022" }),
    dateInput({ id: "changes-to", legend: "To (optional)", hint: "Up to and including this day; today when left empty" }),
  );
  const kindBoxes = () => [...form.querySelectorAll<HTMLInputElement>('input[name="kind"]')];
  // Who joined or left is about named people: the API refuses those kinds without a token, so they are not offered.
  const signedOut = currentToken() === null;
  const offered = (Object.entries(changeKinds) as [Types.ChangeKind, string][]).filter(([kind]) => !(signedOut && peopleKinds.includes(kind)));
  byId("changes-kinds").replaceChildren(
    ...offered.map(([kind, label]) =>
      h(
        "div",
        { class: "govuk-checkboxes__item" },
        h("input", { class: "govuk-checkboxes__input", id: `changes-kind-${kind}`, name: "kind", type: "checkbox", value: kind }),
        h("label", { class: "govuk-label govuk-checkboxes__label", for: `changes-kind-${kind}` }, label),
      ),
    ),
  );
  if (signedOut) byId("changes-kinds-hint").append(". ", h("a", { class: "govuk-link", href: "#signin" }, "Sign in"), " to see people who joined or left");

  let period: { from: string; to: string | null } = { from: defaultFrom(), to: null };
  let departmentId: string | null = null;
  let kinds: Types.ChangeKind[] = [];
  const table: DataTable = createDataTable(byId("changes-table"), {
    id: "changes",
    caption: "What changed, oldest first",
    rowName: "change",
    columns,
    csvFilename: "changes.csv",
    downloadEveryRow: { pageSize: 500 },
    async fetchPage(after, size = pageSize) {
      const { changes: page } = await request(operations.changes, {
        ...period,
        departmentId,
        kinds: kinds.length ? kinds : null,
        first: size,
        after,
      });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });

  /** The period typed in, or undefined (with the error shown) when it is not one. */
  function readPeriod(): typeof period | undefined {
    const from = readDate("changes-from", "The start date");
    const to = readDate("changes-to", "The end date");
    if (!from || !to) return undefined;
    if (!from.date) return (dateError("changes-from", "Enter the start date"), undefined);
    if (from.date >= (to.date ?? todayIso())) return (dateError("changes-from", "The start date must be before the end date"), undefined);
    return { from: from.date, to: to.date };
  }

  const checkedKinds = () =>
    kindBoxes()
      .filter((box) => box.checked)
      .map((box) => box.value);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const read = readPeriod();
    if (!read) return;
    go("changes", { from: read.from, to: read.to, department: departmentSelect.value, kinds: checkedKinds().join(",") });
  });

  let departments: Promise<void> | undefined;
  let shown: string | undefined;
  return {
    async show(params) {
      const key = params.toString();
      // Back from an address sent a moment ago can arrive as the address already shown: the table stands,
      // but the form (which may have been changed since) is set from the address again.
      const tableShowsIt = key === shown;
      shown = key;
      departments ??= addDepartments(departmentSelect);
      await departments;
      if (shown !== key) return;
      writeDate("changes-from", params.get("from") ?? defaultFrom());
      writeDate("changes-to", params.get("to"));
      const wantedKinds = (params.get("kinds") ?? "")
        .split(",")
        .filter((k) => k in changeKinds && !(signedOut && peopleKinds.includes(k as Types.ChangeKind))) as Types.ChangeKind[];
      for (const box of kindBoxes()) box.checked = wantedKinds.includes(box.value as Types.ChangeKind);
      const wantedDepartment = params.get("department");
      selectValue(departmentSelect, wantedDepartment);
      const read = readPeriod();
      if (!read || tableShowsIt) return;
      period = read;
      departmentId = wantedDepartment || null;
      kinds = wantedKinds;
      await table.reload();
    },
  };
}
