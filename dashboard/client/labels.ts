/**
 * The words the dashboard shows for the API's enums: GOV.UK's own ("Non-ministerial department",
 * "live"), never the enum names. Each table names every value, so a value added to the schema fails
 * the type check until it has its words here.
 */
import type { OrganisationStatus, OrganisationType, ServiceGrouping, ServicePhase } from "./generated/graphql.js";

export const organisationTypeLabels: Record<OrganisationType, string> = {
  MINISTERIAL_DEPARTMENT: "Ministerial department",
  NON_MINISTERIAL_DEPARTMENT: "Non-ministerial department",
  EXECUTIVE_AGENCY: "Executive agency",
  EXECUTIVE_NON_DEPARTMENTAL_PUBLIC_BODY: "Executive non-departmental public body",
  ADVISORY_NON_DEPARTMENTAL_PUBLIC_BODY: "Advisory non-departmental public body",
  AD_HOC_ADVISORY_GROUP: "Ad-hoc advisory group",
  PUBLIC_CORPORATION: "Public corporation",
  INDEPENDENT_MONITORING_BODY: "Independent monitoring body",
  SPECIAL_HEALTH_AUTHORITY: "Special health authority",
  TRIBUNAL: "Tribunal",
  COURT: "Court",
  EXECUTIVE_OFFICE: "Executive office",
  CIVIL_SERVICE: "Civil service",
  DEVOLVED_GOVERNMENT: "Devolved government",
  DEVOLVED_ADMINISTRATION: "Devolved administration",
  SUB_ORGANISATION: "Sub organisation",
  OTHER: "Other",
};

export const organisationStatusLabels: Record<OrganisationStatus, string> = {
  LIVE: "live",
  CLOSED: "closed",
  EXEMPT: "exempt",
  JOINING: "joining",
  TRANSITIONING: "transitioning",
  DEVOLVED: "devolved",
};

export const servicePhaseLabels: Record<ServicePhase, string> = {
  BACKLOG: "backlog",
  DISCOVERY: "discovery",
  ALPHA: "alpha",
  BETA: "beta",
  LIVE: "live",
  RETIRED: "retired",
  EXPERIMENTAL: "experimental",
};

/** The departments: the types whose organisations head a family (graph/read.ts says the same in Cypher). */
export const departmentTypes: readonly OrganisationType[] = ["MINISTERIAL_DEPARTMENT", "NON_MINISTERIAL_DEPARTMENT"];

export const typeLabel = (type: OrganisationType | null | undefined): string | null => (type ? organisationTypeLabels[type] : null);
export const statusLabel = (status: OrganisationStatus | null | undefined): string | null => (status ? organisationStatusLabels[status] : null);
/** A `serviceCounts` key in words: a phase's (its ServicePhase name), or a theme or department name as it is. */
export const groupKeyLabel = (by: ServiceGrouping, key: string): string => (by === "PHASE" ? (servicePhaseLabels[key as ServicePhase] ?? key) : key);
export const phaseLabel = (phase: ServicePhase | null | undefined): string | null => (phase ? servicePhaseLabels[phase] : null);
