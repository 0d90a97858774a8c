/**
 * The dashboard: its views over the gateway's GraphQL API, one shown at a time and chosen by the
 * address's #fragment (#journey, #network, #tables, #services, #changes, #search, #edit, #signin), which also
 * holds what the view shows (address.ts). The journey map of Starting a Business loads first, before
 * anyone has chosen anything.
 */
import { initAll } from "govuk-frontend";
import { addressOf, readAddress, whenSameAddress } from "./address.js";
import { createChangesView } from "./changes.js";
import { byId } from "./dom.js";
import { createEditView } from "./editing.js";
import { createJourneyView } from "./journey.js";
import { createNetworkView } from "./network.js";
import { createSearchView } from "./search.js";
import { createServicesView } from "./services.js";
import { createTablesView } from "./tables.js";
import { createSignInView } from "./session.js";

const views = ["journey", "network", "tables", "services", "changes", "search", "edit", "signin"] as const;
type ViewName = (typeof views)[number];

/** A view shows what its part of the address asks for, and keeps it until the address changes. */
interface View {
  show(params: URLSearchParams): Promise<void>;
}

const viewsByName: Record<ViewName, View> = {
  journey: createJourneyView(),
  network: createNetworkView(),
  tables: createTablesView(),
  services: createServicesView(),
  changes: createChangesView(),
  search: createSearchView(),
  edit: createEditView(),
  signin: { show: async () => {} },
};
// A sign-in coming back from the provider finishes (and reloads) before any view asks as nobody.
const reloading = await createSignInView();

const isView = (name: string): name is ViewName => (views as readonly string[]).includes(name);
let active: ViewName | undefined;

function showView(): void {
  const { view, params } = readAddress();
  // An address naming a place on the page (a skip link's #main-content) leaves the view as it is.
  if (view && !isView(view) && active) return;
  const next = isView(view) ? view : "journey";
  const moveFocus = active !== undefined && active !== next;
  active = next;
  for (const name of views) {
    byId(`${name}-view`).hidden = name !== next;
    const link = byId(`nav-${name}`);
    link.parentElement?.classList.toggle("govuk-service-navigation__item--active", name === next);
    if (name === next) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // The navigation goes back to each view as it was last shown.
  byId<HTMLAnchorElement>(`nav-${next}`).href = addressOf(next, Object.fromEntries(params));
  byId("skip-to-map").hidden = next !== "journey";
  const heading = byId(`${next}-view`).querySelector("h1");
  document.title = `${heading?.textContent ?? "Dashboard"} – Service Graph`;
  // Like a page load for a screen reader: focus lands on the new view's heading.
  if (moveFocus) heading?.focus();
  void viewsByName[next].show(params);
}

initAll();
// GOV.UK Frontend moves focus for a skip link; its target is kept out of the address, which holds the view.
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest(".govuk-skip-link")) event.preventDefault();
});
if (!reloading) {
  window.addEventListener("hashchange", showView);
  whenSameAddress(showView);
  showView();
}
