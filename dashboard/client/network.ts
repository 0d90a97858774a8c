/**
 * The department network: organisations as nodes on a circle, a line for each linked pair, thicker
 * for a stronger link; selecting a line (or its row in the table that describes the same links)
 * shows the evidence. By default the nodes are the departments open on the day, each counting its agencies and
 * public bodies; choosing a department shows its own family instead.
 */
import { go } from "./address.js";
import { request } from "./api.js";
import { downloadCsv, toCsv } from "./csv.js";
import { dateInput, longDate, readDate, writeDate } from "./date-input.js";
import { bulletList, byId, h, linkButton, nameWithAcronym, plural, shortName, showStatus, summaryList, stackOnPhones, svg, waitingIn } from "./dom.js";
import { departmentTypes } from "./labels.js";
import { operations, type Types } from "./operations.js";

type Link = Types.DepartmentNetworkQuery["departmentMatrix"]["links"][number];
interface NetworkNode {
  id: string;
  name: string;
  acronym: string | null;
}

const width = 1000;
/** Square: the labels point out from the ring, so they need the same room above and below it as beside it. */
const height = 1000;
const evidenceKinds: Record<Types.LinkKind, string> = { STAGE: "Shared stages", SERVICE: "Shared services", COMMUNITY: "Shared communities", PERSON: "People" };

/** An organisation named as it was on the day shown (its version then), for the picture and the list. */
const asOnTheDay = (o: { id: string; name: string; acronym: string | null; stateAt?: { name: string; acronym: string | null } | null }): NetworkNode => ({
  id: o.id,
  name: o.stateAt?.name ?? o.name,
  acronym: o.stateAt ? o.stateAt.acronym : o.acronym,
});

/**
 * Open on the day: it had opened and not closed. GOV.UK's `exempt`, `joining` and `transitioning` bodies are
 * as open as `live` ones (the British Business Bank is `exempt`), as the API's counts per department hold.
 */
/** departmentMatrix links at most this many organisations at once (its `organisationIds`). */
const matrixMaximum = 100;

const openOnTheDay = (o: { statusAt: Types.OrganisationStatus | null }) => o.statusAt !== null && o.statusAt !== "CLOSED";

const linkName = (link: Link) => `${shortName(link.from)} and ${shortName(link.organisation)}`;

/** The nodes in ring order, the linked ones spread evenly round it so their lines do not bunch. */
function spreadLinked(nodes: NetworkNode[], linked: Set<string>): NetworkNode[] {
  const withLinks = nodes.filter((n) => linked.has(n.id));
  const without = nodes.filter((n) => !linked.has(n.id));
  const slots: (NetworkNode | undefined)[] = new Array<NetworkNode | undefined>(nodes.length);
  withLinks.forEach((node, k) => (slots[Math.floor((k * nodes.length) / withLinks.length)] = node));
  return [...slots].map((slot) => slot ?? without.shift()!);
}

/** A link as the address names it: its two organisations' ids. */
const linkKey = (link: Link) => `${link.from.id},${link.organisation.id}`;

export interface NetworkView {
  /** Shows the network of the address's `family` (the departments when none) as at `asAt`, with the `link` selected. */
  show(params: URLSearchParams): Promise<void>;
}

