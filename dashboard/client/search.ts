/** Search across everything: organisations, people, services, stages, communities and professions. */
import { addressOf, go } from "./address.js";
import { request } from "./api.js";
import { createDetailsPanel, readSelection, selectionText, type Selection } from "./details.js";
import { dateInput, longDate, readDate, writeDate } from "./date-input.js";
import { byId, h, linkButton, plural, showStatus, stackOnPhones, tag } from "./dom.js";
import { typeLabel } from "./labels.js";
import { operations, type Types } from "./operations.js";

type Hit = Types.SearchQuery["search"]["edges"][number]["node"];

const typeNames: Record<Types.SearchType, string> = {
  ORGANISATION: "Organisation",
  PERSON: "Person",
  SERVICE: "Service",
  STAGE: "Stage",
  COMMUNITY: "Community",
  PROFESSION: "Profession",
};

export interface SearchView {
  /** Shows the results for the address's `text` as at `asAt`, with the organisation or person `select`ed. */
  show(params: URLSearchParams): Promise<void>;
}

export function createSearchView(): SearchView {
  const form = byId<HTMLFormElement>("search-form");
  const input = byId<HTMLInputElement>("search-text");
  const formGroup = byId("search-form-group");
  const errorMessage = byId("search-text-error");
  const errorSummary = byId("search-error-summary");
  const results = byId("search-results");
  byId("search-dates").replaceChildren(
    dateInput({ id: "search-as-at", legend: "As at (optional)", hint: "Leaves out organisations that had not opened by this day, with statuses as on it" }),
  );

  function about(hit: Hit): string {
    if (hit.organisation)
      return [hit.organisation.acronym, typeLabel(hit.organisation.type), hit.organisation.status === "CLOSED" ? "closed" : null].filter(Boolean).join(", ");
    if (hit.person) return hit.person.jobTitle ?? "";
    if (hit.stage) return `Stage ${hit.stage.position} of ${hit.stage.service?.name ?? "a service"}`;
    if (hit.community) return hit.community.kind === "SERVICE_COMMUNITY" ? "Service community" : "Community of practice";
    if (hit.profession) return hit.profession.family ? `${hit.profession.family} family` : "";
    return hit.service?.description ?? "";
  }

  let searched: { text: string; asAt: string | null } = { text: "", asAt: null };
  const details = createDetailsPanel(byId("search-details"), (selection) => selectResult(selection));
  const selectResult = (selection: Selection) => go("search", { ...searched, select: selectionText(selection) });

  function nameCell(hit: Hit): Node | string {
    if (hit.organisation || hit.person) {
      const selection: Selection = { kind: hit.organisation ? "organisation" : "person", id: hit.id };
      return linkButton(hit.name, () => selectResult(selection), { "data-select": selectionText(selection) });
    }
    const serviceId = hit.service?.id ?? hit.stage?.service?.id;
    if (serviceId) return h("a", { class: "govuk-link", href: addressOf("journey", { service: serviceId }) }, hit.name);
    return hit.name;
  }

  function setError(message: string | undefined): void {
    formGroup.classList.toggle("govuk-form-group--error", Boolean(message));
    input.classList.toggle("govuk-input--error", Boolean(message));
    errorMessage.hidden = !message;
    errorSummary.hidden = !message;
    if (message) {
      errorMessage.replaceChildren(h("span", { class: "govuk-visually-hidden" }, "Error: "), message);
      byId("search-error-summary-message").textContent = message;
      input.setAttribute("aria-describedby", "search-text-hint search-text-error");
      errorSummary.focus();
    } else {
      input.setAttribute("aria-describedby", "search-text-hint");
    }
  }

  async function search(text: string, asAt: string | null): Promise<void> {
    showStatus(results, "Searching…", "loading");
    try {
      const { search } = await request(operations.search, { text, asAt, first: 25, types: null });
      const hits = search.edges.map((e) => e.node);
      results.replaceChildren(
        h(
          "p",
          { class: "govuk-body", role: "status" },
          search.totalCount > hits.length
            ? `${plural(search.totalCount, "result")}; the best ${hits.length} are shown.`
            : `${plural(search.totalCount, "result")}.`,
        ),
        hits.length === 0
          ? ""
          : h(
              "div",
              { class: "dashboard-table-scroller", role: "region", "aria-label": "Search results", tabindex: "0" },
              stackOnPhones(
                h(
                  "table",
                  { class: "govuk-table", id: "search-results-table" },
                  h(
                    "caption",
                    { class: "govuk-table__caption govuk-table__caption--m" },
                    `Results for “${text}”${asAt ? ` as at ${longDate(asAt)}` : ""}, best first`,
                  ),
                  h(
                    "thead",
                    { class: "govuk-table__head" },
                    h(
                      "tr",
                      { class: "govuk-table__row" },
                      ["Name", "Type", "About"].map((t) => h("th", { scope: "col", class: "govuk-table__header" }, t)),
                    ),
                  ),
                  h(
                    "tbody",
                    { class: "govuk-table__body" },
                    hits.map((hit) =>
                      h(
                        "tr",
                        { class: "govuk-table__row" },
                        h("td", { class: "govuk-table__cell" }, nameCell(hit)),
                        h("td", { class: "govuk-table__cell" }, tag(typeNames[hit.type], "grey")),
                        h("td", { class: "govuk-table__cell" }, about(hit)),
                      ),
                    ),
                  ),
                ),
              ),
            ),
      );
    } catch (error) {
      showStatus(results, (error as Error).message, "error");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text.length < 2) return setError("Enter at least 2 letters to search for");
    setError(undefined);
    const asAt = readDate("search-as-at");
    if (!asAt) return;
    go("search", { text, asAt: asAt.date });
  });

  let shownKey: string | undefined;
  return {
    async show(params) {
      const wanted = { text: params.get("text") ?? "", asAt: params.get("asAt") };
      const key = JSON.stringify(wanted);
      if (key !== shownKey) {
        shownKey = key;
        searched = wanted;
        details.clear();
        input.value = wanted.text;
        writeDate("search-as-at", wanted.asAt);
        if (!wanted.text) {
          results.replaceChildren();
        } else {
          const asAt = readDate("search-as-at");
          if (wanted.text.length < 2) setError("Enter at least 2 letters to search for");
          else if (asAt) {
            setError(undefined);
            await search(wanted.text, asAt.date);
          }
        }
        if (shownKey !== key) return;
      }
      const selection = readSelection(params.get("select"));
      if (!selection) return details.clear();
      if (details.shown() === selectionText(selection)) return;
      const button = results.querySelector<HTMLElement>(`[data-select="${CSS.escape(selectionText(selection))}"]`);
      await details.show(selection, button ? { text: "Back to the results", target: button } : undefined);
    },
  };
}
