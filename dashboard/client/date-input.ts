/**
 * The GOV.UK date input (day, month, year) that every view's "as at" date uses, read as YYYY-MM-DD
 * with the Design System's error messages when it is not a date.
 */
import { byId, h } from "./dom.js";

export interface DateInputOptions {
  /** The prefix of its elements' ids: `<id>-day`, `<id>-month`, `<id>-year`, `<id>-error`, `<id>-group`. */
  id: string;
  legend: string;
  hint: string;
}

/** A GOV.UK date input, for a form of the page. */
export function dateInput({ id, legend, hint }: DateInputOptions): HTMLElement {
  const part = (name: "day" | "month" | "year", label: string, width: number) =>
    h(
      "div",
      { class: "govuk-date-input__item" },
      h(
        "div",
        { class: "govuk-form-group" },
        h("label", { class: "govuk-label govuk-date-input__label", for: `${id}-${name}` }, label),
        h("input", {
          class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
          id: `${id}-${name}`,
          name: `${id}-${name}`,
          type: "text",
          inputmode: "numeric",
        }),
      ),
    );
  return h(
    "div",
    { class: "govuk-form-group", id: `${id}-group` },
    h(
      "fieldset",
      { class: "govuk-fieldset", role: "group", "aria-describedby": `${id}-hint` },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, legend),
      h("div", { class: "govuk-hint", id: `${id}-hint` }, hint),
      h("p", { class: "govuk-error-message", id: `${id}-error`, hidden: true }),
      h("div", { class: "govuk-date-input", id }, part("day", "Day", 2), part("month", "Month", 2), part("year", "Year", 4)),
    ),
  );
}

/**
 * The date typed into the date input `id` as YYYY-MM-DD, null when it was left empty; undefined
 * (with a GOV.UK error message shown beside it) when it is not a real date.
 */
export function readDate(id: string, label = "The date"): { date: string | null } | undefined {
  const inputs = (["day", "month", "year"] as const).map((part) => byId<HTMLInputElement>(`${id}-${part}`));
  const [day, month, year] = inputs.map((input) => input.value.trim());
  const group = byId(`${id}-group`);
  const error = byId(`${id}-error`);
  const fieldset = group.querySelector("fieldset");
  const fail = (message: string) => {
    group.classList.add("govuk-form-group--error");
    for (const input of inputs) input.classList.add("govuk-input--error");
    error.replaceChildren(h("span", { class: "govuk-visually-hidden" }, "Error: "), message);
    error.hidden = false;
    fieldset?.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
    inputs[0]!.focus();
    return undefined;
  };
  group.classList.remove("govuk-form-group--error");
  for (const input of inputs) input.classList.remove("govuk-input--error");
  error.hidden = true;
  fieldset?.setAttribute("aria-describedby", `${id}-hint`);
  const read = parseDate(day!, month!, year!, label);
  return "error" in read ? fail(read.error) : read;
}

/** A day, month and year as typed, as YYYY-MM-DD (null when all are empty), or the GOV.UK message saying what is wrong. */
export function parseDate(day: string, month: string, year: string, label = "The date"): { date: string | null } | { error: string } {
  if (!day && !month && !year) return { date: null };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return { error: `${label} must include a day, a month and a year, for example 1 6 2022` };
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return { error: `${label} must be a real date` };
  return { date: date.toISOString().slice(0, 10) };
}

/** Shows an error the page found beside the date input `id` (a start after its end, say). */
export function dateError(id: string, message: string): void {
  byId(`${id}-group`).classList.add("govuk-form-group--error");
  const error = byId(`${id}-error`);
  error.replaceChildren(h("span", { class: "govuk-visually-hidden" }, "Error: "), message);
  error.hidden = false;
  byId<HTMLInputElement>(`${id}-day`).focus();
}

/** Fills the date input `id` with a YYYY-MM-DD date, or empties it. */
export function writeDate(id: string, date: string | null): void {
  // Not a YYYY-MM-DD date (an address typed by hand): kept as it is, for readDate to refuse.
  const [year = "", month = "", day = ""] = /^\d{4}-\d{1,2}-\d{1,2}$/.test(date ?? "")
    ? date!.split("-").map((part) => String(Number(part)))
    : ["", "", date ?? ""];
  byId<HTMLInputElement>(`${id}-day`).value = day;
  byId<HTMLInputElement>(`${id}-month`).value = month;
  byId<HTMLInputElement>(`${id}-year`).value = year;
}

const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** A YYYY-MM-DD date the GOV.UK way: "7 February 2023". */
export function longDate(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  return `${day} ${months[(month ?? 1) - 1]} ${year}`;
}

/** When a dated link held, for a list item: "since 1 April 2021", "1 April 2021 to 31 March 2024", "until …"; empty when undated. */
export function heldFor({ since, until }: { since?: string | null; until?: string | null }): string {
  if (since && until) return `${longDate(since)} to ${longDate(until)}`;
  if (since) return `since ${longDate(since)}`;
  return until ? `until ${longDate(until)}` : "";
}

export const todayIso = (): string => new Date().toISOString().slice(0, 10);
