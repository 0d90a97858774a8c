/**
 * What the page shows, in its address: the view and, after a "?", what that view shows
 * (`#journey?service=employ-someone&asAt=2022-06-01&select=organisation:acas`), so a reload, a shared
 * link or the browser's back and forward buttons bring back the same view. The address is the one
 * source of a view's state: a form or a selection changes the address, and the view follows it.
 */

/** A view's state as it stands in the address: names to values, absent ones left out. */
export type Params = Record<string, string | null | undefined>;

export interface Address {
  view: string;
  params: URLSearchParams;
}

export function readAddress(hash = location.hash): Address {
  const fragment = hash.replace(/^#/, "");
  const mark = fragment.indexOf("?");
  return mark < 0
    ? { view: fragment, params: new URLSearchParams() }
    : { view: fragment.slice(0, mark), params: new URLSearchParams(fragment.slice(mark + 1)) };
}

export function addressOf(view: string, params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  const text = query.toString();
  return `#${view}${text ? `?${text}` : ""}`;
}

let onSameAddress: (() => void) | undefined;

/** Told when go() is asked for the address already shown (no hashchange follows): a form sent again. */
export function whenSameAddress(handler: () => void): void {
  onSameAddress = handler;
}

/**
 * Shows `view` with `params`: a new entry in the browser's history, or in place of the current one
 * when `replace` (a correction nobody would go back to, such as the service a default stands for).
 */
export function go(view: string, params: Params, { replace = false } = {}): void {
  const next = addressOf(view, params);
  if (next === location.hash) return onSameAddress?.();
  if (replace) location.replace(next);
  else location.hash = next;
}
