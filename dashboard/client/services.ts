/** Services by department, phase and theme: the ownership scorecard and the counts, as sortable tables. */
import { request } from "./api.js";
import { createDataTable, type Column } from "./data-table.js";
import { byId, shortName } from "./dom.js";
import { operations, type Types } from "./operations.js";

type Scorecard = Types.OwnershipScorecardQuery["ownershipScorecard"]["edges"][number]["node"];
type Count = Types.ServiceCountsQuery["serviceCounts"]["edges"][number]["node"];

const scorecardColumns: Column<Scorecard>[] = [
  { heading: "Department", value: (s) => shortName(s.department) },
  { heading: "Services", value: (s) => s.services, numeric: true },
  { heading: "Stages", value: (s) => s.stages, numeric: true },
  { heading: "Stages with nobody responsible", value: (s) => s.unassignedStages, numeric: true },
  { heading: "Gaps", value: (s) => s.gaps, numeric: true },
  { heading: "Services not assessed in 3 years", value: (s) => s.servicesNotRecentlyAssessed, numeric: true },
];

const countColumns = (heading: string): Column<Count>[] => [
  { heading, value: (c) => (c.key === "none" ? "Not given" : c.key) },
  { heading: "Services", value: (c) => c.services, numeric: true },
];

export interface ServicesView {
  show(): Promise<void>;
}

export function createServicesView(): ServicesView {
  const scorecard = createDataTable(byId("scorecard-table"), {
    id: "scorecard",
    caption: "Ownership scorecard, by department",
    rowName: "department",
    columns: scorecardColumns,
    csvFilename: "ownership-scorecard.csv",
    async fetchPage(after) {
      const { ownershipScorecard: page } = await request(operations.ownershipScorecard, { first: 100, after });
      return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
    },
  });
  const counts = (by: Types.ServiceGrouping, id: string, heading: string) =>
    createDataTable(byId(`${id}-table`), {
      id,
      caption: `Services by ${heading.toLowerCase()}`,
      rowName: heading.toLowerCase(),
      columns: countColumns(heading),
      csvFilename: `services-by-${heading.toLowerCase()}.csv`,
      async fetchPage(after) {
        const { serviceCounts: page } = await request(operations.serviceCounts, { by, first: 100, after });
        return { rows: page.edges.map((e) => e.node), totalCount: page.totalCount, ...page.pageInfo };
      },
    });
  const phases = counts("PHASE", "phase-counts", "Phase");
  const themes = counts("THEME", "theme-counts", "Theme");
  let loaded: Promise<void> | undefined;
  return {
    show: () => (loaded ??= Promise.all([scorecard.reload(), phases.reload(), themes.reload()]).then(() => undefined)),
  };
}
