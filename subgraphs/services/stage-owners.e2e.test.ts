/**
 * A service's owners changed through the real gateway: the step-by-step stages that link to it are
 * held by its new owners in the same change, recorded in the audit trail with it, and a change that
 * fails leaves them as they were.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Driver } from "neo4j-driver";
import { runImport } from "../../data/import/run-import.js";
import { govukServicesListSource } from "../../data/import/sources/govuk-services-list.js";
import { stepByStepSource } from "../../data/import/sources/step-by-step.js";
import { postGraphQL, startStack, testDriver, testNeo4j, uniqueId, type TestStack } from "../../test/helpers.js";

describe("a service's owners changed through the API", () => {
  let stack: TestStack;
  let driver: Driver;
  const database = testNeo4j().database;
  const prefix = uniqueId("owners");
  const service = `${prefix}-pay-a-thing`;
  const stage = `${prefix}-do-a-thing-step-1`;
  const link = `https://www.${prefix}.service.gov.uk/pay`;

  beforeAll(async () => {
    driver = testDriver();
    const root = mkdtempSync(join(tmpdir(), "stage-owners-"));
    const list = join(root, "services");
    mkdirSync(list);
    writeFileSync(
      join(list, `${service}.json`),
      JSON.stringify({ name: `${prefix} Pay a thing`, organisation: "HM Revenue and Customs", phase: "Live", liveService: link }),
    );
    const steps = join(root, "step-by-steps.json");
    writeFileSync(
      steps,
      JSON.stringify([
        {
          title: `${prefix} Do a thing: step by step`,
          base_path: `/${prefix}-do-a-thing`,
          organisations: [{ slug: "hm-revenue-customs" }],
          steps: [{ title: "Pay", text: [], links: [{ href: link }] }],
        },
      ]),
    );
    await runImport(govukServicesListSource, [list], { driver, database });
    await runImport(stepByStepSource, [steps], { driver, database });
    stack = await startStack();
  });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id STARTS WITH $prefix DETACH DELETE n", { prefix }, { database });
    await driver.executeQuery("MATCH (e:AuditEvent) WHERE e.entityId STARTS WITH $prefix DELETE e", { prefix }, { database });
    await stack.close();
    await driver.close();
  });

  const responsible = async () =>
    (
      await driver.executeQuery(
        `MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(:Stage {id: $stage}) RETURN o.id AS organisation, r.derivation AS derivation, r.evidence AS evidence, r.lane AS lane ORDER BY organisation`,
        { stage },
        { database },
      )
    ).records.map((r) => r.toObject());
  const changeOwners = (connect: string, disconnect: string) =>
    postGraphQL(
      stack.gateway.url,
      `mutation ($id: ID!, $connect: ID!, $disconnect: ID!) {
        updateServices(where: { id: { eq: $id } }, update: { owners: [{
          connect: [{ where: { node: { id: { eq: $connect } } } }], disconnect: [{ where: { node: { id: { eq: $disconnect } } } }]
        }] }) { services { id owners { id } } }
      }`,
      { id: service, connect, disconnect },
    );

  it("makes the new owners responsible for the stages that link to it, in the same change and its audit trail", async () => {
    const derived = { derivation: "service-address", evidence: link, lane: "FRONTSTAGE" };
    expect(await responsible()).toEqual([{ organisation: "hm-revenue-customs", ...derived }]);

    const { body } = await changeOwners("department-for-work-pensions", "hm-revenue-customs");
    expect(body.errors).toBeUndefined();
    expect(body.data?.["updateServices"].services).toEqual([{ id: service, owners: [{ id: "department-for-work-pensions" }] }]);
    expect(await responsible()).toEqual([{ organisation: "department-for-work-pensions", ...derived }]);

    // One request, one trail: the stage's change is recorded with the service's, under the same request id.
    const { records } = await driver.executeQuery(
      `MATCH (e:AuditEvent) WHERE e.entityId IN [$service, $stage] AND e.operation = 'updateServices'
       RETURN e.entityType AS type, e.requestId AS requestId, e.changes AS changes ORDER BY type`,
      { service, stage },
      { database },
    );
    const events = records.map((r) => ({
      type: r.get("type") as string,
      requestId: r.get("requestId") as string,
      changes: JSON.parse(r.get("changes") as string),
    }));
    expect(events.map((e) => e.type)).toEqual(["Service", "Stage"]);
    expect(events[1]!.requestId).toBe(events[0]!.requestId);
    expect(
      events[1]!.changes.map((c: { kind: string; field: string; relatedId: string; after: { derivation?: string } | null }) => [
        c.kind,
        c.field,
        c.relatedId,
        c.after?.derivation ?? null,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["RELATIONSHIP_ADDED", "responsibleOrganisations", "department-for-work-pensions", "service-address"],
        ["RELATIONSHIP_REMOVED", "responsibleOrganisations", "hm-revenue-customs", null],
      ]),
    );
  });

  it("leaves the stages as they were when the change is refused", async () => {
    const before = await responsible();
    const { body } = await changeOwners("no-such-organisation", "department-for-work-pensions");
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(await responsible()).toEqual(before);
  });
});
