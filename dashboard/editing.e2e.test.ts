/**
 * Changing the graph from the dashboard's Edit view, in Debian's Chromium, offline, signed in through
 * the local OpenID provider: an editor's changes made in GOV.UK forms and seen on the journey map, the
 * same editor refused beyond their organisation with nothing stored, a person's memberships added and
 * ended, the API's validation messages
 * on the fields they name, and an admin reading a stage's and an organisation's history of changes.
 * The tests change only a service, stages, a person and an organisation of their own, made here.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Driver } from "neo4j-driver";
import { repoRoot } from "../platform/paths.js";
import { testDriver, uniqueId } from "../test/helpers.js";
import { chromiumInstalled, chromiumPath, launchChromium, offlineContext, seriousAccessibilityProblems, type OfflineContext } from "./browser.js";
import { logIn, startSignedInStack, type SignedInStack } from "../test/signed-in-stack.js";

const screenshots = resolve(repoRoot, process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots");

// Each test signs in at the provider first, and the first change of a kind plans its Cypher, on a machine that may be busy.
describe("editing the graph from the dashboard, in Chromium, offline", { timeout: 120_000 }, () => {
  let signedInStack: SignedInStack;
  let browser: Browser;
  let driver: Driver;
  let base: string;
  const user = (username: string) => signedInStack.user(username);
  const contexts: OfflineContext[] = [];

  const serviceId = uniqueId("edit-service");
  const serviceName = `Edit test service ${serviceId.slice(-8)}`;
  const stageId = `${serviceId}-step-1`;
  const personId = uniqueId("edit-person");
  const personName = `Edit Testperson ${personId.slice(-8)}`;
  const organisationId = uniqueId("edit-organisation");

  beforeAll(async () => {
    if (!chromiumInstalled()) throw new Error(`Chromium is not installed at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH).`);
    mkdirSync(screenshots, { recursive: true });
    driver = testDriver();
    await driver.executeQuery(
      `MATCH (ch:Organisation {id: "companies-house"})
       CREATE (service:Service {id: $serviceId, name: $serviceName})-[:HAS_STAGE]->(stage:Stage {id: $stageId, name: "File the test accounts", position: 1})
       CREATE (ch)-[:RESPONSIBLE_FOR {lane: "FRONTSTAGE", since: date("2020-04-01")}]->(stage)
       CREATE (person:Person {id: $personId, name: $personName, jobTitle: "Caseworker", grade: "HEO"})-[:WORKS_FOR]->(ch)
       CREATE (person)-[:WORKS_ON {role: "caseworker"}]->(stage)
       CREATE (:Organisation {id: $organisationId, name: "Edit Test Agency", status: "LIVE", type: "OTHER"})
       WITH person MATCH (a11y:Community {id: "accessibility-community"})
       CREATE (person)-[:MEMBER_OF {role: "member", since: date("2021-01-01")}]->(a11y)`,
      { serviceId, serviceName, stageId, personId, personName, organisationId },
    );
    signedInStack = await startSignedInStack({ subgraphTimeoutMs: 30_000 });
    base = signedInStack.base;
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const offline of contexts) expect(offline.blocked).toEqual([]);
    await browser?.close();
    await signedInStack?.close();
    const ids = [serviceId, stageId, personId, organisationId];
    await driver?.executeQuery("MATCH (n) WHERE n.id IN $ids AND (n:Service OR n:Stage OR n:Person OR n:Organisation) DETACH DELETE n", { ids });
    await driver?.executeQuery("MATCH (e:AuditEvent) WHERE e.entityId IN $ids DELETE e", { ids });
    await driver?.close();
  });

  /** A tab signed in as the demo user through the provider's login form, on the Edit view. */
  async function signedIn(username: string): Promise<Page> {
    const offline = await offlineContext(browser);
    contexts.push(offline);
    const page = await offline.context.newPage();
    await page.goto(`${base}/dashboard#signin`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator("#username").waitFor();
    await logIn(page, user(username));
    await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
    await page.locator("#nav-edit").click();
    return page;
  }

  const responsibilities = async () =>
    (
      await driver.executeQuery(
        "MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(:Stage {id: $stageId}) RETURN o.id AS organisation, r.lane AS lane, toString(r.since) AS since, toString(r.until) AS until",
        {
          stageId,
        },
      )
    ).records.map((r) => r.toObject());

  /** The journey map of the test service. */
  async function showOnMap(page: Page): Promise<void> {
    await page.locator("#nav-journey").click();
    await page.selectOption("#journey-service", serviceId);
    await page.getByRole("button", { name: "Show journey" }).click();
    await expect.poll(() => page.locator("#journey-summary").innerText(), { timeout: 30_000 }).toContain(serviceName);
  }

  let editor: Page;

  it("lets an editor change a stage's responsibility in a form, and the journey map shows it", async () => {
    editor = await signedIn("editor");
    // An editor for one organisation goes straight to it.
    await expect.poll(() => editor.locator("#edit-organisation-heading").innerText(), { timeout: 30_000 }).toContain("Companies House");
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    await editor.locator(`#edit-responsibility-change-${stageId}-FRONTSTAGE`).click();
    await editor.locator("#edit-responsibility").waitFor();
    expect(await editor.locator("#edit-responsibility-lane").isChecked()).toBe(true);
    expect(await editor.locator("#edit-responsibility-since-year").inputValue()).toBe("2020");
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    await editor.getByLabel("Backstage").check();
    await editor.getByRole("button", { name: "Save changes" }).click();
    await expect
      .poll(() => editor.locator("#edit-notice").innerText(), { timeout: 30_000 })
      .toContain("Companies House is now responsible for the stage in the backstage lane");
    expect(await responsibilities()).toEqual([{ organisation: "companies-house", lane: "BACKSTAGE", since: "2020-04-01", until: null }]);

    await showOnMap(editor);
    expect(await editor.locator(`.journey-map__row--backstage td [title="Companies House"]`).count()).toBe(1);
    expect(await editor.locator(`.journey-map__row--frontstage td [title="Companies House"]`).count()).toBe(0);
  });

  it("lets the editor change one of their people, and the map shows the new name", async () => {
    await editor.locator("#nav-edit").click();
    await editor.locator(`#edit-person-change-${personId}`).click();
    expect(await editor.locator("#edit-person-name").inputValue()).toBe(personName);
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    await editor.fill("#edit-person-name", `${personName} Renamed`);
    await editor.fill("#edit-person-jobTitle", "Senior caseworker");
    await editor.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => editor.locator("#edit-notice").innerText(), { timeout: 30_000 }).toContain(`${personName} Renamed has been changed`);
    const stored = await driver.executeQuery("MATCH (p:Person {id: $personId}) RETURN p.name AS name, p.jobTitle AS jobTitle, p.grade AS grade", { personId });
    expect(stored.records[0]!.toObject()).toEqual({ name: `${personName} Renamed`, jobTitle: "Senior caseworker", grade: "HEO" });
    await showOnMap(editor);
    expect(await editor.locator(".journey-map__person").innerText()).toContain(`${personName} Renamed`);
  });

  it("adds a person whatever their name's letters, and a blank name is refused by its own message alone", async () => {
    const suffix = personId.slice(-8);
    const names = [`Siobhán O'Brien ${suffix}`, "李明"];
    try {
      for (const name of names) {
        await editor.locator("#nav-edit").click();
        await editor.locator("#edit-person-add").click();
        await editor.fill("#edit-person-name", name);
        await editor.getByRole("button", { name: "Add person" }).click();
        await expect.poll(() => editor.locator("#edit-notice").innerText(), { timeout: 30_000 }).toContain(`${name} has been added to Companies House`);
      }
      const stored = await driver.executeQuery(
        "MATCH (p:Person)-[:WORKS_FOR]->(:Organisation {id: 'companies-house'}) WHERE p.name IN $names RETURN p.name AS name, p.id AS id ORDER BY id",
        { names },
      );
      const ids = Object.fromEntries(stored.records.map((r) => [r.get("name") as string, r.get("id") as string]));
      // The id is the name's letters without their accents, or "person" when it has no Latin letters.
      expect(ids[names[0]!]).toMatch(new RegExp(`^siobhan-o-brien-${suffix}-[0-9a-f]{8}$`));
      expect(ids[names[1]!]).toMatch(/^person-[0-9a-f]{8}$/);

      await editor.locator("#nav-edit").click();
      await editor.locator("#edit-person-add").click();
      await editor.getByRole("button", { name: "Add person" }).click();
      const summary = editor.locator("#edit-person-error-summary");
      await expect.poll(() => summary.innerText(), { timeout: 30_000 }).toContain("Name");
      expect(await summary.innerText()).not.toContain("slug");
      expect(await summary.getByRole("listitem").count()).toBe(1);
      expect(await seriousAccessibilityProblems(editor)).toEqual([]);
      await editor.getByRole("button", { name: "Cancel" }).click();
      await editor.locator(`#edit-person-change-${personId}`).waitFor({ timeout: 30_000 });
    } finally {
      await driver.executeQuery("MATCH (p:Person) WHERE p.name IN $names DETACH DELETE p", { names });
    }
  });

  it("fits a phone: the organisation's page and its forms are never wider than 390 px, their tables a card per row", async () => {
    await editor.locator("#nav-edit").click();
    await editor.locator(`#edit-person-change-${personId}`).waitFor({ timeout: 30_000 });
    await editor.setViewportSize({ width: 390, height: 844 });
    try {
      const width = () => editor.evaluate(() => document.documentElement.scrollWidth);
      expect(await width()).toBeLessThanOrEqual(390);
      // Each action its own link, apart from the next.
      const change = (await editor.locator(`#edit-person-change-${personId}`).boundingBox())!;
      const remove = (await editor.locator(`#edit-person-remove-${personId}`).boundingBox())!;
      expect(remove.x >= change.x + change.width + 5 || remove.y >= change.y + change.height).toBe(true);
      await editor.screenshot({ path: resolve(screenshots, "edit-organisation-390.png"), fullPage: true });
      expect(await seriousAccessibilityProblems(editor)).toEqual([]);
      // The first test moved the stage to the backstage lane.
      await editor.locator(`#edit-responsibility-change-${stageId}-BACKSTAGE`).click();
      await editor.locator("#edit-responsibility-organisation").waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      await editor.getByRole("button", { name: "Cancel" }).click();
      await editor.locator(`#edit-person-change-${personId}`).waitFor({ timeout: 30_000 });
    } finally {
      await editor.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it("refuses the editor a change beyond their organisation, says why, and stores nothing", async () => {
    await editor.locator("#nav-edit").click();
    await editor.locator(`#edit-responsibility-change-${stageId}-BACKSTAGE`).click();
    // Passing the stage to HM Revenue & Customs, which the editor does not work for.
    await editor.selectOption("#edit-responsibility-organisation", "hm-revenue-customs");
    await editor.getByRole("button", { name: "Save changes" }).click();
    const summary = editor.locator("#edit-responsibility-error-summary");
    await summary.waitFor();
    expect(await summary.innerText()).toContain("This change was refused and nothing was saved");
    expect(await summary.innerText()).toContain("editors change only their own organisations' responsibilities");
    expect(await editor.locator("#edit-responsibility-organisation-error").innerText()).toContain("This change was refused");
    expect(await editor.title()).toMatch(/^Error: /);
    // Both halves of the change were refused together: Companies House keeps the stage, HMRC has none of it.
    expect(await responsibilities()).toEqual([{ organisation: "companies-house", lane: "BACKSTAGE", since: "2020-04-01", until: null }]);
    // The summary's link takes the person to the field.
    await summary.getByRole("link").click();
    expect(await editor.evaluate(() => document.activeElement?.id)).toBe("edit-responsibility-organisation");
    expect(new URL(editor.url()).hash).toBe("#edit");
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
  });

  it("shows the API's validation message in the error summary and beside the field it names", async () => {
    await editor.selectOption("#edit-responsibility-organisation", "companies-house");
    await editor.fill("#edit-responsibility-until-day", "1");
    await editor.fill("#edit-responsibility-until-month", "1");
    await editor.fill("#edit-responsibility-until-year", "2019");
    await editor.getByRole("button", { name: "Save changes" }).click();
    const summary = editor.locator("#edit-responsibility-error-summary");
    await expect.poll(() => summary.innerText(), { timeout: 30_000 }).toContain("Until must not be less than since (2020-04-01); it was 2019-01-01");
    expect(await summary.getByRole("link").getAttribute("href")).toBe("#edit-responsibility-until-day");
    expect(await editor.locator("#edit-responsibility-until-error").innerText()).toContain("Until must not be less than since");
    expect(await editor.locator("#edit-responsibility-until-group").getAttribute("class")).toContain("govuk-form-group--error");
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    expect(await responsibilities()).toEqual([{ organisation: "companies-house", lane: "BACKSTAGE", since: "2020-04-01", until: null }]);

    // A date that is not one is caught before anything is sent.
    await editor.fill("#edit-responsibility-since-day", "31");
    await editor.fill("#edit-responsibility-since-month", "2");
    await editor.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => summary.innerText(), { timeout: 30_000 }).toContain("Since must be a real date");
  });

  const memberships = async () =>
    (
      await driver.executeQuery(
        "MATCH (:Person {id: $personId})-[m:MEMBER_OF]->(c:Community) RETURN c.id AS community, m.role AS role, toString(m.since) AS since, toString(m.until) AS until ORDER BY community",
        { personId },
      )
    ).records.map((r) => r.toObject());
  const endedAccessibility = { community: "accessibility-community", role: "member", since: "2021-01-01", until: "2024-03-31" };
  const agile = { community: "agile-delivery-community", role: "convenor", since: "2022-05-01", until: null };

  it("lets the editor add one of their people to a community and end a membership on a day, seen in the person's details", async () => {
    // The Edit view keeps the form the test before left open: cancelled, it goes back to the organisation.
    await editor.locator("#nav-edit").click();
    await editor.locator("#edit-content").getByRole("button", { name: "Cancel" }).click();
    await editor.locator(`#edit-person-memberships-${personId}`).click();
    const listed = editor.locator("#edit-content table");
    await expect.poll(() => listed.innerText(), { timeout: 30_000 }).toContain("Accessibility community of practice");
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);

    await editor.locator("#edit-membership-add").click();
    await editor.locator("#edit-membership").waitFor();
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    await editor.selectOption("#edit-membership-community", "agile-delivery-community");
    await editor.fill("#edit-membership-role", "convenor");
    await editor.fill("#edit-membership-since-day", "1");
    await editor.fill("#edit-membership-since-month", "5");
    await editor.fill("#edit-membership-since-year", "2022");
    await editor.getByRole("button", { name: "Add membership" }).click();
    await expect
      .poll(() => editor.locator("#edit-notice").innerText(), { timeout: 30_000 })
      .toContain("has been added to Agile delivery community of practice");
    expect(await listed.innerText()).toContain("Agile delivery community of practice");

    await editor.locator("#edit-membership-end-accessibility-community").click();
    await editor.locator("#edit-end-membership").waitFor();
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    await editor.fill("#edit-end-membership-until-day", "31");
    await editor.fill("#edit-end-membership-until-month", "3");
    await editor.fill("#edit-end-membership-until-year", "2024");
    await editor.getByRole("button", { name: "End membership" }).click();
    await expect
      .poll(() => editor.locator("#edit-notice").innerText(), { timeout: 30_000 })
      .toContain("membership of Accessibility community of practice ends on 31 March 2024");
    expect(await memberships(), "stored").toEqual([endedAccessibility, agile]);
    // An ended membership has nothing left to end.
    expect(await editor.locator("#edit-membership-end-accessibility-community").count()).toBe(0);

    await showOnMap(editor);
    await editor.locator(`.journey-map__person [data-select="person:${personId}"]`).click();
    const details = editor.locator("#journey-details");
    await expect
      .poll(() => details.innerText(), { timeout: 30_000 })
      .toContain("Agile delivery community of practice (community of practice): convenor, since 1 May 2022");
    expect(await details.innerText()).toContain("Accessibility community of practice (community of practice): member, 1 January 2021 to 31 March 2024");
  });

  it("shows the API's message beside the day a membership ends when it is before it began, and stores nothing", async () => {
    // Back on the person's memberships, where the last change was made.
    await editor.locator("#nav-edit").click();
    await editor.locator("#edit-membership-end-agile-delivery-community").click();
    await editor.fill("#edit-end-membership-until-day", "1");
    await editor.fill("#edit-end-membership-until-month", "1");
    await editor.fill("#edit-end-membership-until-year", "2020");
    await editor.getByRole("button", { name: "End membership" }).click();
    const summary = editor.locator("#edit-end-membership-error-summary");
    await expect.poll(() => summary.innerText(), { timeout: 30_000 }).toContain("Until must not be less than since (2022-05-01, as stored); it was 2020-01-01");
    expect(await summary.getByRole("link").getAttribute("href")).toBe("#edit-end-membership-until-day");
    expect(await editor.locator("#edit-end-membership-until-error").innerText()).toContain("Until must not be less than since");
    expect(await editor.locator("#edit-end-membership-until-group").getAttribute("class")).toContain("govuk-form-group--error");
    expect(await editor.title()).toMatch(/^Error: /);
    expect(await seriousAccessibilityProblems(editor)).toEqual([]);
    expect(await memberships()).toEqual([endedAccessibility, agile]);
  });

  it("refuses the editor a membership for a person outside their organisation, says why, and stores nothing", async () => {
    await editor.locator("#nav-edit").click();
    await editor.locator("#edit-content").getByRole("button", { name: "Cancel" }).click();
    await editor.locator("#edit-membership-add").click();
    await editor.selectOption("#edit-membership-community", "starting-a-business-community");
    // Meanwhile the person has moved to HM Revenue & Customs, which the editor does not work for.
    const move = (from: string, to: string) =>
      driver.executeQuery(
        `MATCH (p:Person {id: $personId})-[w:WORKS_FOR]->(:Organisation {id: $from}) MATCH (o:Organisation {id: $to}) DELETE w CREATE (p)-[:WORKS_FOR]->(o)`,
        { personId, from, to },
      );
    await move("companies-house", "hm-revenue-customs");
    try {
      await editor.getByRole("button", { name: "Add membership" }).click();
      const summary = editor.locator("#edit-membership-error-summary");
      await summary.waitFor({ timeout: 30_000 });
      expect(await summary.innerText()).toContain("This change was refused and nothing was saved");
      expect(await summary.innerText()).toMatch(/own organisations/);
      expect(await editor.locator("#edit-membership-community-error").innerText()).toContain("This change was refused");
      expect(await seriousAccessibilityProblems(editor)).toEqual([]);
      expect(await memberships()).toEqual([endedAccessibility, agile]);
    } finally {
      await move("hm-revenue-customs", "companies-house");
    }
  });

  it("shows an admin a stage's history of changes, with who made each", async () => {
    const admin = await signedIn("admin");
    const chooser = admin.locator("#edit-organisation-choice");
    await expect.poll(() => chooser.locator("option").count(), { timeout: 30_000 }).toBeGreaterThan(100);
    await chooser.selectOption("companies-house");
    await admin.getByRole("button", { name: "Show its facts" }).click();
    await admin.locator(`#edit-stage-history-${stageId}`).click();
    const history = admin.locator("#edit-history-table");
    await history.waitFor();
    const text = await history.innerText();
    expect(text).toContain(user("editor").sub);
    expect(text).toContain("responsibleOrganisations: Organisation companies-house removed (it had lane FRONTSTAGE, since 2020-04-01)");
    expect(text).toContain("responsibleOrganisations: Organisation companies-house added (lane BACKSTAGE, since 2020-04-01)");
    // The refused change left no trace.
    expect(text).not.toContain("hm-revenue-customs");
    expect(await seriousAccessibilityProblems(admin)).toEqual([]);
  });

  it("lets an admin change an organisation and read its history", async () => {
    const admin = await signedIn("admin");
    const chooser = admin.locator("#edit-organisation-choice");
    await expect.poll(() => chooser.locator("option").count(), { timeout: 30_000 }).toBeGreaterThan(100);
    await chooser.selectOption(organisationId);
    await admin.getByRole("button", { name: "Show its facts" }).click();
    await admin.locator("#edit-organisation-change").click();
    expect(await seriousAccessibilityProblems(admin)).toEqual([]);
    await admin.fill("#edit-organisation-acronym", "ETA");
    // Status and type are chosen from their enums' values; a blank name is the API's to refuse.
    const name = await admin.inputValue("#edit-organisation-name");
    await admin.fill("#edit-organisation-name", "");
    await admin.getByRole("button", { name: "Save changes" }).click();
    const summary = admin.locator("#edit-organisation-error-summary");
    await expect.poll(() => summary.innerText(), { timeout: 30_000 }).toContain("must not be blank");
    expect(await summary.getByRole("link").getAttribute("href")).toBe("#edit-organisation-name");
    await admin.fill("#edit-organisation-name", name);
    await admin.selectOption("#edit-organisation-status", "LIVE");
    await admin.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => admin.locator("#edit-notice").innerText(), { timeout: 30_000 }).toContain("Edit Test Agency has been changed");
    const stored = await driver.executeQuery("MATCH (o:Organisation {id: $organisationId}) RETURN o.acronym AS acronym", { organisationId });
    expect(stored.records[0]!.get("acronym")).toBe("ETA");
    await admin.locator("#edit-organisation-history").click();
    const history = admin.locator("#edit-history-table");
    await history.waitFor();
    expect(await history.innerText()).toContain("acronym set to “ETA”");
    expect(await history.innerText()).toContain(user("admin").sub);
  });
});
