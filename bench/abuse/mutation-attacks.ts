/**
 * The attacks of issue 11 on changes and their audit trail (items 6 and 7), each a function of the
 * gateway's URL (`http://host:port/graphql`) and two client tokens that returns what it observed, for
 * `npm run bench:abuse`, gateway/mutation-attacks.e2e.test.ts and a look by hand. Each makes its
 * own nodes with fresh ids and deletes them again (their audit events stay: the trail is append-only).
 */
import { randomUUID } from "node:crypto";

/** Bearer tokens: the Companies House editor's (roles ["editor"], organisations ["companies-house"]) and an admin's. */
export interface MutationAttackTokens {
  editor: string;
  admin: string;
}

interface Answer {
  status: number;
  /** The gateway's id for the request (x-request-id of the answer). */
  requestId: string | null;
  data: Record<string, unknown> | null | undefined;
  errors: { message: string; code: string | undefined }[];
}

async function post(
  gatewayUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  return {
    status: response.status,
    requestId: response.headers.get("x-request-id"),
    data: body.data,
    errors: (body.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code })),
  };
}

/** The answer's data, or an error saying what went wrong: for the attack's own set-up steps, which must work. */
async function must(answer: Promise<Answer>, what: string): Promise<Record<string, unknown>> {
  const { data, errors } = await answer;
  if (errors.length > 0 || !data) throw new Error(`${what}: ${errors.map((e) => `${e.code}: ${e.message}`).join("; ")}`);
  return data;
}

export interface AuditEventSeen {
  requestId: string | null;
  clientRequestId: string | null;
  operation: string;
  action: string;
  changes: { kind: string; field: string; relatedId: string | null; relatedType: string | null; relationshipType: string | null }[];
}

/** The audit events of an entity, newest first, as an admin reads them (on a stack from before issue 11, without the fields it added). */
export async function auditEventsOf(gatewayUrl: string, adminToken: string, entityId: string): Promise<AuditEventSeen[]> {
  const read = (fields: { client: string; type: string }) =>
    post(
      gatewayUrl,
      adminToken,
      `query ($entityId: ID!) {
    auditTrail(entityId: $entityId, first: 20) { edges { node { requestId ${fields.client} operation action changes { kind field relatedId ${fields.type} relationshipType } } } }
  }`,
      { entityId },
    );
  let answer = await read({ client: "clientRequestId", type: "relatedType" });
  if (answer.errors.some((e) => e.code === "GRAPHQL_VALIDATION_FAILED")) answer = await read({ client: "", type: "" });
  const data = await must(Promise.resolve(answer), "reading the audit trail");
  return (data["auditTrail"] as { edges: { node: AuditEventSeen }[] }).edges.map((e) => ({ ...e.node, clientRequestId: e.node.clientRequestId ?? null }));
}

const deletePeople = (gatewayUrl: string, token: string, ids: string[]) =>
  post(gatewayUrl, token, "mutation ($ids: [ID!]!) { deletePeople(where: { id: { in: $ids } }) { nodesDeleted } }", { ids });

/**
 * Item 6: the Companies House editor creates a person in Companies House and, in the same request,
 * changes a person of HMRC (`demo-person-05`), which the rules refuse. Before: `data: null`, FORBIDDEN
 * at `b`, and `a`'s person stored with its audit event. After: refused before anything runs (the
 * gateway sends each mutation field as a request of its own, so it takes one field per request), and
 * neither the person nor any event stored.
 */
export async function partialCommit(gatewayUrl: string, tokens: MutationAttackTokens) {
  const probe = `abuse-partial-${randomUUID().slice(0, 8)}`;
  const jobTitleOf = async () =>
    (
      (await must(post(gatewayUrl, tokens.admin, `{ people(where: { id: { eq: "demo-person-05" } }) { jobTitle } }`), "reading demo-person-05"))["people"] as {
        jobTitle: string | null;
      }[]
    )[0]?.jobTitle ?? null;
  const jobTitleBefore = await jobTitleOf();
  try {
    const answer = await post(
      gatewayUrl,
      tokens.editor,
      `mutation ($probe: ID!) {
      a: createPeople(input: [{ id: $probe, name: "Abuse Probe", organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { people { id } }
      b: updatePeople(where: { id: { eq: "demo-person-05" } }, update: { jobTitle: { set: "Changed by another organisation's editor" } }) { people { id } }
    }`,
      { probe },
    );
    const stored = await must(
      post(gatewayUrl, tokens.admin, "query ($probe: ID!) { people(where: { id: { eq: $probe } }) { id } }", { probe }),
      "looking for the probe",
    );
    const created = (stored["people"] as unknown[]).length > 0;
    const auditEvents = (await auditEventsOf(gatewayUrl, tokens.admin, probe)).length;
    const jobTitleAfter = await jobTitleOf();
    return {
      probe,
      status: answer.status,
      data: answer.data,
      codes: answer.errors.map((e) => e.code),
      messages: answer.errors.map((e) => e.message),
      created,
      auditEvents,
      otherPersonChanged: jobTitleAfter !== jobTitleBefore,
    };
  } finally {
    await deletePeople(gatewayUrl, tokens.admin, [probe]);
  }
}

/**
 * Item 7, first half: an organisation with a parent (PART_OF), a person (WORKS_FOR), a service it owns
 * (OWNS) and a stage it is responsible for (RESPONSIBLE_FOR), deleted by an admin. Before: four
 * relationships deleted, one recorded (PART_OF). After: all four recorded on the organisation's event.
 */
