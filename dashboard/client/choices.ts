/** The lists a view's filters choose from: every organisation that has been a department, every service. */
import { request } from "./api.js";
import { h, nameWithAcronym } from "./dom.js";
import { operations } from "./operations.js";

/** Adds every department to the select, closed ones marked; a convenience, so a failure leaves it as it was. */
export async function addDepartments(select: HTMLSelectElement): Promise<void> {
  try {
    const { organisations } = await request(operations.departments, { asAt: null });
    select.append(...organisations.map((o) => h("option", { value: o.id }, `${nameWithAcronym(o)}${o.statusAt === "CLOSED" ? " (closed)" : ""}`)));
  } catch {
    // The view loads without the list: what the address names is still asked for.
  }
}

/** Adds every service to the select, by name; as addDepartments, a failure leaves it as it was. */
export async function addServices(select: HTMLSelectElement): Promise<void> {
  try {
    const { services } = await request(operations.services, {});
    select.append(...services.map((s) => h("option", { value: s.id }, s.name)));
  } catch {
    // As above.
  }
}

/** Selects the value, adding it named by its id when the list has not got it (closed before the list's date, mistyped, beyond its limit). */
export function selectValue(select: HTMLSelectElement, value: string | null): void {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(h("option", { value }, value));
  select.value = value ?? "";
}
