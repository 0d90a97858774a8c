/**
 * A service's phase and theme in one form, whichever source writes them (docs/adr/0009-one-service-one-node.md):
 * - phases are a closed set, stored as the API's ServicePhase names (BETA; docs/adr/0011): a value outside
 *   it is refused, naming it, never stored as a new phase;
 * - themes are written freely ("Government Internal" in six files of the services list, "Government internal"
 *   in thirteen): they are one theme when they differ only in case or spacing, spelt in sentence case
 *   (the first word capitalised, every other word in lower case unless it is written in capitals, as
 *   "UK" or "COVID-19" are), and the source's own spelling is kept beside it when it differs.
 */
import { RecordError } from "./parse.js";

/**
 * The delivery phases the sources use: the Service Manual's discovery, alpha, beta and live, and retired;
 * "backlog" (a portfolio's service not yet started) and "experimental" (the services list's Work Hub).
 */
export const servicePhases = ["BACKLOG", "DISCOVERY", "ALPHA", "BETA", "LIVE", "RETIRED", "EXPERIMENTAL"] as const;
export type ServicePhase = (typeof servicePhases)[number];

/**
 * A phase as a source writes it ("Beta", "beta"), as its ServicePhase name; null for a word the source
 * uses to say it does not know (the services list's "Unknown"). Any other value is refused by name.
 */
export function phaseOf(text: string, field: string, unknownWords: readonly string[] = []): ServicePhase | null {
  const written = text.trim();
  if (unknownWords.includes(written.toLowerCase())) return null;
  const phase = written.toUpperCase();
  if (!(servicePhases as readonly string[]).includes(phase))
    throw new RecordError(`${field} "${written}" is not a known phase (${[...servicePhases.map((p) => p.toLowerCase()), ...unknownWords].join(", ")})`);
  return phase as ServicePhase;
}

/** A word written in capitals (an acronym: UK, HMRC, COVID-19) keeps them. */
const inCapitals = (word: string): boolean => /[A-Z]{2}/.test(word) && word === word.toUpperCase();

/** A theme in its one spelling, by the rule above. */
export function normaliseTheme(text: string): string {
  const words = text.trim().split(/\s+/);
  return words
    .map((word, i) => {
      if (inCapitals(word)) return word;
      const lower = word.toLowerCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    })
    .join(" ");
}

/** The theme's properties of a service: the one spelling, and the source's own when it differs. */
export function themeProps(text: string | null): { theme: string | null; themeAsWritten: string | null } {
  if (text === null) return { theme: null, themeAsWritten: null };
  const theme = normaliseTheme(text);
  return { theme, themeAsWritten: theme === text ? null : text };
}
