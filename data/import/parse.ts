/** What every import source's parse shares: its result, the checks that name the field they check, and GOV.UK's slugs. */

/** A parsed record, or why it is rejected; `skip` marks a record that is not data (a totals row, say), counted but not reported. */
export type Parsed<T> = { ok: true; item: T } | { ok: false; reason: string; skip?: boolean };

/** Plain checks used by every source's parse, each naming the field it checks. */
export const check = {
  object(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  },
  text(record: Record<string, unknown>, field: string, options: { required?: boolean; max?: number } = {}): string | null {
    const value = record[field];
    if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) {
      if (options.required) throw new RecordError(`${field} is missing`);
      return null;
    }
    if (typeof value !== "string") throw new RecordError(`${field} must be text, not ${typeof value}`);
    const text = value.trim();
    if (options.max && text.length > options.max) throw new RecordError(`${field} is longer than ${options.max} characters`);
    return text;
  },
};

/** A record that fails a check; the message says which field and why. */
export class RecordError extends Error {
  override name = "RecordError";
}

/** A record that holds no data of ours (a totals row, say): skipped, not rejected. */
export class SkipRecord extends RecordError {
  override name = "SkipRecord";
}

/** Runs a parse function, turning a RecordError into a rejection (or a skip). */
export function parsing<T>(parse: () => T): Parsed<T> {
  try {
    return { ok: true, item: parse() };
  } catch (error) {
    if (error instanceof SkipRecord) return { ok: false, reason: error.message, skip: true };
    if (error instanceof RecordError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** A GOV.UK slug: lower-case words joined by hyphens (a few real ones hold an underscore). */
export const slugPattern = /^[a-z0-9][a-z0-9_-]*$/;
