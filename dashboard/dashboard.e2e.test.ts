/**
 * The dashboard and the IDE in Debian's Chromium against the stack running in this process, with
 * every request that would leave the machine refused. Screenshots land in test-results/screenshots/ (see below).
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { repoRoot } from "../platform/paths.js";
import { postGraphQL, testReader, tokenFor, withRateLimit, type TestStack } from "../test/helpers.js";
import { startReaderBrowser, type ReaderBrowser } from "../test/browser-stack.js";
import { offlineContext, seriousAccessibilityProblems, type OfflineContext } from "./browser.js";

// Each run's screenshots go to test-results/ (ignored); the reviewed set in docs/screenshots is
// refreshed on purpose: SCREENSHOTS_DIR=docs/screenshots npx vitest run dashboard/
const screenshots = resolve(repoRoot, process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots");
/** Monaco, the IDE's editor, lays text out with no-break spaces. */
const editorText = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replaceAll("\u00a0", " ");

/** Opens the dashboard and gives the time from navigation to the journey map on the page. */
async function openDashboard(page: Page, base: string): Promise<number> {
  await page.goto(`${base}/dashboard`);
  // Generous: the first journey after start-up plans its Cypher, on a machine that may be busy.
  await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
  return page.evaluate(() => performance.getEntriesByName("journey-map-rendered")[0]!.startTime);
}

const columnTexts = (page: Page, tableId: string, column: number) => page.locator(`#${tableId} tbody tr td:nth-child(${column})`).allInnerTexts();