export async function deleteAudit(gatewayUrl: string, tokens: MutationAttackTokens) {
  const suffix = randomUUID().slice(0, 8);
  const [organisation, person, service, stage] = ["organisation", "person", "service", "stage"].map((kind) => `abuse-delete-${kind}-${suffix}`) as [
    string,
    string,
    string,
    string,
  ];
  try {
    await must(
      post(
        gatewayUrl,
        tokens.admin,
        `mutation ($organisation: ID!) {
      createOrganisations(input: [{ id: $organisation, name: "Abuse Probe Agency", parents: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { organisations { id } }
    }`,
        { organisation },
      ),
      "creating the organisation",
    );
    await must(
      post(
        gatewayUrl,
        tokens.admin,
        `mutation ($person: ID!, $organisation: ID!) {
      createPeople(input: [{ id: $person, name: "Abuse Probe", organisations: { connect: [{ where: { node: { id: { eq: $organisation } } } }] } }]) { people { id } }
    }`,
        { person, organisation },
      ),
      "creating the person",
    );
    await must(
      post(
        gatewayUrl,
        tokens.admin,
        `mutation ($service: ID!, $stage: ID!, $organisation: ID!) {
      createServices(input: [{ id: $service, name: "Abuse probe service", phase: ALPHA,
        owners: { connect: [{ where: { node: { id: { eq: $organisation } } } }] },
        stages: { create: [{ node: { id: $stage, name: "Probe stage", position: 1,
          responsibleOrganisations: { connect: [{ where: { node: { id: { eq: $organisation } } }, edge: { lane: FRONTSTAGE } }] } } }] }
      }]) { services { id } }
    }`,
        { service, stage, organisation },
      ),
      "creating the service",
    );
    const deleted = await must(
      post(
        gatewayUrl,
        tokens.admin,
        "mutation ($organisation: ID!) { deleteOrganisations(where: { id: { eq: $organisation } }) { nodesDeleted relationshipsDeleted } }",
        { organisation },
      ),
      "deleting the organisation",
    );
    const [event] = (await auditEventsOf(gatewayUrl, tokens.admin, organisation)).filter((e) => e.action === "DELETE");
    const removed = (event?.changes ?? []).filter((c) => c.kind === "RELATIONSHIP_REMOVED");
    return {
      relationshipsDeleted: (deleted["deleteOrganisations"] as { relationshipsDeleted: number }).relationshipsDeleted,
      recorded: removed.map((c) => `${c.relationshipType} ${c.relatedType ?? "?"} ${c.relatedId}`).sort(),
      expected: [`OWNS Service ${service}`, `PART_OF Organisation companies-house`, `RESPONSIBLE_FOR Stage ${stage}`, `WORKS_FOR Person ${person}`],
    };
  } finally {
    await post(gatewayUrl, tokens.admin, "mutation ($ids: [ID!]!) { deleteStages(where: { id: { in: $ids } }) { nodesDeleted } }", { ids: [stage] });
    await post(gatewayUrl, tokens.admin, "mutation ($ids: [ID!]!) { deleteServices(where: { id: { in: $ids } }) { nodesDeleted } }", { ids: [service] });
    await deletePeople(gatewayUrl, tokens.admin, [person]);
    await post(gatewayUrl, tokens.admin, "mutation ($ids: [ID!]!) { deleteOrganisations(where: { id: { in: $ids } }) { nodesDeleted } }", {
      ids: [organisation],
    });
  }
}

/**
 * Item 7, second half: an admin makes a change, and the editor sends the admin's request id
 * (x-request-id) with a change of their own. Before: both events carry the admin's id, grouped as one
 * request. After: the editor's event has the gateway's own id, the forged one only as clientRequestId.
 */
export async function forgedRequestId(gatewayUrl: string, tokens: MutationAttackTokens) {
  const suffix = randomUUID().slice(0, 8);
  const [adminPerson, editorPerson] = [`abuse-admin-${suffix}`, `abuse-editor-${suffix}`];
  const create = (id: string) =>
    `mutation { createPeople(input: [{ id: "${id}", name: "Abuse Probe", organisations: { connect: [{ where: { node: { id: { eq: "companies-house" } } } }] } }]) { people { id } } }`;
  try {
    const admin = await post(gatewayUrl, tokens.admin, create(adminPerson));
    const [adminEvent] = await auditEventsOf(gatewayUrl, tokens.admin, adminPerson);
    const forged = adminEvent?.requestId ?? admin.requestId ?? "no-admin-request-id";
    const editor = await post(gatewayUrl, tokens.editor, create(editorPerson), {}, { "x-request-id": forged });
    const [editorEvent] = await auditEventsOf(gatewayUrl, tokens.admin, editorPerson);
    return {
      adminRequestId: adminEvent?.requestId ?? null,
      forged,
      editorAnswerRequestId: editor.requestId,
      editorEventRequestId: editorEvent?.requestId ?? null,
      editorEventClientRequestId: editorEvent?.clientRequestId ?? null,
      groupedWithAdmin: editorEvent !== undefined && editorEvent.requestId === adminEvent?.requestId,
    };
  } finally {
    await deletePeople(gatewayUrl, tokens.admin, [adminPerson, editorPerson]);
  }
}
