/** Building the page from data without innerHTML: text is always text, never markup. */

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

function apply(element: Element, attributes: Attributes, children: (Child | Child[])[]): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** An HTML element; attributes named on… are event listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attributes, children);
  return element;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Child | Child[])[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  apply(element, attributes, children);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** "HM Revenue & Customs (HMRC)", or the name alone when the acronym adds nothing. */
export function nameWithAcronym(organisation: { name: string; acronym: string | null }): string {
  return organisation.acronym && organisation.acronym !== organisation.name ? `${organisation.name} (${organisation.acronym})` : organisation.name;
}

export function shortName(organisation: { name: string; acronym: string | null }): string {
  return organisation.acronym ?? organisation.name;
}

export function tag(text: string, colour?: string): HTMLElement {
  return h("strong", { class: `govuk-tag${colour ? ` govuk-tag--${colour}` : ""}` }, text);
}

/** A button that looks like a link: it selects something on the page rather than going somewhere. */
export function linkButton(text: string | Node, onSelect: (event: Event) => void, attributes: Attributes = {}): HTMLButtonElement {
  return h("button", { type: "button", class: "dashboard-link-button", onclick: onSelect, ...attributes }, text);
}

/** A GOV.UK summary list of the rows that have a value. */
export function summaryList(rows: [string, Child | Child[]][]): HTMLElement {
  const present = rows.filter(([, value]) => value !== null && value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0));
  return h(
    "dl",
    { class: "govuk-summary-list" },
    present.map(([key, value]) =>
      h(
        "div",
        { class: "govuk-summary-list__row" },
        h("dt", { class: "govuk-summary-list__key" }, key),
        h("dd", { class: "govuk-summary-list__value" }, value),
      ),
    ),
  );
}

export function bulletList(items: Child[]): HTMLElement {
  return h(
    "ul",
    { class: "govuk-list govuk-list--bullet" },
    items.map((item) => h("li", {}, item)),
  );
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;
}

/** Shows that something is loading, or what went wrong, in a region screen readers follow. */
export function showStatus(region: HTMLElement, message: string, kind: "loading" | "error"): void {
  region.replaceChildren(
    kind === "error"
      ? h(
          "div",
          { class: "govuk-error-summary", "data-module": "govuk-error-summary" },
          h(
            "div",
            { role: "alert" },
            h("h2", { class: "govuk-error-summary__title" }, "There is a problem"),
            h("div", { class: "govuk-error-summary__body" }, h("p", { class: "govuk-body" }, message)),
          ),
        )
      : h("p", { class: "govuk-body dashboard-loading", role: "status" }, message),
  );
}

/** For request()'s `waiting`: says in a loading region that the API asked for a pause (its rate limit), and how long. */
export function waitingIn(region: HTMLElement): (seconds: number) => void {
  return (seconds) => showStatus(region, `The service has had many requests from here just now: trying again in ${plural(seconds, "second")}…`, "loading");
}

/**
 * Marks a table to be shown on a phone as a card per row, each cell under its column's heading
 * (dashboard.css): the headings are copied to the cells, for the stylesheet to show beside them.
 */
export function stackOnPhones<T extends HTMLTableElement>(table: T): T {
  table.classList.add("dashboard-stacked");
  const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
  for (const row of table.querySelectorAll("tbody tr"))
    [...row.children].forEach((cell, i) => {
      const heading = headings[i];
      if (heading) cell.setAttribute("data-label", heading);
    });
  return table;
}
