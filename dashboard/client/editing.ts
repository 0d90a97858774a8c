/**
 * The Edit view (#edit): an editor changes their organisations' people, their community memberships
 * (added, or ended on a day) and the stages they are responsible for (organisation, lane, since,
 * until), an admin any organisation's and the organisation itself, each in a GOV.UK form (edit-form.ts) sending one of the API's mutations. Who may change what
 * is the API's to decide (schema/*.graphql @authorization): the view offers an editor the organisations
 * in their token, and shows the API's refusal when a change reaches beyond them. Admins also see a
 * stage's or an organisation's history of changes, from the audit trail (change-history.ts).
 */
import { ApiError, request } from "./api.js";
import { showChangeHistory } from "./change-history.js";
import { longDate } from "./date-input.js";
import { byId, h, linkButton, nameWithAcronym, showStatus, stackOnPhones, summaryList } from "./dom.js";
import { editForm, type Field, type Values } from "./edit-form.js";
import { organisationStatusLabels, organisationTypeLabels, statusLabel, typeLabel } from "./labels.js";
import { jwtClaims } from "./openid.js";
import { operations, type Types } from "./operations.js";
import { currentToken } from "./session.js";

type EditedOrganisation = Types.EditOrganisationQuery["organisations"][number];
type EditedPerson = NonNullable<EditedOrganisation["people"]>[number];
type EditedStage = Types.EditOrganisationQuery["stages"][number];
type Choices = Types.EditChoicesQuery;

/** What the signed-in caller may be offered, from their token's claims (the API checks them again). */
interface Editor {
  admin: boolean;
  organisations: string[];
}

function editorOf(token: string | null): Editor | null {
  const claims = token ? jwtClaims(token) : null;
  const roles = Array.isArray(claims?.["roles"]) ? claims["roles"].map(String) : [];
  const organisations = Array.isArray(claims?.["organisations"]) ? claims["organisations"].map(String) : [];
  if (roles.includes("admin")) return { admin: true, organisations };
  return roles.includes("editor") ? { admin: false, organisations } : null;
}

export const lanes: { value: Types.Lane; text: string; hint: string }[] = [
  { value: "FRONTSTAGE", text: "Frontstage", hint: "What the user sees and does" },
  { value: "BACKSTAGE", text: "Backstage", hint: "Work out of the user's sight" },
  { value: "SUPPORT", text: "Support", hint: "Systems, policy and partners" },
];
const laneName = (lane: string) => lanes.find((l) => l.value === lane)?.text ?? lane;

/**
 * A new person's id: a slug of their name with its accents dropped ("Siobhán" gives "siobhan"), made unique;
 * "person" when the name has no Latin letters or digits ("李明"), so any name the API accepts gets a valid id.
 */
const newPersonId = (name: string) =>
  `${
    name
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 100) || "person"
  }-${crypto.randomUUID().slice(0, 8)}`;

/** A GOV.UK table, a card per row on a phone. */
const table = (caption: string, headings: string[], rows: (Node | string)[][]) =>
  stackOnPhones(
    h(
      "table",
      { class: "govuk-table" },
      h("caption", { class: "govuk-table__caption govuk-table__caption--m" }, caption),
      h(
        "thead",
        { class: "govuk-table__head" },
        h(
          "tr",
          { class: "govuk-table__row" },
          headings.map((t) => h("th", { scope: "col", class: "govuk-table__header" }, t)),
        ),
      ),
      h(
        "tbody",
        { class: "govuk-table__body" },
        rows.map((cells) =>
          h(
            "tr",
            { class: "govuk-table__row" },
            cells.map((c) => h("td", { class: "govuk-table__cell" }, c)),
          ),
        ),
      ),
    ),
  );

/** "Change", with what it changes for screen readers, which read the links out of their rows. */
const action = (text: string, what: string, onSelect: () => void, id?: string) =>
  linkButton(h("span", {}, text, h("span", { class: "govuk-visually-hidden" }, ` ${what}`)), onSelect, id ? { id } : {});

