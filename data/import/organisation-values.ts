/**
 * GOV.UK's words for an organisation's type, status and reason for closing, as the API's enums
 * name them (schema/shared.graphql, schema/organisations.graphql; docs/adr/0011). The graph stores the
 * enum names; a word GOV.UK starts using that is not here rejects its record, naming the word, and
 * nothing is stored as a new value.
 */
import { RecordError } from "./parse.js";

/** An enum name from GOV.UK's words: `Non-ministerial department` → `NON_MINISTERIAL_DEPARTMENT`. */
export const enumNameOf = (text: string): string =>
  text
    .trim()
    .replace(/[\s-]+/g, "_")
    .toUpperCase();

export const organisationTypes = [
  "MINISTERIAL_DEPARTMENT",
  "NON_MINISTERIAL_DEPARTMENT",
  "EXECUTIVE_AGENCY",
  "EXECUTIVE_NON_DEPARTMENTAL_PUBLIC_BODY",
  "ADVISORY_NON_DEPARTMENTAL_PUBLIC_BODY",
  "AD_HOC_ADVISORY_GROUP",
  "PUBLIC_CORPORATION",
  "INDEPENDENT_MONITORING_BODY",
  "SPECIAL_HEALTH_AUTHORITY",
  "TRIBUNAL",
  "COURT",
  "EXECUTIVE_OFFICE",
  "CIVIL_SERVICE",
  "DEVOLVED_GOVERNMENT",
  "DEVOLVED_ADMINISTRATION",
  "SUB_ORGANISATION",
  "OTHER",
] as const;
export const organisationStatuses = ["LIVE", "CLOSED", "EXEMPT", "JOINING", "TRANSITIONING", "DEVOLVED"] as const;
export const organisationClosedStatuses = ["NO_LONGER_EXISTS", "REPLACED", "SPLIT", "MERGED", "CHANGED_NAME", "LEFT_GOV", "DEVOLVED"] as const;

/** One of `known`, from GOV.UK's word in `field`; a word outside it is refused by name. */
export function knownValue<T extends string>(text: string, field: string, known: readonly T[]): T {
  const name = enumNameOf(text);
  if (!(known as readonly string[]).includes(name)) throw new RecordError(`${field} "${text}" is not a known value (${known.join(", ")})`);
  return name as T;
}
