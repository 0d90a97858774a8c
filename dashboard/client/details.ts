/** The panel that shows one organisation or person, with their links, when they are selected. */
import { request } from "./api.js";
import { bulletList, h, linkButton, nameWithAcronym, plural, showStatus, summaryList, tag } from "./dom.js";
import { operations } from "./operations.js";

export interface DetailsPanel {
  showOrganisation(id: string): Promise<void>;
  showPerson(id: string): Promise<void>;
}

const communityKinds = { SERVICE_COMMUNITY: "service community", COMMUNITY_OF_PRACTICE: "community of practice" } as const;

/** Fills `panel`; selecting a linked organisation or person shows theirs in its place. */
export function createDetailsPanel(panel: HTMLElement): DetailsPanel {
  let latest = 0;

  /** Shows the heading and rows, then moves focus there so keyboard and screen reader users follow. */
  function show(kind: string, title: string, content: Node[]): void {
    const heading = h("h2", { class: "govuk-heading-l", tabindex: "-1", id: `${panel.id}-heading` }, h("span", { class: "govuk-caption-m" }, kind), title);
    panel.replaceChildren(heading, ...content);
    heading.focus();
  }

  async function load<T>(fetchData: () => Promise<T>, render: (data: T) => void): Promise<void> {
    const ticket = ++latest;
    showStatus(panel, "Loading details…", "loading");
    try {
      const data = await fetchData();
      // A slower answer to an earlier selection must not replace the latest one.
      if (ticket === latest) render(data);
    } catch (error) {
      if (ticket === latest) showStatus(panel, (error as Error).message, "error");
    }
  }

  const organisationButton = (o: { id: string; name: string; acronym?: string | null }) =>
    linkButton(nameWithAcronym({ name: o.name, acronym: o.acronym ?? null }), () => void details.showOrganisation(o.id));

  const details: DetailsPanel = {
    showOrganisation: (id) =>
      load(
        () => request(operations.organisationDetails, { id }),
        ({ organisations: [organisation], organisationLinks }) => {
          if (!organisation) return showStatus(panel, "That organisation is no longer in the graph.", "error");
          const closed = organisation.status === "closed";
          show("Organisation", nameWithAcronym(organisation), [
            summaryList([
              ["Type", organisation.type],
              [
                "Status",
                tag(
                  closed ? `Closed${organisation.closedAt ? ` ${organisation.closedAt}` : ""}` : (organisation.status ?? "unknown"),
                  closed ? "red" : "green",
                ),
              ],
              ["Department", organisation.department && organisation.department.id !== organisation.id ? organisationButton(organisation.department) : null],
              ["Part of", organisation.parents.length ? bulletList(organisation.parents.map(organisationButton)) : null],
              ["Succeeded by", organisation.successors.length ? bulletList(organisation.successors.map(organisationButton)) : null],
              [
                "Responsible for",
                organisation.stages?.length
                  ? bulletList(
                      organisation.stages
                        .map((s) => ({ service: s.service?.name ?? "A service", position: s.position, name: s.name }))
                        .sort((a, b) => a.service.localeCompare(b.service) || a.position - b.position)
                        .map((s) => `${s.service}: stage ${s.position}, ${s.name}`),
                    )
                  : "No stages",
              ],
              [
                "Strongest links",
                organisationLinks.edges.length
                  ? bulletList(organisationLinks.edges.map(({ node }) => h("span", {}, organisationButton(node.organisation), ` (strength ${node.strength})`)))
                  : "None recorded",
              ],
              [
                "On GOV.UK",
                h(
                  "a",
                  {
                    class: "govuk-link",
                    href: organisation.url ?? `https://www.gov.uk/government/organisations/${encodeURIComponent(organisation.id)}`,
                    rel: "noreferrer",
                  },
                  `${organisation.name} on GOV.UK`,
                ),
              ],
            ]),
          ]);
        },
      ),
    showPerson: (id) =>
      load(
        () => request(operations.personDetails, { id }),
        ({ people: [person] }) => {
          if (!person) return showStatus(panel, "That person is no longer in the graph.", "error");
          show("Person", person.name, [
            summaryList([
              ["Job title", person.jobTitle],
              ["Grade", person.grade],
              ["Works for", bulletList(person.organisations.map(organisationButton))],
              ["Professions", person.professions.map((p) => p.name).join(", ") || "None recorded"],
              [
                "Communities",
                person.communitiesConnection.edges.length
                  ? bulletList(person.communitiesConnection.edges.map((e) => `${e.node.name} (${communityKinds[e.node.kind]}): ${e.properties.role}`))
                  : "None",
              ],
              ["Reports to", person.reportsTo[0] ? linkButton(person.reportsTo[0].name, () => void details.showPerson(person.reportsTo[0]!.id)) : null],
              [
                `Works on ${plural(person.stageRoles?.length ?? 0, "stage")}`,
                bulletList((person.stageRoles ?? []).map((r) => `${r.serviceName}: stage ${r.position}, ${r.stageName} (${r.role})`)),
              ],
            ]),
          ]);
        },
      ),
  };
  return details;
}
