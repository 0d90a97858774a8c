/**
 * Hand-offs and gaps across every service, or one service's or one department's, as at a date, as
 * sortable tables a page at a time; each downloads every matching row from the gateway's CSV files.
 */
import { go } from "./address.js";
import { request } from "./api.js";
import { addDepartments, addServices, selectValue } from "./choices.js";
import { createDataTable, type Column, type DataTable } from "./data-table.js";
import { dateInput, readDate, writeDate } from "./date-input.js";
import { byId, shortName, tag } from "./dom.js";
import { operations, type Types } from "./operations.js";

type Handoff = Types.HandoffsQuery["handoffs"]["edges"][number]["node"];
type Gap = Types.GapsQuery["gaps"]["edges"][number]["node"];

const pageSize = 100;
const names = (list: { name: string; acronym: string | null }[]) => list.map(shortName).join(", ");

const gapKinds: Record<Types.GapKind, string> = {
  MISSING_PROFESSION: "Profession missing",
  NO_RESPONSIBLE_ORGANISATION: "Nobody responsible",
  NOBODY_WORKING: "Nobody working",
  CLOSED_ORGANISATION_RESPONSIBLE: "Closed organisation responsible",
};

const handoffColumns: Column<Handoff>[] = [
  { heading: "Service", value: (h) => h.service.name },
  { heading: "From stage", value: (h) => `${h.fromStage.position}. ${h.fromStage.name}` },
  { heading: "To stage", value: (h) => `${h.toStage.position}. ${h.toStage.name}` },
  { heading: "Handed over by", value: (h) => names(h.from) },
  { heading: "Taken over by", value: (h) => names(h.to) },
  { heading: "Continuing", value: (h) => names(h.continuing) },
];

function gapDetail(gap: Gap): string {
  if (gap.profession) return gap.profession.name;
  if (gap.organisation) return `${shortName(gap.organisation)}${gap.successors.length ? `, succeeded by ${names(gap.successors)}` : ""}`;
  return "";
}

const gapColumns: Column<Gap>[] = [
  { heading: "Service", value: (g) => g.service.name },
  { heading: "Stage", value: (g) => `${g.stage.position}. ${g.stage.name}` },
  { heading: "Gap", value: (g) => gapKinds[g.kind], render: (g) => tag(gapKinds[g.kind], g.kind === "MISSING_PROFESSION" ? "orange" : "red") },
  { heading: "Detail", value: gapDetail },
];

export interface TablesView {
  /** Shows both tables for the address's `service`, `department` and `asAt`, the gaps of its `kind` only when it names one. */
  show(params: URLSearchParams): Promise<void>;
}

/** The filters as the address holds them. */
interface Filters {
  service: string | null;
  department: string | null;
  asAt: string | null;
  kind: string;
}

/** The gateway's file of every row matching the filters (gateway/analysis-csv-route.ts). */
function fileAddress(
  table: "handoffs" | "gaps",
  filters: { serviceId: string | null; departmentId: string | null; asAt: string | null; kinds?: string | null },
): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
  const text = query.toString();
  return `/csv/${table}${text ? `?${text}` : ""}`;
}

export function createTablesView(): TablesView {
  byId("tables-dates").replaceChildren(
    dateInput({ id: "tables-as-at", legend: "As at (optional)", hint: "Both tables as they stood on this day; today when left empty" }),
  );
  const serviceSelect = byId<HTMLSelectElement>("tables-service");
  const departmentSelect = byId<HTMLSelectElement>("tables-department");
  const kindSelect = byId<HTMLSelectElement>("gaps-kind");
  let asAt: string | null = null;
  let serviceId: string | null = null;
  let departmentId: string | null = null;
  let kind: Types.GapKind | "" = "";
  const scope = () => ({ serviceId, departmentId, asAt });
  const handoffs = createDataTable(byId("handoffs-table"), {
    id: "handoffs",
    caption: "Hand-offs between organisations",
    rowName: "hand-off",
    columns: handoffColumns,
    csvFilename: "handoffs.csv",
    downloadFrom: () => fileAddress("handoffs", scope()),
    async fetchPage(after) {
      const { handoffs: page } = await request(operations.handoffs, { ...scope(), first: pageSize, after });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  const gaps: DataTable = createDataTable(byId("gaps-table"), {
    id: "gaps",
    caption: "Gaps in services",
    rowName: "gap",
    columns: gapColumns,
    csvFilename: "gaps.csv",
    downloadFrom: () => fileAddress("gaps", { ...scope(), kinds: kind || null }),
    async fetchPage(after) {
      const { gaps: page } = await request(operations.gaps, { ...scope(), kinds: kind ? [kind] : null, first: pageSize, after });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  let shown: Filters | undefined;
  const sendForm = (date: string | null) =>
    go("tables", { service: serviceSelect.value, department: departmentSelect.value, asAt: date, kind: kindSelect.value });
  byId<HTMLFormElement>("gaps-form").addEventListener("submit", (event) => {
    event.preventDefault();
    go("tables", { ...shown, kind: kindSelect.value });
  });
  byId<HTMLFormElement>("tables-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const read = readDate("tables-as-at");
    if (read) sendForm(read.date);
  });
  let lists: Promise<unknown> | undefined;
  return {
    async show(params) {
      const wanted: Filters = {
        service: params.get("service"),
        department: params.get("department"),
        asAt: params.get("asAt"),
        kind: params.get("kind") ?? "",
      };
      // Back from an address sent a moment ago can arrive as the address already shown: the tables stand,
      // but the form (which may have been changed since) is set from the address again.
      const tablesShowIt = shown !== undefined && JSON.stringify(shown) === JSON.stringify(wanted);
      // Only the gaps depend on the kind: the hand-offs stay as they are when it alone changes.
      const handoffsChanged = !shown || shown.service !== wanted.service || shown.department !== wanted.department || shown.asAt !== wanted.asAt;
      shown = wanted;
      lists ??= Promise.all([addServices(serviceSelect), addDepartments(departmentSelect)]);
      await lists;
      if (shown !== wanted) return;
      selectValue(serviceSelect, wanted.service);
      selectValue(departmentSelect, wanted.department);
      writeDate("tables-as-at", wanted.asAt);
      kindSelect.value = wanted.kind in gapKinds ? wanted.kind : "";
      const read = readDate("tables-as-at");
      if (!read || tablesShowIt) return;
      asAt = read.date;
      serviceId = wanted.service;
      departmentId = wanted.department;
      kind = wanted.kind in gapKinds ? (wanted.kind as Types.GapKind) : "";
      await Promise.all([handoffsChanged && handoffs.reload(), gaps.reload()]);
    },
  };
}