export function createEditView(): { show(): Promise<void> } {
  const content = byId("edit-content");
  const notice = byId("edit-notice");
  let choices: Promise<Choices> | undefined;
  let shown: string | null = null;

  const loadChoices = () => (choices ??= request(operations.editChoices, {}));
  const organisationName = async (id: string) => {
    const found = (await loadChoices()).organisations.find((o) => o.id === id);
    return found ? nameWithAcronym(found) : id;
  };

  function say(message: string): void {
    notice.replaceChildren(
      h(
        "div",
        { class: "govuk-notification-banner govuk-notification-banner--success", role: "alert", "aria-labelledby": "edit-notice-title" },
        h("div", { class: "govuk-notification-banner__header" }, h("h2", { class: "govuk-notification-banner__title", id: "edit-notice-title" }, "Success")),
        h(
          "div",
          { class: "govuk-notification-banner__content" },
          h(
            "p",
            { class: "govuk-notification-banner__heading", id: "edit-notice-text" },
            message,
            " ",
            h("a", { class: "govuk-link", href: "#journey" }, "Go to the journey map"),
          ),
        ),
      ),
    );
  }

  /** A form in place of the organisation's page, with a way back; the heading takes focus, as a new page's would. */
  function showPage(caption: string, title: string, body: Node): void {
    notice.replaceChildren();
    const heading = h("h2", { class: "govuk-heading-l", id: "edit-page-heading", tabindex: "-1" }, h("span", { class: "govuk-caption-m" }, caption), title);
    content.replaceChildren(heading, body);
    heading.focus();
  }

  /** Back on the page the change was made from (the organisation's, unless given), saying what was saved. */
  async function saved(organisationId: string, message: string, back: () => Promise<void> = () => showOrganisation(organisationId)): Promise<void> {
    await back();
    say(message);
    byId("edit-notice-text").closest<HTMLElement>(".govuk-notification-banner")?.focus();
  }

  function personForm(organisation: EditedOrganisation, person: EditedPerson | null): void {
    const fields: Field[] = [
      { kind: "text", name: "name", label: "Name", value: person?.name, width: "one-half", autocomplete: "name" },
      { kind: "text", name: "jobTitle", label: "Job title", hint: "For example, Head of Policy", value: person?.jobTitle, width: "two-thirds" },
      {
        kind: "text",
        name: "grade",
        label: "Grade",
        hint: "Their Civil Service grade, for example SCS1, Grade 7 or HEO",
        value: person?.grade,
        width: "one-third",
      },
    ];
    const form = editForm({
      id: "edit-person",
      fields,
      submit: person ? "Save changes" : "Add person",
      aliases: { id: "name" },
      cancel: () => void showOrganisation(organisation.id),
      save: async ({ name, jobTitle, grade }: Values) => {
        // The API says when the name is missing; an empty string is what it is sent then.
        if (person) await request(operations.updatePerson, { id: person.id, name: name ?? "", jobTitle, grade });
        else await request(operations.createPerson, { id: newPersonId(name ?? ""), name: name ?? "", jobTitle, grade, organisationId: organisation.id });
        await saved(organisation.id, person ? `${name} has been changed.` : `${name} has been added to ${organisation.name}.`);
      },
    });
    showPage(organisation.name, person ? `Change ${person.name}` : "Add a person", form);
  }

  function removePersonForm(organisation: EditedOrganisation, person: EditedPerson): void {
    const form = editForm({
      id: "edit-remove-person",
      fields: [],
      submit: "Remove person",
      warning: true,
      cancel: () => void showOrganisation(organisation.id),
      save: async () => {
        await request(operations.deletePerson, { id: person.id });
        await saved(organisation.id, `${person.name} has been removed.`);
      },
    });
    showPage(
      organisation.name,
      `Remove ${person.name}?`,
      h(
        "div",
        {},
        h("p", { class: "govuk-body" }, "They are removed from the graph, with their memberships and the stages they work on. The audit trail keeps a record."),
        form,
      ),
    );
  }

  async function responsibilityForm(
    organisation: EditedOrganisation,
    stage: EditedStage | null,
    held: { lane: string; since: string | null; until: string | null } | null,
  ) {
    const { organisations, services } = await loadChoices();
    const organisationOptions = organisations.map((o) => ({ value: o.id, text: nameWithAcronym(o) }));
    if (!organisationOptions.some((o) => o.value === organisation.id)) organisationOptions.unshift({ value: organisation.id, text: organisation.name });
    const stageField: Field[] = [];
    if (!stage) {
      const fillStages = async (serviceId: string) => {
        const select = byId<HTMLSelectElement>("edit-responsibility-stage");
        select.replaceChildren(h("option", { value: "" }, serviceId ? "Loading stages…" : "Choose a service first"));
        if (!serviceId) return;
        const {
          services: [service],
        } = await request(operations.serviceStages, { serviceId });
        select.replaceChildren(
          h("option", { value: "" }, "Choose a stage"),
          ...(service?.stages ?? []).map((s) => h("option", { value: s.id }, `${s.position}. ${s.name}`)),
        );
      };
      stageField.push(
        {
          kind: "select",
          name: "service",
          label: "Service",
          options: [{ value: "", text: "Choose a service" }, ...services.map((s) => ({ value: s.id, text: s.name }))],
          onchange: (value) => void fillStages(value),
        },
        { kind: "select", name: "stage", label: "Stage", options: [{ value: "", text: "Choose a service first" }] },
      );
    }
    const form = editForm({
      id: "edit-responsibility",
      fields: [
        ...stageField,
        {
          kind: "select",
          name: "organisation",
          label: "Organisation",
          hint: "The organisation responsible",
          value: organisation.id,
          options: organisationOptions,
        },
        { kind: "radios", name: "lane", label: "Lane", hint: "Where its part of the stage sits", value: held?.lane ?? null, options: lanes },
        {
          kind: "date",
          name: "since",
          label: "Since (optional)",
          called: "Since",
          hint: "When the responsibility began, for example 1 4 2023",
          value: held?.since,
        },
        { kind: "date", name: "until", label: "Until (optional)", called: "Until", hint: "When it ended; leave it empty while it holds", value: held?.until },
      ],
      submit: stage ? "Save changes" : "Add responsibility",
      aliases: { id: "organisation", responsibleOrganisations: "organisation" },
      refusalField: "organisation",
      cancel: () => void showOrganisation(organisation.id),
      save: async (values) => {
        const stageId = stage?.id ?? values["stage"];
        if (!stageId) throw new ApiError("Choose a stage", [{ message: "Choose a stage", extensions: { field: "stage" } }]);
        if (!values["lane"]) throw new ApiError("Choose a lane", [{ message: "Choose a lane", extensions: { field: "lane" } }]);
        const lane = values["lane"] as Types.Lane;
        await request(operations.changeResponsibility, {
          stageId,
          disconnect: held ? [{ where: { node: { id: { eq: organisation.id } }, edge: { lane: { eq: held.lane as Types.Lane } } } }] : [],
          connect: [
            { where: { node: { id: { eq: values["organisation"] ?? organisation.id } } }, edge: { lane, since: values["since"], until: values["until"] } },
          ],
        });
        const who = await organisationName(values["organisation"] ?? organisation.id);
        await saved(organisation.id, `${who} is now responsible for the stage in the ${laneName(lane).toLowerCase()} lane.`);
      },
    });
    showPage(organisation.name, stage ? `Change the responsibility for ${stage.name}` : "Add a responsibility", form);
  }

  function removeResponsibilityForm(organisation: EditedOrganisation, stage: EditedStage, lane: Types.Lane): void {
    const form = editForm({
      id: "edit-remove-responsibility",
      fields: [],
      submit: "Remove responsibility",
      warning: true,
      cancel: () => void showOrganisation(organisation.id),
      save: async () => {
        await request(operations.changeResponsibility, {
          stageId: stage.id,
          disconnect: [{ where: { node: { id: { eq: organisation.id } }, edge: { lane: { eq: lane } } } }],
          connect: [],
        });
        await saved(organisation.id, `${organisation.name} is no longer responsible for ${stage.name}.`);
      },
    });
    showPage(organisation.name, `Remove ${organisation.name}'s responsibility for ${stage.name}?`, form);
  }

  /** A person's community memberships, each open one with a way to end it, and a way to add one. */
  async function membershipsPage(organisation: EditedOrganisation, person: EditedPerson): Promise<void> {
    showStatus(content, "Loading…", "loading");
    let data: Types.PersonMembershipsQuery;
    try {
      data = await request(operations.personMemberships, { id: person.id });
    } catch (error) {
      return showStatus(content, (error as Error).message, "error");
    }
    const memberships = data.people[0]?.communitiesConnection.edges ?? [];
    const back = () => membershipsPage(organisation, person);
    showPage(
      organisation.name,
      `${person.name}'s communities`,
      h(
        "div",
        {},
        memberships.length
          ? table(
              "Memberships",
              ["Community", "Role", "Since", "Until", "Actions"],
              memberships.map(({ node, properties }) => [
                node.name,
                properties.role,
                properties.since ? longDate(properties.since) : "",
                properties.until ? longDate(properties.until) : "",
                properties.until
                  ? ""
                  : action(
                      "End",
                      `${person.name}'s membership of ${node.name}`,
                      () => endMembershipForm(organisation, person, node, back),
                      `edit-membership-end-${node.id}`,
                    ),
              ]),
            )
          : h("p", { class: "govuk-body" }, "They belong to no community in the graph."),
        h(
          "div",
          { class: "govuk-button-group" },
          h(
            "button",
            {
              type: "button",
              class: "govuk-button govuk-button--secondary",
              id: "edit-membership-add",
              onclick: () => addMembershipForm(organisation, person, data.communities, back),
            },
            "Add to a community",
          ),
          linkButton(`Back to ${organisation.name}`, () => void showOrganisation(organisation.id)),
        ),
      ),
    );
  }

  function addMembershipForm(
    organisation: EditedOrganisation,
    person: EditedPerson,
    communities: Types.PersonMembershipsQuery["communities"],
    back: () => Promise<void>,
  ): void {
    const form = editForm({
      id: "edit-membership",
      fields: [
        {
          kind: "select",
          name: "community",
          label: "Community",
          options: [{ value: "", text: "Choose a community" }, ...communities.map((c) => ({ value: c.id, text: c.name }))],
        },
        { kind: "text", name: "role", label: "Role", hint: "For example member, lead or convenor", value: "member", width: "one-third" },
        { kind: "date", name: "since", label: "Since (optional)", called: "Since", hint: "When they joined, for example 1 4 2023" },
      ],
      submit: "Add membership",
      aliases: { communities: "community", id: "community" },
      refusalField: "community",
      cancel: () => void back(),
      save: async ({ community, role, since }) => {
        if (!community) throw new ApiError("Choose a community", [{ message: "Choose a community", extensions: { field: "community" } }]);
        // The API says when the role is missing; an empty string is what it is sent then.
        await request(operations.addMembership, { personId: person.id, communityId: community, role: role ?? "", since });
        const name = communities.find((c) => c.id === community)?.name ?? community;
        await saved(organisation.id, `${person.name} has been added to ${name}.`, back);
      },
    });
    showPage(organisation.name, `Add ${person.name} to a community`, form);
  }

  function endMembershipForm(organisation: EditedOrganisation, person: EditedPerson, community: { id: string; name: string }, back: () => Promise<void>): void {
    const form = editForm({
      id: "edit-end-membership",
      fields: [{ kind: "date", name: "until", label: "Until", hint: "The last day of the membership, for example 31 3 2024" }],
      submit: "End membership",
      refusalField: "until",
      cancel: () => void back(),
      save: async ({ until }) => {
        if (!until) throw new ApiError("Enter the day it ends", [{ message: "Enter the day the membership ends", extensions: { field: "until" } }]);
        await request(operations.endMembership, { personId: person.id, communityId: community.id, until });
        await saved(organisation.id, `${person.name}'s membership of ${community.name} ends on ${longDate(until)}.`, back);
      },
    });
    showPage(organisation.name, `End ${person.name}'s membership of ${community.name}`, form);
  }

  function organisationForm(organisation: EditedOrganisation): void {
    const form = editForm({
      id: "edit-organisation",
      fields: [
        { kind: "text", name: "name", label: "Name", value: organisation.name, width: "two-thirds" },
        { kind: "text", name: "acronym", label: "Acronym", hint: "Its short name, for example HMRC", value: organisation.acronym, width: "one-third" },
        {
          kind: "select",
          name: "type",
          label: "Type",
          hint: "The GOV.UK organisation type",
          value: organisation.type,
          options: [{ value: "", text: "Not given" }, ...Object.entries(organisationTypeLabels).map(([value, text]) => ({ value, text }))],
        },
        {
          kind: "select",
          name: "status",
          label: "Status",
          hint: "Its GOV.UK status",
          value: organisation.status,
          options: [{ value: "", text: "Not given" }, ...Object.entries(organisationStatusLabels).map(([value, text]) => ({ value, text }))],
        },
      ],
      submit: "Save changes",
      cancel: () => void showOrganisation(organisation.id),
      save: async ({ name, acronym, type, status }) => {
        // The choices are the enums' own values (labels.ts); "Not given" clears the field.
        await request(operations.updateOrganisation, {
          id: organisation.id,
          name: name ?? "",
          acronym,
          type: (type || null) as Types.OrganisationType | null,
          status: (status || null) as Types.OrganisationStatus | null,
        });
        choices = undefined;
        await saved(organisation.id, `${name} has been changed.`);
      },
    });
    showPage("Organisation", `Change ${organisation.name}`, form);
  }

  function history(organisation: EditedOrganisation, entityId: string, title: string): void {
    const region = h("div", { id: "edit-history" });
    showPage(
      organisation.name,
      title,
      h(
        "div",
        {},
        linkButton(`Back to ${organisation.name}`, () => void showOrganisation(organisation.id)),
        region,
      ),
    );
    void showChangeHistory(region, entityId);
  }

  function organisationPage(editor: Editor, organisation: EditedOrganisation, stages: EditedStage[]): (Node | false)[] {
    const people = organisation.people ?? [];
    const responsibilities = stages.flatMap((stage) => stage.responsibleOrganisationsConnection.edges.map((edge) => ({ stage, held: edge.properties })));
    return [
      h(
        "h2",
        { class: "govuk-heading-l", id: "edit-organisation-heading", tabindex: "-1" },
        h("span", { class: "govuk-caption-m" }, "Organisation"),
        nameWithAcronym(organisation),
      ),
      editor.admin &&
        h(
          "div",
          {},
          summaryList([
            ["Type", typeLabel(organisation.type)],
            ["Status", statusLabel(organisation.status)],
          ]),
          h(
            "div",
            { class: "govuk-button-group" },
            h(
              "button",
              { type: "button", class: "govuk-button govuk-button--secondary", id: "edit-organisation-change", onclick: () => organisationForm(organisation) },
              "Change organisation details",
            ),
            h(
              "button",
              {
                type: "button",
                class: "govuk-button govuk-button--secondary",
                id: "edit-organisation-history",
                onclick: () => history(organisation, organisation.id, `History of changes to ${organisation.name}`),
              },
              "History of changes",
            ),
          ),
        ),
      people.length
        ? table(
            "People",
            ["Name", "Job title", "Grade", "Actions"],
            people.map((p) => [
              p.name,
              p.jobTitle ?? "",
              p.grade ?? "",
              h(
                "span",
                { class: "dashboard-actions" },
                action("Change", p.name, () => personForm(organisation, p), `edit-person-change-${p.id}`),
                action("Remove", p.name, () => removePersonForm(organisation, p), `edit-person-remove-${p.id}`),
                action("Communities", `of ${p.name}`, () => void membershipsPage(organisation, p), `edit-person-memberships-${p.id}`),
              ),
            ]),
          )
        : h("p", { class: "govuk-body" }, "Nobody works for it in the graph."),
      h(
        "button",
        { type: "button", class: "govuk-button govuk-button--secondary", id: "edit-person-add", onclick: () => personForm(organisation, null) },
        "Add a person",
      ),
      responsibilities.length
        ? table(
            "Stage responsibilities",
            ["Stage", "Lane", "Since", "Until", "Actions"],
            responsibilities.map(({ stage, held }) => {
              const what = `${stage.name}, ${laneName(held.lane).toLowerCase()}`;
              return [
                h("div", {}, stage.name, h("div", { class: "govuk-hint govuk-!-margin-0" }, stage.service?.name ?? "")),
                laneName(held.lane),
                held.since ? longDate(held.since) : "",
                held.until ? longDate(held.until) : "",
                h(
                  "span",
                  { class: "dashboard-actions" },
                  action("Change", what, () => void responsibilityForm(organisation, stage, held), `edit-responsibility-change-${stage.id}-${held.lane}`),
                  action("Remove", what, () => removeResponsibilityForm(organisation, stage, held.lane), `edit-responsibility-remove-${stage.id}-${held.lane}`),
                  editor.admin &&
                    action(
                      "History",
                      `of ${stage.name}`,
                      () => history(organisation, stage.id, `History of changes to ${stage.name}`),
                      `edit-stage-history-${stage.id}`,
                    ),
                ),
              ];
            }),
          )
        : h("p", { class: "govuk-body" }, "It is responsible for no stage in the graph."),
      h(
        "button",
        {
          type: "button",
          class: "govuk-button govuk-button--secondary",
          id: "edit-responsibility-add",
          onclick: () => void responsibilityForm(organisation, null, null),
        },
        "Add a responsibility",
      ),
    ];
  }

  async function showOrganisation(id: string): Promise<void> {
    const editor = editorOf(currentToken());
    if (!editor) return;
    shown = id;
    notice.replaceChildren();
    showStatus(content, "Loading…", "loading");
    try {
      const {
        organisations: [organisation],
        stages,
      } = await request(operations.editOrganisation, { id });
      if (!organisation) return showStatus(content, "That organisation is not in the graph.", "error");
      content.replaceChildren(chooser(editor, id), ...organisationPage(editor, organisation, stages).filter((n): n is Node => n instanceof Node));
    } catch (error) {
      showStatus(content, (error as Error).message, "error");
    }
  }

  function chooser(editor: Editor, selected: string | null): HTMLElement {
    const select = h("select", { class: "govuk-select", id: "edit-organisation-choice", name: "organisation" });
    const fill = async () => {
      const options = editor.admin
        ? (await loadChoices()).organisations.map((o) => ({ value: o.id, text: nameWithAcronym(o) }))
        : await Promise.all(editor.organisations.map(async (o) => ({ value: o, text: await organisationName(o) })));
      select.replaceChildren(...options.map((o) => h("option", { value: o.value }, o.text)));
      if (selected) select.value = selected;
    };
    void fill();
    return h(
      "form",
      {
        class: "dashboard-controls",
        id: "edit-chooser",
        novalidate: true,
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (select.value) void showOrganisation(select.value);
        },
      },
      h(
        "div",
        { class: "govuk-form-group" },
        h("label", { class: "govuk-label govuk-label--s", for: "edit-organisation-choice" }, "Organisation"),
        h(
          "div",
          { class: "govuk-hint", id: "edit-organisation-choice-hint" },
          editor.admin ? "Admins change any organisation" : "The organisations your sign-in lets you change",
        ),
        select,
      ),
      h("button", { type: "submit", class: "govuk-button", "data-module": "govuk-button" }, "Show its facts"),
    );
  }

  return {
    async show() {
      const editor = editorOf(currentToken());
      if (!editor) {
        notice.replaceChildren();
        content.replaceChildren(
          h(
            "p",
            { class: "govuk-body" },
            "Editors change their organisations' people and the stages they are responsible for; admins change any organisation. ",
            h("a", { class: "govuk-link", href: "#signin" }, "Sign in"),
            " as an editor or an admin to make a change.",
          ),
        );
        return;
      }
      if (shown) return;
      const first = editor.admin ? null : (editor.organisations[0] ?? null);
      if (first) return showOrganisation(first);
      content.replaceChildren(chooser(editor, null));
    },
  };
}
