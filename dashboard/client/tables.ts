/** Hand-offs and gaps across every service, as sortable tables with CSV downloads. */
import { go } from "./address.js";
import { request } from "./api.js";
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
  /** Shows both tables as at the address's `asAt`, the gaps of its `kind` only when it names one. */
  show(params: URLSearchParams): Promise<void>;
}

export function createTablesView(): TablesView {
  byId("tables-dates").replaceChildren(
    dateInput({ id: "tables-as-at", legend: "As at (optional)", hint: "Both tables as they stood on this day; today when left empty" }),
  );
  let asAt: string | null = null;
  let kind: Types.GapKind | "" = "";
  const handoffs = createDataTable(byId("handoffs-table"), {
    id: "handoffs",
    caption: "Hand-offs between organisations, across all services",
    rowName: "hand-off",
    columns: handoffColumns,
    csvFilename: "handoffs.csv",
    async fetchPage(after) {
      const { handoffs: page } = await request(operations.handoffs, { asAt, first: pageSize, after });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  const kindSelect = byId<HTMLSelectElement>("gaps-kind");
  const gaps: DataTable = createDataTable(byId("gaps-table"), {
    id: "gaps",
    caption: "Gaps in services, across all services",
    rowName: "gap",
    columns: gapColumns,
    csvFilename: "gaps.csv",
    async fetchPage(after) {
      const { gaps: page } = await request(operations.gaps, { asAt, kinds: kind ? [kind] : null, first: pageSize, after });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  const sendForm = (date: string | null) => go("tables", { asAt: date, kind: kindSelect.value });
  byId<HTMLFormElement>("gaps-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendForm(asAt);
  });
  byId<HTMLFormElement>("tables-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const read = readDate("tables-as-at");
    if (read) sendForm(read.date);
  });
  let shown: { asAt: string | null; kind: string } | undefined;
  return {
    async show(params) {
      const wanted = { asAt: params.get("asAt"), kind: params.get("kind") ?? "" };
      if (shown && shown.asAt === wanted.asAt && shown.kind === wanted.kind) return;
      const dateChanged = !shown || shown.asAt !== wanted.asAt;
      shown = wanted;
      writeDate("tables-as-at", wanted.asAt);
      kindSelect.value = wanted.kind;
      const read = readDate("tables-as-at");
      if (!read) return;
      asAt = read.date;
      kind = wanted.kind in gapKinds ? (wanted.kind as Types.GapKind) : "";
      await Promise.all([dateChanged && handoffs.reload(), gaps.reload()]);
    },
  };
}
