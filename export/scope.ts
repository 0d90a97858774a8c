/**
 * An export request's scope and who may have it, checked alike where the files are written (the
 * gateway) and where the records are read (each subgraph): a bad parameter is refused with its name.
 */
import { hasRole, type Viewer } from "../platform/caller.js";
import { isValidDate } from "../platform/dates.js";
import type { ExportScope } from "./records.js";

/** A refusal of an export request: its HTTP status, GraphQL-style code and the sentence for the caller. */
export class ExportRequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The body sent with it, shaped as a GraphQL error so one client reads both. */
  get body(): string {
    return JSON.stringify({ errors: [{ message: this.message, extensions: { code: this.code } }] });
  }
}

const badInput = (message: string) => new ExportRequestError(400, "BAD_USER_INPUT", message);

/** The scope of an export request (`asAt`: YYYY-MM-DD, today when left out; `withPeople`: true or false). */
export function exportScopeOf(query: URLSearchParams, today = new Date().toISOString().slice(0, 10)): ExportScope {
  const asAt = query.get("asAt") ?? today;
  if (!isValidDate(asAt)) throw badInput(`asAt: "${asAt}" is not a date that exists, as YYYY-MM-DD (for example 2022-06-01).`);
  const withPeople = query.get("withPeople") ?? "false";
  if (withPeople !== "true" && withPeople !== "false") throw badInput(`withPeople: "${withPeople}" is not true or false.`);
  return { asAt, withPeople: withPeople === "true" };
}

/** Refuses a parameter the request may not carry, naming it and those it may. */
export function refuseUnknownParameters(query: URLSearchParams, known: readonly string[]): void {
  const unknown = [...new Set(query.keys())].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw badInput(`${unknown.join(", ")}: not a parameter of an export; it takes ${known.join(", ")}.`);
}

/** People's names are for readers, in an export as in a query. */
export function refuseUnlessMayExport(scope: ExportScope, viewer: Viewer | undefined): void {
  if (!scope.withPeople || hasRole(viewer, "reader")) return;
  throw viewer
    ? new ExportRequestError(403, "FORBIDDEN", "An export with people needs the reader role, which your token does not grant.")
    : new ExportRequestError(
        401,
        "UNAUTHENTICATED",
        "An export with people needs a token with the reader role: people's names are not public. Without withPeople the export leaves them out.",
      );
}
