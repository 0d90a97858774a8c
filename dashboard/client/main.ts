/**
 * The dashboard: its views over the gateway's GraphQL API, one shown at a time and chosen by the
 * address's #fragment (#journey, #network, #tables, #services, #changes, #search, #edit, #signin). The journey map of Starting a Business
 * loads first, before anyone has chosen anything.
 */
import { initAll } from "govuk-frontend";
import { createChangesView } from "./changes.js";
import { createDetailsPanel } from "./details.js";
import { createEditView } from "./editing.js";
import { byId } from "./dom.js";
import { createJourneyView, defaultServiceId } from "./journey.js";
import { createNetworkView } from "./network.js";
import { createSearchView } from "./search.js";
import { createServicesView } from "./services.js";
import { createTablesView } from "./tables.js";
import { createSignInView } from "./session.js";

const views = ["journey", "network", "tables", "services", "changes", "search", "edit", "signin"] as const;
type ViewName = (typeof views)[number];

const journey = createJourneyView(createDetailsPanel(byId("journey-details")));
const network = createNetworkView();
const tables = createTablesView();
const servicesView = createServicesView();
const changes = createChangesView();
const edit = createEditView();
// A sign-in coming back from the provider finishes (and reloads) before any view asks as nobody.
const reloading = await createSignInView();
createSearchView({ details: createDetailsPanel(byId("search-details")), openJourney: (serviceId) => void journey.load(serviceId) });

const viewLoaders: Record<ViewName, () => Promise<void>> = {
  journey: async () => {},
  network: () => network.show(),
  tables: () => tables.show(),
  services: () => servicesView.show(),
  changes: () => changes.show(),
  search: async () => {},
  edit: () => edit.show(),
  signin: async () => {},
};

function currentView(): ViewName {
  const name = location.hash.slice(1);
  return (views as readonly string[]).includes(name) ? (name as ViewName) : "journey";
}

function showView(moveFocus: boolean): void {
  const active = currentView();
  for (const name of views) {
    byId(`${name}-view`).hidden = name !== active;
    const link = byId(`nav-${name}`);
    link.parentElement?.classList.toggle("govuk-service-navigation__item--active", name === active);
    if (name === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const heading = byId(`${active}-view`).querySelector("h1");
  document.title = `${heading?.textContent ?? "Dashboard"} – Service Graph`;
  // Like a page load for a screen reader: focus lands on the new view's heading.
  if (moveFocus) heading?.focus();
  void viewLoaders[active]();
}

initAll();
if (!reloading) {
  window.addEventListener("hashchange", () => showView(true));
  showView(false);
  const services = journey.loadServices();
  // A graph without the demo data shows its first service instead.
  void journey.load(defaultServiceId).then(async (found) => {
    const first = (await services)[0];
    if (!found && first) await journey.load(first);
  });
}