export function createNetworkView(): NetworkView {
  const form = byId<HTMLFormElement>("network-form");
  const familySelect = byId<HTMLSelectElement>("network-family");
  const figure = byId("network-figure");
  const evidence = byId("network-evidence");
  const linksTable = byId("network-links");
  let departments: NetworkNode[] = [];
  let departmentsAsAt: string | null | undefined;
  /** What the picture shows, as the address holds it, and its links once drawn. */
  let shown: { family: string; asAt: string | null } = { family: "", asAt: null };
  let drawn: string | undefined;
  let links: Link[] = [];
  byId("network-dates").replaceChildren(
    dateInput({ id: "network-as-at", legend: "As at (optional)", hint: "The organisations and links as they stood on this day; today when left empty" }),
  );

  /** The departments open on the day, for the default network and the list of families. */
  async function loadDepartments(asAt: string | null): Promise<void> {
    if (departmentsAsAt === asAt) return;
    const { organisations } = await request(operations.departments, { asAt }, { waiting: waitingIn(figure) });
    departments = organisations.filter((d) => openOnTheDay(d) && !!d.stateAt?.type && departmentTypes.includes(d.stateAt.type)).map(asOnTheDay);
    departmentsAsAt = asAt;
    const chosen = familySelect.value;
    familySelect.replaceChildren(
      h("option", { value: "" }, "All departments, each with the bodies below it"),
      h(
        "optgroup",
        { label: "One department's family" },
        departments.map((d) => h("option", { value: d.id }, `${nameWithAcronym(d)} and the bodies below it`)),
      ),
    );
    familySelect.value = departments.some((d) => d.id === chosen) ? chosen : "";
  }

  /** What was selected, line or table row, for the evidence's link back. */
  let origin: { key: string; element: HTMLElement | SVGElement } | undefined;
  function selectLink(link: Link, event: Event): void {
    origin = { key: linkKey(link), element: event.currentTarget as HTMLElement | SVGElement };
    go("network", { ...shown, link: linkKey(link) });
  }

  function showEvidence(link: Link, index: number): void {
    for (const line of figure.querySelectorAll(".network__link"))
      line.classList.toggle("network__link--selected", line.getAttribute("data-index") === String(index));
    const byKind = (kind: Types.LinkKind) => link.evidence.filter((e) => e.kind === kind).map((e) => e.name);
    const heading = h(
      "h2",
      { class: "govuk-heading-m", tabindex: "-1" },
      h("span", { class: "govuk-caption-m" }, "What links"),
      `${nameWithAcronym(link.from)} and ${nameWithAcronym(link.organisation)}`,
    );
    evidence.replaceChildren(
      heading,
      summaryList([
        ["Strength", String(link.strength)],
        ...(Object.keys(evidenceKinds) as Types.LinkKind[]).map((kind): [string, Node | string] => {
          const count = { STAGE: link.sharedStageCount, SERVICE: link.sharedServiceCount, COMMUNITY: link.sharedCommunityCount, PERSON: link.peopleCount }[
            kind
          ];
          const examples = byKind(kind);
          return [
            evidenceKinds[kind],
            count === 0
              ? "None"
              : h(
                  "div",
                  {},
                  h("p", { class: "govuk-body" }, String(count), examples.length < count ? ` (${examples.length} shown)` : ""),
                  bulletList(examples),
                ),
          ];
        }),
      ]),
      linkButton(
        "Back to the network",
        () => {
          const target =
            origin?.key === linkKey(link) && origin.element.isConnected ? origin.element : figure.querySelector<SVGElement>(".network__link--selected");
          target?.focus();
        },
        { class: "dashboard-link-button dashboard-details__back" },
      ),
    );
    heading.focus();
  }

  function drawNetwork(nodes: NetworkNode[], links: Link[], centreId: string | undefined, day: string, omitted: number): void {
    const centre = { x: width / 2, y: height / 2 };
    const linked = new Set(links.flatMap((l) => [l.from.id, l.organisation.id]));
    const ring = spreadLinked(
      nodes.filter((n) => n.id !== centreId),
      linked,
    );
    // Room outside the ring for a label of 22 characters.
    const radius = Math.min(width, height) / 2 - 200;
    const positions = new Map<string, { x: number; y: number; angle: number }>();
    if (centreId) positions.set(centreId, { ...centre, angle: 0 });
    ring.forEach((node, i) => {
      const angle = (2 * Math.PI * i) / ring.length - Math.PI / 2;
      positions.set(node.id, { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle), angle });
    });
    const strongest = Math.max(1, ...links.map((l) => l.strength));

    const lines = links.map((link, index) => {
      const a = positions.get(link.from.id);
      const b = positions.get(link.organisation.id);
      if (!a || !b) return null;
      const select = (event: Event) => selectLink(link, event);
      return svg(
        "g",
        {
          class: "network__link",
          "data-index": index,
          "data-link": linkKey(link),
          tabindex: "0",
          role: "button",
          "aria-label": `${linkName(link)}, strength ${link.strength}: show the evidence`,
          onclick: select,
          onkeydown: (event) => {
            const key = (event as KeyboardEvent).key;
            if (key === "Enter" || key === " ") {
              event.preventDefault();
              select(event);
            }
          },
        },
        svg("line", { class: "network__hit", x1: a.x, y1: a.y, x2: b.x, y2: b.y }),
        svg("line", { class: "network__line", x1: a.x, y1: a.y, x2: b.x, y2: b.y, "stroke-width": (1.5 + (8 * link.strength) / strongest).toFixed(1) }),
      );
    });

    const labels = nodes.map((node) => {
      const p = positions.get(node.id)!;
      const isCentre = node.id === centreId;
      const label = shortName(node).length > 22 ? `${shortName(node).slice(0, 21)}…` : shortName(node);
      // Each label points out from the ring along its radius, so neighbours never cover each other however
      // many share the ring (level labels beside the nodes overlapped at its top and bottom); on the left
      // half it is turned half a circle more, to read left to right.
      const degrees = (p.angle * 180) / Math.PI;
      const left = Math.cos(p.angle) < -1e-9;
      const [x, y] = [p.x + 14 * Math.cos(p.angle), p.y + 14 * Math.sin(p.angle)].map((v) => v.toFixed(2));
      const text = isCentre
        ? svg("text", { x: p.x, y: p.y - 18, "text-anchor": "middle" }, label)
        : svg(
            "text",
            {
              x,
              y,
              "text-anchor": left ? "end" : "start",
              "dominant-baseline": "central",
              transform: `rotate(${(left ? degrees + 180 : degrees).toFixed(2)} ${x} ${y})`,
            },
            label,
          );
      return svg(
        "g",
        { class: `network__node${linked.has(node.id) ? "" : " network__node--unlinked"}` },
        svg("title", {}, node.name),
        svg("circle", { cx: p.x, cy: p.y, r: isCentre ? 12 : 8 }),
        text,
      );
    });

    const description = `${plural(nodes.length, "organisation")}, ${plural(links.length, "linked pair")}${day}. A thicker line is a stronger link. Select a line, or a row of the table below, to see what links the pair.${
      omitted
        ? ` ${plural(omitted, "more organisation")} below it ${omitted === 1 ? "is" : "are"} left out: the analysis links at most ${matrixMaximum} at once.`
        : ""
    }`;
    figure.replaceChildren(
      h(
        "figure",
        { class: "network" },
        // On a phone the picture keeps a readable size and scrolls in here (dashboard.css).
        h(
          "div",
          { class: "network__scroller", role: "region", "aria-label": "The network, scrolls on a narrow screen", tabindex: "0" },
          svg(
            "svg",
            { viewBox: `0 0 ${width} ${height}`, class: "network__svg", role: "group", "aria-label": "Network of organisations and the links between them" },
            svg("g", {}, lines),
            svg("g", { "aria-hidden": "true" }, labels),
          ),
        ),
        h("figcaption", { class: "govuk-body-s" }, description),
      ),
    );
  }

  function drawTable(links: Link[]): void {
    const rows = [...links].sort((a, b) => b.strength - a.strength);
    const cell = (value: string | number | Node, numeric = false) =>
      h("td", { class: `govuk-table__cell${numeric ? " govuk-table__cell--numeric" : ""}` }, value);
    const headings: [string, boolean][] = [
      ["Organisations", false],
      ["Strength", true],
      ["Shared stages", true],
      ["Shared services", true],
      ["Shared communities", true],
      ["People", true],
      ["Evidence", false],
    ];
    linksTable.replaceChildren(
      h(
        "div",
        { class: "dashboard-table-scroller", role: "region", "aria-label": "Links between organisations", tabindex: "0" },
        stackOnPhones(
          h(
            "table",
            { class: "govuk-table", id: "network-links-table" },
            h("caption", { class: "govuk-table__caption govuk-table__caption--m" }, "The links in the network, strongest first"),
            h(
              "thead",
              { class: "govuk-table__head" },
              h(
                "tr",
                { class: "govuk-table__row" },
                headings.map(([text, numeric]) =>
                  h("th", { scope: "col", class: `govuk-table__header${numeric ? " govuk-table__header--numeric" : ""}` }, text),
                ),
              ),
            ),
            h(
              "tbody",
              { class: "govuk-table__body" },
              rows.map((link) =>
                h(
                  "tr",
                  { class: "govuk-table__row" },
                  h("th", { scope: "row", class: "govuk-table__header" }, linkName(link)),
                  cell(link.strength, true),
                  cell(link.sharedStageCount, true),
                  cell(link.sharedServiceCount, true),
                  cell(link.sharedCommunityCount, true),
                  cell(link.peopleCount, true),
                  cell(
                    linkButton(
                      h("span", {}, "Show evidence", h("span", { class: "govuk-visually-hidden" }, ` for ${linkName(link)}`)),
                      (event) => selectLink(link, event),
                      {
                        "data-link": linkKey(link),
                      },
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
      h(
        "button",
        {
          type: "button",
          class: "govuk-button govuk-button--secondary",
          "data-module": "govuk-button",
          onclick: () => downloadCsv("department-links.csv", linksCsv(rows)),
        },
        `Download these ${rows.length.toLocaleString("en-GB")} links as CSV`,
      ),
    );
  }

  function linksCsv(links: Link[]): string {
    return toCsv(
      ["From", "To", "Strength", "Shared stages", "Shared services", "Shared communities", "People", "Evidence"],
      links.map((link) => [
        nameWithAcronym(link.from),
        nameWithAcronym(link.organisation),
        link.strength,
        link.sharedStageCount,
        link.sharedServiceCount,
        link.sharedCommunityCount,
        link.peopleCount,
        link.evidence.map((e) => `${e.kind.toLowerCase()}: ${e.name}`).join("; "),
      ]),
    );
  }

  async function draw(familyOf: string, asAt: string | null): Promise<void> {
    showStatus(figure, "Loading the network…", "loading");
    evidence.replaceChildren();
    linksTable.replaceChildren();
    try {
      let nodes = departments;
      let omitted = 0;
      if (familyOf) {
        const {
          organisations: [department],
        } = await request(operations.departmentFamily, { id: familyOf, asAt }, { waiting: waitingIn(figure) });
        if (!department) return showStatus(figure, "That department is no longer in the graph.", "error");
        // The matrix takes the department and as many below it as it links at once; the caption says what is left out.
        const below = department.childrenAt.filter(openOnTheDay);
        omitted = Math.max(0, below.length - (matrixMaximum - 1));
        nodes = [asOnTheDay(department), ...below.slice(0, matrixMaximum - 1).map(asOnTheDay)];
      }
      const day = asAt ? ` on ${longDate(asAt)}` : "";
      if (nodes.length < 2) return showStatus(figure, `This department had no open organisations below it${day}, so there is no network to show.`, "error");
      // A family is shown as its members; the departments view counts each department's whole family.
      const { departmentMatrix } = await request(
        operations.departmentNetwork,
        { organisationIds: nodes.map((n) => n.id), includeChildren: !familyOf, asAt },
        { waiting: waitingIn(figure) },
      );
      links = departmentMatrix.links;
      drawNetwork(nodes, links, familyOf || undefined, day, omitted);
      drawTable(links);
    } catch (error) {
      showStatus(figure, (error as Error).message, "error");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const asAt = readDate("network-as-at");
    if (!asAt) return;
    go("network", { family: familySelect.value, asAt: asAt.date });
  });

  return {
    async show(params) {
      const wanted = { family: params.get("family") ?? "", asAt: params.get("asAt") };
      const key = JSON.stringify(wanted);
      if (key !== drawn) {
        drawn = key;
        shown = wanted;
        links = [];
        writeDate("network-as-at", wanted.asAt);
        const asAt = readDate("network-as-at");
        if (!asAt) return showStatus(figure, "The address holds a date that is not a date: correct it above and show the network again.", "error");
        showStatus(figure, "Loading the departments…", "loading");
        try {
          await loadDepartments(asAt.date);
        } catch (error) {
          return showStatus(figure, (error as Error).message, "error");
        }
        if (drawn !== key) return;
        familySelect.value = wanted.family;
        await draw(wanted.family, asAt.date);
        if (drawn !== key) return;
      } else {
        // The picture stands; the form, which may have been changed since (Back just after sending), follows the address.
        familySelect.value = wanted.family;
        writeDate("network-as-at", wanted.asAt);
      }
      const index = links.findIndex((l) => linkKey(l) === params.get("link"));
      if (index < 0) {
        evidence.replaceChildren();
        for (const line of figure.querySelectorAll(".network__link")) line.classList.remove("network__link--selected");
      } else showEvidence(links[index]!, index);
    },
  };
}