describe("the dashboard and the IDE in Chromium, offline", () => {
  let stack: TestStack;
  let session: ReaderBrowser;
  let browser: Browser;
  let offline: OfflineContext;
  let page: Page;
  let base: string;
  const graphqlBodies: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The views below show people: they are a reader's, signed in as the Sign in view would.
    session = await startReaderBrowser();
    ({ stack, browser, offline, page } = session);
    base = session.origin;
    page.on("request", (request) => {
      if (request.url().endsWith("/graphql") && request.method() === "POST") graphqlBodies.push(request.postData() ?? "");
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("opens the GraphQL IDE with no internet access and runs the journey trace", async () => {
    await page.goto(`${base}/graphql`);
    // From the keyboard: the tabs can be dragged to reorder, and a pointer click can start a drag instead.
    await page.locator('.graphiql-tab-button[title="JourneyTrace"]').focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => editorText(page, ".graphiql-query-editor")).toContain("query JourneyTrace");
    // The trace names people: as a reader, with the token in the Headers tab, as the README says.
    await page.getByRole("button", { name: "Headers", exact: true }).click();
    await page.locator(".graphiql-editor-tool .graphiql-editor:visible").click();
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${await tokenFor(testReader)}` }));
    await page.locator(".graphiql-execute-button").click();
    // The response editor shows only the lines in view: the first stage is among them.
    await expect.poll(() => editorText(page, ".graphiql-response"), { timeout: 20_000 }).toContain("Check you can start a business");
    expect(await editorText(page, ".graphiql-response")).toContain('"services"');
    await page.screenshot({ path: resolve(screenshots, "graphql-ide.png") });
    expect(offline.blocked).toEqual([]);
  });

  describe("journey map", () => {
    let firstVisitMs: number;
    let loadMs: number;

    beforeAll(async () => {
      // The first visit after start-up also warms the servers (query plans, Cypher caches); the next,
      // with a browser cache as empty, is what every later user meets.
      const first = await offlineContext(browser);
      firstVisitMs = await openDashboard(await first.context.newPage(), base);
      await first.context.close();
      graphqlBodies.length = 0;
      loadMs = await openDashboard(page, base);
    });

    it("shows Starting a Business without anything chosen, within 2 s, in two bounded requests", async () => {
      console.log(
        `journey map of Starting a Business on the page ${Math.round(firstVisitMs)} ms after navigation on the first visit after start-up, ${Math.round(loadMs)} ms on the next`,
      );
      expect(loadMs).toBeLessThan(2000);
      expect(await page.locator("#journey-service").inputValue()).toBe("starting-a-business");
      // The journey and the list of service names: nothing else is asked for before the map shows.
      // The dashboard sends its trusted documents' ids and names, not their text.
      expect(graphqlBodies.map((body) => JSON.parse(body).operationName).sort()).toEqual(["DashboardServices", "JourneyMap"]);
    });

    it("sets the nine stages across the page in order", async () => {
      const stages = await page.locator("#journey-map-table thead th .journey-map__stage-name").allInnerTexts();
      expect(stages).toHaveLength(9);
      expect(stages[0]).toBe("Check you can start a business");
      expect(stages[2]).toBe("Register the company");
      expect(stages[8]).toBe("Trade abroad");
      expect(await page.locator("#journey-map-table thead .journey-map__position").allInnerTexts()).toEqual(
        [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `Stage ${n}`),
      );
    });

    it("puts the organisations responsible in their lanes, with their people", async () => {
      const registerTheCompany = 4; // column: the lane heading, then stages 1, 2, 3
      const frontstage = page.locator(".journey-map__row--frontstage td").nth(registerTheCompany - 2);
      await expect.poll(() => frontstage.innerText()).toContain("Companies House");
      const backstage = await page
        .locator(".journey-map__row--backstage td")
        .nth(registerTheCompany - 2)
        .innerText();
      expect(backstage).toContain("HMRC");
      const organisations = await page
        .locator("#journey-map-table .journey-map__organisation > button")
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute("title")));
      for (const organisation of ["Department for Work and Pensions", "Department for Education", "The Pensions Regulator", "British Business Bank"])
        expect(organisations).toContain(organisation);
      expect(await page.locator(".journey-map__person").count()).toBeGreaterThan(9);
    });

    it("marks the seven hand-offs and highlights the gaps, and sums them up above the map", async () => {
      expect(await page.locator(".journey-map__cell--handoff").count()).toBe(7);
      const gaps = await page.locator(".journey-map__cell--gap").allInnerTexts();
      expect(gaps.join(" ")).toMatch(/No Legal profession/);
      const missing = gaps.join(" ").match(/No \w+ profession/g) ?? [];
      expect(missing).toHaveLength(3);
      const summary = await page.locator("#journey-summary").innerText();
      expect(summary).toContain("Starting a Business: 9 stages");
      expect(summary).toContain("7 hand-offs");
      await page.screenshot({ path: resolve(screenshots, "journey-map.png"), fullPage: true });
    });

    it("shows an organisation's details and links when it is selected, then a person's", async () => {
      await page
        .getByRole("button", { name: /^Companies House\b.*show details/ })
        .first()
        .click();
      const details = page.locator("#journey-details");
      await expect.poll(() => details.locator("h2").innerText()).toContain("Companies House");
      const text = await details.innerText();
      expect(text).toContain("Department for Business and Trade");
      expect(text).toContain("Register the company");
      expect(text).toMatch(/Strongest links[\s\S]*HM Revenue & Customs/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("journey-details-heading");
      await page.screenshot({ path: resolve(screenshots, "journey-organisation.png"), fullPage: true });

      await page.locator(".journey-map__person .dashboard-link-button").first().click();
      await expect.poll(() => details.locator("h2").innerText()).toMatch(/^Person/);
      const person = await details.innerText();
      expect(person).toMatch(/Works on \d+ stages?/);
      // Every demo membership is dated (data/seed/starting-a-business.ts): the panel says since when.
      expect(person).toMatch(/Communities[\s\S]*: (lead|member|convenor), since \d{1,2} [A-Z][a-z]+ 20\d\d/);
    });

    it("is one stop for the Tab key, its cells reached with the arrows, a person on stage 4 within 10 keys of the page's load", async () => {
      await openDashboard(page, base);
      let presses = 0;
      const press = async (key: string) => {
        presses++;
        await page.keyboard.press(key);
      };
      /** Where focus is: the grid's row (by its class) and column, and whether on the cell itself or something in it. */
      const focused = () =>
        page.evaluate(() => {
          const element = document.activeElement as HTMLElement | null;
          const cell = element?.closest<HTMLTableCellElement>("#journey-map-table td, #journey-map-table th");
          const row = cell?.parentElement as HTMLTableRowElement | undefined;
          return {
            text: element?.textContent?.trim() ?? "",
            cell: cell ? `${row!.rowIndex}:${cell.cellIndex}` : null,
            onCell: !!cell && element === cell,
            person: element?.dataset["select"]?.startsWith("person:") ?? false,
          };
        });
      const table = page.locator("#journey-map-table");
      expect(await table.getAttribute("role")).toBe("grid");
      expect(await table.locator("tbody th").first().getAttribute("scope")).toBe("row");
      // One stop for Tab in the whole map, however many buttons and links its cells hold.
      expect(await table.locator('[tabindex="0"]').count()).toBe(1);
      expect(await table.locator("button, a[href]").count()).toBeGreaterThan(40);

      await press("Tab");
      expect((await focused()).text).toBe("Skip to main content");
      await press("Tab");
      expect((await focused()).text).toBe("Skip to the journey map");
      // The skip link lands on the grid's stop: the first cell with something to select, Stage 1's frontstage.
      await press("Enter");
      const frontstage = await page.locator(".journey-map__row--frontstage").evaluate((row: HTMLTableRowElement) => row.rowIndex);
      expect(await focused()).toMatchObject({ cell: `${frontstage}:1`, onCell: true });
      for (let i = 0; i < 3; i++) await press("ArrowRight");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:4`, onCell: true });
      expect(await page.locator("#journey-map-table thead tr > *").nth(4).innerText()).toMatch(/^Stage 4/);
      // Into the cell, to its first button, then Tab through its buttons to a person.
      await press("Enter");
      expect((await focused()).cell).toBe(`${frontstage}:4`);
      while (!(await focused()).person && presses < 10) await press("Tab");
      const person = await focused();
      expect(person).toMatchObject({ cell: `${frontstage}:4`, onCell: false, person: true });
      await press("Enter");
      const name = person.text.replace(/: show details$/, "");
      await expect.poll(() => page.locator("#journey-details h2").innerText()).toBe(`Person\n${name}`);
      console.log(`a person on stage 4 (${name}) selected ${presses} key presses after the page loaded`);
      expect(presses).toBeLessThanOrEqual(10);

      // The details' link back returns to the person; Escape to the cell; Tab leaves the grid and Shift+Tab comes back to the same cell.
      await page.getByRole("button", { name: "Back to the map" }).focus();
      await page.keyboard.press("Enter");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:4`, person: true });
      await page.keyboard.press("Escape");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:4`, onCell: true });
      await page.keyboard.press("Tab");
      expect((await focused()).cell).toBeNull();
      await page.keyboard.press("Shift+Tab");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:4`, onCell: true });
      // Tab from the cell's last button leaves the grid too, and Shift+Tab from its first returns to the cell.
      await page.keyboard.press("F2");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:4`, onCell: false });
      await page.keyboard.press("Shift+Tab");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:4`, onCell: true });
      expect(await table.locator('[tabindex="0"]').count()).toBe(1);

      await page.locator(".journey-map__scroller").screenshot({ path: resolve(screenshots, "journey-map-keyboard.png") });
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineColor)).toBe("rgb(255, 221, 0)");
      expect(await seriousAccessibilityProblems(page)).toEqual([]);

      // Home and End go along the row, with Control to the grid's corners; the arrows stop at the edges.
      const rows = await table.locator("tr").count();
      await page.keyboard.press("End");
      expect((await focused()).cell).toBe(`${frontstage}:9`);
      await page.keyboard.press("ArrowRight");
      expect((await focused()).cell).toBe(`${frontstage}:9`);
      await page.keyboard.press("Home");
      expect(await focused()).toMatchObject({ cell: `${frontstage}:0`, text: expect.stringMatching(/^Frontstage/) });
      await page.keyboard.press("Control+End");
      expect((await focused()).cell).toBe(`${rows - 1}:9`);
      await page.keyboard.press("ArrowDown");
      expect((await focused()).cell).toBe(`${rows - 1}:9`);
      await page.keyboard.press("Control+Home");
      expect((await focused()).cell).toBe("0:0");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowRight");
      expect((await focused()).cell).toBe("1:1");
    });

    it("keeps the cell focused in view on a phone, clear of the lanes' and stages' names held in place", async () => {
      const phone = await offline.context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await openDashboard(phone, base);
      /** Where the focused cell is, beside the region it scrolls in, the lane's name and the stages' names held in place. */
      const placing = () =>
        phone.evaluate(() => {
          const cell = document.activeElement!.getBoundingClientRect();
          const lane = document.activeElement!.parentElement!.querySelector("th")!.getBoundingClientRect();
          const head = document.querySelector("#journey-map-table thead")!.getBoundingClientRect();
          const region = document.querySelector(".journey-map__scroller")!;
          const area = region.getBoundingClientRect();
          return {
            clearOfLane: cell.left >= lane.right - 1,
            clearOfStages: cell.top >= head.bottom - 1,
            inRegion: cell.right <= area.left + region.clientWidth + 1 && cell.bottom <= area.top + region.clientHeight + 1,
            laneHeld: Math.abs(lane.left - area.left) <= 1,
            onScreen: cell.top >= -1 && cell.bottom <= innerHeight + 1,
          };
        });
      const inView = { clearOfLane: true, clearOfStages: true, inRegion: true, laneHeld: true, onScreen: true };
      for (const key of ["Tab", "Tab", "Enter"]) await phone.keyboard.press(key);
      expect(await placing()).toEqual(inView);
      for (let stage = 2; stage <= 9; stage++) {
        await phone.keyboard.press("ArrowRight");
        expect(await placing(), `stage ${stage}`).toEqual(inView);
      }
      // Down the lanes and back along them, as far as the gaps.
      for (let stage = 8; stage >= 5; stage--) {
        await phone.keyboard.press("ArrowDown");
        await phone.keyboard.press("ArrowLeft");
        expect(await placing(), `stage ${stage}`).toEqual(inView);
      }
      await phone.screenshot({ path: resolve(screenshots, "journey-map-keyboard-390.png") });
      await phone.close();
    });

    it("shows the journey as it was on a date: in June 2022 BEIS is open and DBT does not exist yet", async () => {
      await page.fill("#journey-as-at-day", "31");
      await page.fill("#journey-as-at-month", "2");
      await page.fill("#journey-as-at-year", "2022");
      await page.getByRole("button", { name: "Show journey" }).click();
      expect(await page.locator("#journey-as-at-error").innerText()).toContain("The date must be a real date");
      await page.fill("#journey-as-at-day", "1");
      await page.fill("#journey-as-at-month", "6");
      await page.getByRole("button", { name: "Show journey" }).click();
      await expect.poll(() => page.locator("#journey-summary").innerText()).toContain("As at 2022-06-01");
      expect(await page.locator("#journey-as-at-error").isVisible()).toBe(false);
      const firstStage = await page.locator(".journey-map__row--frontstage td").first().innerText();
      expect(firstStage).toContain("BEIS");
      expect(firstStage).not.toContain("Closed");
      const map = `${await page.locator("#journey-summary").innerText()}\n${await page.locator("#journey-map").innerText()}`;
      expect(map).not.toMatch(/\bDBT\b/);
      expect(map).not.toContain("BEIS has closed");
      await page.screenshot({ path: resolve(screenshots, "journey-2022.png"), fullPage: true });
    });

    it("finds any service as you type, by its name or another name", async () => {
      await page.fill("#journey-service-filter", "access to work");
      await expect.poll(() => page.locator("#journey-service-count").innerText()).toMatch(/^\d+ services? of \d+ match$/);
      const options = await page.locator("#journey-service option").allInnerTexts();
      expect(options).toContain("Apply for an Access to Work Grant");
      expect(options.every((o) => /access|work/i.test(o) || o === "Apply for an Access to Work Grant")).toBe(true);
      await page.fill("#journey-service-filter", "employ someone");
      await expect.poll(() => page.locator("#journey-service").inputValue()).toBe("employ-someone");
    });

    it("shows a real journey's owners where nobody is assigned, and who delivers a stage from its links, with the link", async () => {
      await page.fill("#journey-as-at-day", "");
      await page.fill("#journey-as-at-month", "");
      await page.fill("#journey-as-at-year", "");
      await page.getByRole("button", { name: "Show journey" }).click();
      await expect.poll(() => page.locator("#journey-summary").innerText()).toContain("Employ someone: 7 stages");
      expect(await page.locator("#journey-summary").innerText()).toMatch(/Owned by .*HMRC/);
      const frontstage = page.locator(".journey-map__row--frontstage td");
      const first = await frontstage.nth(0).innerText();
      expect(first).toContain("Owner of the journey; stage not assigned");
      expect(first).toContain("DWP");
      const recruit = frontstage.nth(1);
      expect(await recruit.innerText()).toContain("Acas");
      expect(await recruit.locator("a", { hasText: "evidence" }).getAttribute("href")).toBe("https://www.acas.org.uk/hiring-someone");
      expect(await page.locator(".journey-map__cell--empty.journey-map__row--frontstage").count()).toBe(0);
      await page.screenshot({ path: resolve(screenshots, "journey-map-employ-someone.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: resolve(screenshots, "journey-map-employ-someone-390.png"), fullPage: true });
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });

    it("has no serious or critical accessibility problems", async () => {
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  describe("department network", () => {
    beforeAll(async () => {
      await page.goto(`${base}/dashboard#network`);
      await page.locator("#network-links-table").waitFor({ timeout: 30_000 });
    });

    it("draws the departments as nodes and their links, with a table of the same links", async () => {
      const lines = await page.locator(".network__link").count();
      expect(lines).toBeGreaterThan(0);
      expect(await page.locator("#network-links-table tbody tr").count()).toBe(lines);
      expect(await page.locator(".network__node").count()).toBeGreaterThan(20);
      // Open departments whatever their GOV.UK status: the Crown Prosecution Service is "exempt", not "live".
      expect(await page.locator(".network__node title").allTextContents()).toContain("Crown Prosecution Service");
      expect(await page.locator("#network-links-table tbody th").allInnerTexts()).toContainEqual(expect.stringMatching(/DWP and HMRC|HMRC and DWP/));
      // No label covers another: each label's box, turned as drawn, is tested against every other's (separating axes).
      const overlapping = await page.locator(".network__node text").evaluateAll((texts) => {
        const corners = (text: SVGTextElement) => {
          const box = text.getBBox();
          const m = text.getScreenCTM()!;
          return [
            [box.x, box.y],
            [box.x + box.width, box.y],
            [box.x + box.width, box.y + box.height],
            [box.x, box.y + box.height],
          ].map(([x, y]) => [m.a * x! + m.c * y! + m.e, m.b * x! + m.d * y! + m.f] as const);
        };
        const apart = (a: (readonly [number, number])[], b: (readonly [number, number])[]) =>
          [a, b].some((shape) =>
            shape.some((p, i) => {
              const q = shape[(i + 1) % 4]!;
              const axis = [q[1] - p[1], p[0] - q[0]];
              const project = (s: (readonly [number, number])[]) => s.map(([x, y]) => x * axis[0]! + y * axis[1]!);
              const [pa, pb] = [project(a), project(b)];
              return Math.max(...pa) <= Math.min(...pb) || Math.max(...pb) <= Math.min(...pa);
            }),
          );
        const shapes = (texts as SVGTextElement[]).map((t) => ({ label: t.textContent, shape: corners(t) }));
        return shapes.flatMap((a, i) =>
          shapes
            .slice(i + 1)
            .filter((b) => !apart(a.shape, b.shape))
            .map((b) => `${a.label} / ${b.label}`),
        );
      });
      expect(overlapping).toEqual([]);
    });

    it("shows a link's evidence when it is selected with the keyboard", async () => {
      const link = page.locator(".network__link", {
        has: page.locator("xpath=self::*[contains(@aria-label, 'DWP and HMRC') or contains(@aria-label, 'HMRC and DWP')]"),
      });
      await link.focus();
      await page.keyboard.press("Enter");
      const evidence = page.locator("#network-evidence");
      await expect.poll(() => evidence.innerText()).toContain("Shared stages");
      expect(await evidence.innerText()).toContain("Employ people");
      await page.screenshot({ path: resolve(screenshots, "department-network.png"), fullPage: true });
    });

    it("filters to one department's family", async () => {
      // GOV.UK's 2026-08-22 snapshot relabels DBT "Other": today it is not among the departments.
      const departments = await page.locator("figcaption").innerText();
      await page.selectOption("#network-family", "department-for-work-pensions");
      await page.getByRole("button", { name: "Show network" }).click();
      await expect.poll(() => page.locator("figcaption").innerText()).not.toBe(departments);
      const nodes = await page.locator(".network__node text").allTextContents();
      expect(nodes).toContain("DWP");
      expect(nodes.length).toBeGreaterThan(1);
    });

    it("keeps every body open on the day in a family, whatever its GOV.UK status", async () => {
      // On 20 July 2026 GOV.UK listed DBT as a ministerial department, with the British Business Bank below it since
      // 7 February 2023; the bank is "exempt" (it publishes on its own website), not "live", and is still part of DBT.
      const dbt = "department-for-business-and-trade";
      await page.goto(`${base}/dashboard#network?family=${dbt}&asAt=2026-07-20`);
      await expect.poll(() => page.locator("#network-family").inputValue(), { timeout: 60_000 }).toBe(dbt);
      await page.locator(".network__node").first().waitFor({ timeout: 60_000 });
      const names = await page.locator(".network__node title").allTextContents();
      expect(names).toContain("British Business Bank");
      expect(names).toContain("Companies House");
      const { body } = await postGraphQL(
        stack.gateway.url,
        `{ organisations(where: { id: { eq: "${dbt}" } }) { childrenAt(asAt: "2026-07-20") { name stateAt(asAt: "2026-07-20") { name } statusAt(asAt: "2026-07-20") } } }`,
      );
      type Child = { name: string; stateAt: { name: string } | null; statusAt: string | null };
      const children = (body.data?.["organisations"] as { childrenAt: Child[] }[])[0]!.childrenAt;
      expect(children).toContainEqual(expect.objectContaining({ name: "British Business Bank", statusAt: "EXEMPT" }));
      // Every child the API says is open that day is drawn, and none that had closed.
      const open = children.filter((c) => c.statusAt !== null && c.statusAt !== "CLOSED").map((c) => c.stateAt?.name ?? c.name);
      expect(names.filter((n) => n !== "Department for Business and Trade").sort()).toEqual(open.sort());
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });

    it("has no serious or critical accessibility problems", async () => {
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  describe("hand-offs and gaps", () => {
    beforeAll(async () => {
      await page.goto(`${base}/dashboard#tables`);
      await page.locator("#gaps tbody tr").first().waitFor({ timeout: 30_000 });
      await page.locator("#handoffs tbody tr").first().waitFor();
    });

    it("lists every hand-off the API knows, and sorts by a column both ways", async () => {
      const { body } = await postGraphQL(stack.gateway.url, "{ handoffs(first: 1) { totalCount } }");
      const total = body.data?.["handoffs"].totalCount as number;
      expect(total).toBeGreaterThanOrEqual(7);
      expect(await page.locator("#handoffs tbody tr").count()).toBe(Math.min(total, 100));

      const takenOver = page.locator("#handoffs th", { hasText: "Taken over by" });
      await takenOver.getByRole("button").click();
      expect(await takenOver.getAttribute("aria-sort")).toBe("ascending");
      const ascending = await columnTexts(page, "handoffs", 5);
      expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b, "en-GB", { numeric: true })));
      await takenOver.getByRole("button").click();
      expect(await takenOver.getAttribute("aria-sort")).toBe("descending");
      expect(await columnTexts(page, "handoffs", 5)).toEqual([...ascending].reverse());
    });

    it("downloads every hand-off as CSV from the gateway's file, the rows the table shows", async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator("#handoffs-table").getByRole("button", { name: "Download every matching row as CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("handoffs.csv");
      const lines = readFileSync(await download.path(), "utf8")
        .trimEnd()
        .split("\r\n");
      expect(lines[0]).toBe("Service,Service id,From stage,To stage,Handed over by,Taken over by,Continuing");
      expect(lines).toHaveLength((await page.locator("#handoffs tbody tr").count()) + 1);
      // The file is in the API's order, the table as sorted above.
      const tableServices = await columnTexts(page, "handoffs", 1);
      expect(
        lines
          .slice(1)
          .map((line) => line.split(",")[0])
          .sort(),
      ).toEqual([...tableServices].sort());
      expect(lines).toContainEqual(
        expect.stringMatching(/^Starting a Business,starting-a-business,1\. Check you can start a business,2\. Choose a business structure,/),
      );
    });

    it("lists the gaps and filters them by kind", async () => {
      const { body } = await postGraphQL(stack.gateway.url, "{ gaps(first: 1) { totalCount } }");
      const total = (body.data?.["gaps"].totalCount as number).toLocaleString("en-GB");
      expect(await page.locator("#gaps-status").innerText()).toMatch(new RegExp(`^Showing \\d+ of ${total} gaps`));
      await page.selectOption("#gaps-kind", "MISSING_PROFESSION");
      await page.getByRole("button", { name: "Show gaps" }).click();
      await expect.poll(async () => new Set(await columnTexts(page, "gaps", 3))).toEqual(new Set(["Profession missing"]));
      const startingABusiness = await page.locator("#gaps tbody tr", { hasText: "Starting a Business" }).allInnerTexts();
      expect(startingABusiness).toHaveLength(3);
      expect(startingABusiness.join("\n")).toContain("Legal");
      await page.screenshot({ path: resolve(screenshots, "handoffs-and-gaps.png"), fullPage: true });
    });

    it("has no serious or critical accessibility problems", async () => {
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  describe("services", () => {
    beforeAll(async () => {
      await page.goto(`${base}/dashboard#services`);
      await page.locator("#scorecard tbody tr").first().waitFor({ timeout: 30_000 });
      await page.locator("#theme-counts tbody tr").first().waitFor();
    });

    it("scores each department's ownership and counts services by phase and theme, as the API does", async () => {
      const { body } = await postGraphQL(
        stack.gateway.url,
        `{ ownershipScorecard(first: 100) { totalCount edges { node { department { acronym name } serviceCount } } }
           serviceCounts(by: PHASE, first: 100) { edges { node { key serviceCount } } } }`,
      );
      const data = body.data as any;
      const departments = await columnTexts(page, "scorecard", 1);
      expect(departments).toHaveLength(data.ownershipScorecard.totalCount);
      const hmrc = data.ownershipScorecard.edges.find((e: any) => e.node.department.acronym === "HMRC").node;
      const row = page.locator("#scorecard tbody tr", { hasText: "HMRC" }).first();
      expect(await row.locator("td").nth(1).innerText()).toBe(String(hmrc.serviceCount));
      const phases = await columnTexts(page, "phase-counts", 1);
      expect(phases).toContain("beta");
      const beta = data.serviceCounts.edges.find((e: any) => e.node.key === "BETA").node.serviceCount;
      expect(await page.locator("#phase-counts tbody tr", { hasText: "beta" }).first().locator("td").nth(1).innerText()).toBe(String(beta));
      await page.screenshot({ path: resolve(screenshots, "services.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: resolve(screenshots, "services-390.png"), fullPage: true });
      await page.setViewportSize({ width: 1440, height: 900 });
    });

    it("lists a chosen department's services with owners, phase and last assessment, as the services list's files give them", async () => {
      const listDir = resolve(repoRoot, "data/seed/data/govuk-services-list/services");
      const files = readdirSync(listDir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(readFileSync(resolve(listDir, f), "utf8")) as { name: string; organisation: string | string[] });
      expect(files.length).toBeGreaterThan(200);
      const listNames = new Set(files.map((f) => f.name));
      const namedBy = (organisation: string) => files.filter((f) => [f.organisation].flat().includes(organisation)).map((f) => f.name);
      const show = async (label: RegExp) => {
        const select = page.locator("#services-in-group");
        await select.locator("option", { hasText: label }).first().waitFor({ state: "attached" });
        const value = await select.locator("option", { hasText: label }).first().getAttribute("value");
        await select.selectOption(value ?? "");
        await page.locator("#services-in-form button[type=submit]").click();
      };
      /** The rows as the page shows them: name, owners, phase, assessment, date, source. */
      const rows = async () => (await page.locator("#services-in tbody tr").allInnerTexts()).map((row) => row.split("\t"));

      // HMRC: every file naming it is listed, and as many rows as the scorecard says.
      await show(/^HM Revenue (&|and) Customs \(HMRC\)/);
      await expect.poll(() => page.locator("#services-in caption").innerText()).toMatch(/^Services of HM Revenue/);
      const hmrcCount = Number(await page.locator("#scorecard tbody tr", { hasText: "HMRC" }).first().locator("td").nth(1).innerText());
      await expect.poll(async () => (await rows()).length).toBe(hmrcCount);
      const hmrc = await rows();
      expect(
        hmrc
          .map((r) => r[0])
          .filter((n) => listNames.has(n!))
          .sort(),
      ).toEqual(expect.arrayContaining(namedBy("HM Revenue and Customs").sort()));
      expect(hmrc.filter((r) => r[1]!.split(", ").includes("HMRC") && listNames.has(r[0]!)).length).toBe(namedBy("HM Revenue and Customs").length);

      // DVLA's services count for the Department for Transport; the Owners column names DVLA on each.
      await show(/^Department for Transport \(DfT\)/);
      await expect.poll(() => page.locator("#services-in caption").innerText()).toMatch(/^Services of Department for Transport/);
      await expect
        .poll(async () =>
          (await rows())
            .filter((r) => r[1]!.split(", ").includes("DVLA") && listNames.has(r[0]!))
            .map((r) => r[0])
            .sort(),
        )
        .toEqual(namedBy("Driver and Vehicle Licensing Agency").sort());

      // A theme spelt two ways in the files is one choice, with every one of its services.
      const governmentInternal = files.filter((f) => /^government internal$/i.test((f as { theme?: string }).theme ?? "")).length;
      await show(/^Government internal \(/);
      await expect.poll(async () => (await rows()).length).toBe(governmentInternal);

      // DWP's: as many as the API gives, each row's assessment with its date and source where it has one.
      await show(/^Department for Work and Pensions \(DWP\)/);
      const { body } = await postGraphQL(
        stack.gateway.url,
        `{ servicesIn(by: DEPARTMENT, key: "department-for-work-pensions", first: 200) { totalCount edges { node { service { name } lastAssessment { date label source } } } } }`,
      );
      const api = (body.data as any).servicesIn;
      await expect.poll(async () => (await rows()).length).toBe(api.totalCount);
      expect(api.totalCount).toBeGreaterThanOrEqual(namedBy("Department for Work and Pensions").length);
      const assessed = api.edges.find((e: any) => e.node.lastAssessment).node;
      const row = (await rows()).find((r) => r[0] === assessed.service.name)!;
      expect(row.slice(3)).toEqual([assessed.lastAssessment.label, assessed.lastAssessment.date, assessed.lastAssessment.source]);
    });

    it("the scorecard lists a department's services not assessed lately, not only their count", async () => {
      const row = page.locator("#scorecard tbody tr", { hasText: "DWP" }).first();
      const count = Number(await row.locator("td").nth(5).innerText());
      expect(count).toBeGreaterThan(0);
      await row.locator("td").nth(5).getByRole("button").click();
      // Generous, as the other reads of a busy machine here: the list is read again with its date.
      await expect.poll(() => page.locator("#services-in-status").innerText(), { timeout: 30_000 }).toMatch(/^Showing/);
      await expect
        .poll(() => page.locator("#services-in caption").innerText(), { timeout: 30_000 })
        .toMatch(/^Services of Department for Work and Pensions \(DWP\) not assessed since \d{4}-\d{2}-\d{2}$/);
      await expect.poll(async () => await page.locator("#services-in tbody tr").count()).toBe(count);
      const since = (await page.locator("#services-in caption").innerText()).slice(-10);
      for (const date of await columnTexts(page, "services-in", 5)) if (date) expect(date < since).toBe(true);
      await page.screenshot({ path: resolve(screenshots, "services-of-a-department.png"), fullPage: true });
    });

    it("has no serious or critical accessibility problems", async () => {
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  describe("search", () => {
    beforeAll(async () => {
      await page.goto(`${base}/dashboard#search`);
    });

    it("asks for something to search for, the GOV.UK way", async () => {
      await page.getByRole("button", { name: "Search", exact: true }).click();
      expect(await page.locator("#search-error-summary").isVisible()).toBe(true);
      expect(await page.locator("#search-text-error").innerText()).toContain("Enter at least 2 letters");
    });

    it("finds The Pensions Regulator and shows its details", async () => {
      await page.fill("#search-text", "pens reg");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.locator("#search-results-table").waitFor();
      expect(await page.locator("#search-error-summary").isVisible()).toBe(false);
      expect(await columnTexts(page, "search-results-table", 1).then((names) => names[0])).toBe("The Pensions Regulator");
      await page.locator("#search-results-table tbody tr").first().getByRole("button").click();
      await expect.poll(() => page.locator("#search-details h2").innerText()).toContain("The Pensions Regulator");
      await page.screenshot({ path: resolve(screenshots, "search.png"), fullPage: true });
    });

    it("has no serious or critical accessibility problems", async () => {
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  describe("signing in", () => {
    it("shows how many people work on each stage but not who, until a token is given", async () => {
      const signedOut = await offlineContext(browser);
      const visitor = await signedOut.context.newPage();
      await openDashboard(visitor, base);
      expect(await visitor.locator(".journey-map__person").count()).toBe(0);
      expect(await visitor.locator("#journey-map-table").innerText()).toMatch(/\d+ (person|people)/);
      await visitor.getByRole("link", { name: "Sign in to see who" }).first().click();
      await visitor.locator("#signin-heading").waitFor();
      expect(await visitor.locator("#signin-status").innerText()).toContain("You are not signed in");

      await visitor.getByRole("button", { name: "Sign in with this token" }).click();
      expect(await visitor.locator("#signin-token-error").innerText()).toContain("Enter your token");
      await visitor.fill("#signin-token", "not a token");
      await visitor.getByRole("button", { name: "Sign in with this token" }).click();
      expect(await visitor.locator("#signin-token-error").innerText()).toContain("must be a JWT");
      expect(await seriousAccessibilityProblems(visitor)).toEqual([]);

      // Who joined or left is not offered signed out (the API refuses it), and says how to see it.
      await visitor.goto(`${base}/dashboard#changes`);
      await visitor.locator("#changes tbody tr").first().waitFor({ timeout: 60_000 });
      expect(await visitor.locator("#changes-kinds input").evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value))).toEqual([
        "OPENED",
        "CLOSED",
        "RENAMED",
        "MOVED",
        "RESPONSIBILITY_MOVED",
      ]);
      expect(await visitor.locator("#changes-kinds-hint").innerText()).toBe("Every kind when none is selected. Sign in to see people who joined or left");
      expect(await seriousAccessibilityProblems(visitor)).toEqual([]);
      await visitor.goto(`${base}/dashboard#signin`);

      await visitor.fill("#signin-token", `Bearer ${await tokenFor(testReader)}`);
      await visitor.getByRole("button", { name: "Sign in with this token" }).click();
      await visitor.locator(".journey-map__person").first().waitFor({ timeout: 30_000 });
      expect(await visitor.locator("#nav-signin").innerText()).toBe("Signed in");
      await visitor.goto(`${base}/dashboard#signin`);
      expect(await visitor.locator("#signin-status").innerText()).toContain("signed in as test-reader with the reader role");
      await visitor.goto(`${base}/dashboard#changes`);
      expect(await visitor.locator("#changes-kind-JOINED").isEnabled()).toBe(true);
      await visitor.goto(`${base}/dashboard#signin`);
      await visitor.screenshot({ path: resolve(screenshots, "sign-in.png") });
      await visitor.getByRole("button", { name: "Sign out" }).click();
      await visitor.locator("#journey-map-table").waitFor();
      expect(await visitor.locator(".journey-map__person").count()).toBe(0);
      expect(signedOut.blocked).toEqual([]);
      await signedOut.context.close();
    });
  });

  it("waits out the gateway's rate limit for its address, saying so, and then shows the map", async () => {
    // The journey costs more than the bucket of 30 (about 60 tokens), so it runs only on a full bucket:
    // whichever of it and the list of services (1 token) comes second is refused. A token in 2 s, so
    // the refill cannot pay for the second however slowly the page sends it, and a refusal waits a few seconds.
    const limited = await stack.startGateway(withRateLimit({ burst: 30, perSecond: 0.5 }));
    const signedOut = await offlineContext(browser);
    const visitor = await signedOut.context.newPage();
    const refused: string[] = [];
    visitor.on("response", (response) => {
      if (response.status() === 429) refused.push(JSON.parse(response.request().postData() ?? "{}").operationName);
    });
    const waited = visitor
      .locator("#journey-map", { hasText: "trying again in" })
      .waitFor({ timeout: 60_000 })
      .then(
        () => true,
        () => false,
      );
    await visitor.goto(limited.url.replace(/\/graphql$/, "/dashboard"));
    await visitor.locator("#journey-map-table").waitFor({ timeout: 60_000 });
    await expect.poll(() => visitor.locator("#journey-service option").count(), { timeout: 30_000 }).toBeGreaterThan(100);
    expect(refused.length).toBeGreaterThan(0);
    // The map says why it is taking longer when the journey was refused; the list of services waits quietly.
    if (refused.includes("JourneyMap")) expect(await waited).toBe(true);
    expect(signedOut.blocked).toEqual([]);
    await signedOut.context.close();
  }, 120_000);

  it("asked nothing of the internet", () => {
    expect(offline.blocked).toEqual([]);
  });
});
