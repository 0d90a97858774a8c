/**
 * The panel that shows one organisation or person, with their links, when they are selected. It
 * belongs to the view it sits in: that view clears it when what it shows changes, and it links back
 * to the thing selected.
 */
import { request } from "./api.js";
import { bulletList, h, linkButton, nameWithAcronym, plural, showStatus, summaryList, tag } from "./dom.js";
import { statusLabel, typeLabel } from "./labels.js";
import { operations } from "./operations.js";
import { heldFor } from "./date-input.js";

/** A list item with when it held, when its link is dated: an ended profession or membership says so. */
const withDates = (text: string, held: { since?: string | null; until?: string | null }) => {
  const when = heldFor(held);
  return when ? `${text}, ${when}` : text;
};

/** What is selected, as the address writes it: `organisation:companies-house`, `person:ada-lovelace`. */
export interface Selection {
  kind: "organisation" | "person";
  id: string;
}

export const selectionText = (s: Selection): string => `${s.kind}:${s.id}`;

export function readSelection(text: string | null): Selection | undefined {
  const match = /^(organisation|person):(.+)$/.exec(text ?? "");
  return match ? { kind: match[1] as Selection["kind"], id: match[2]! } : undefined;
}

/** Where "back" goes: the button that was selected, named. */
export interface BackLink {
  text: string;
  target: HTMLElement;
}

export interface DetailsPanel {
  show(selection: Selection, back?: BackLink): Promise<void>;
  clear(): void;
  /** The selection shown (or loading), as the address writes it. */
  shown(): string | undefined;
}

const communityKinds = { SERVICE_COMMUNITY: "service community", COMMUNITY_OF_PRACTICE: "community of practice" } as const;

/**
 * Fills `panel`; selecting a linked organisation or person inside it calls `select` (which puts it in
 * the address, and the view shows it here in its place).
 */
export function createDetailsPanel(panel: HTMLElement, select: (selection: Selection) => void): DetailsPanel {
  let latest = 0;
  let shown: string | undefined;
  let back: BackLink | undefined;

  /** Shows the heading and rows, then moves focus there so keyboard and screen reader users follow. */
  function show(kind: string, title: string, content: Node[]): void {
    const heading = h("h2", { class: "govuk-heading-l", tabindex: "-1", id: `${panel.id}-heading` }, h("span", { class: "govuk-caption-m" }, kind), title);
    const target = back?.target;
    const backLink =
      target &&
      linkButton(
        back!.text,
        () => {
          target.scrollIntoView({ block: "center" });
          target.focus();
        },
        { class: "dashboard-link-button dashboard-details__back" },
      );
    panel.replaceChildren(heading, ...content, backLink ?? "");
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
    linkButton(nameWithAcronym({ name: o.name, acronym: o.acronym ?? null }), () => select({ kind: "organisation", id: o.id }));

  const showOrganisation = (id: string) =>
    load(
      () => request(operations.organisationDetails, { id }),
      ({ organisations: [organisation], organisationLinks }) => {
        if (!organisation) return showStatus(panel, "That organisation is no longer in the graph.", "error");
        const closed = organisation.status === "CLOSED";
        show("Organisation", nameWithAcronym(organisation), [
          summaryList([
            ["Type", typeLabel(organisation.type)],
            [
              "Status",
              tag(
                closed ? `Closed${organisation.closedAt ? ` ${organisation.closedAt}` : ""}` : (statusLabel(organisation.status) ?? "unknown"),
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
    );
  const showPerson = (id: string) =>
    load(
      () => request(operations.personDetails, { id }),
      ({ people: [person] }) => {
        if (!person) return showStatus(panel, "That person is no longer in the graph.", "error");
        show("Person", person.name, [
          summaryList([
            ["Job title", person.jobTitle],
            ["Grade", person.grade],
            ["Works for", bulletList(person.organisations.map(organisationButton))],
            [
              "Professions",
              person.professionsConnection.edges.length
                ? bulletList(person.professionsConnection.edges.map((e) => withDates(e.node.name, e.properties)))
                : "None recorded",
            ],
            [
              "Communities",
              person.communitiesConnection.edges.length
                ? bulletList(
                    person.communitiesConnection.edges.map((e) =>
                      withDates(`${e.node.name} (${communityKinds[e.node.kind]}): ${e.properties.role}`, e.properties),
                    ),
                  )
                : "None",
            ],
            ["Reports to", person.reportsTo[0] ? linkButton(person.reportsTo[0].name, () => select({ kind: "person", id: person.reportsTo[0]!.id })) : null],
            [
              `Works on ${plural(person.stageRoles?.length ?? 0, "stage")}`,
              bulletList((person.stageRoles ?? []).map((r) => `${r.serviceName}: stage ${r.position}, ${r.stageName} (${r.role})`)),
            ],
          ]),
        ]);
      },
    );

  return {
    show(selection, backTo) {
      shown = selectionText(selection);
      back = backTo;
      return selection.kind === "organisation" ? showOrganisation(selection.id) : showPerson(selection.id);
    },
    clear() {
      latest++;
      shown = undefined;
      back = undefined;
      panel.replaceChildren();
    },
    shown: () => shown,
  };
}
