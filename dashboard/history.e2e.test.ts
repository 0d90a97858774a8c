/**
 * The dashboard over time, in Chromium against the stack running in this process, offline: the "What
 * changed" view and its download, a date on every view, and the journey map on two dates compared.
 * What each page says is checked against what the graph says through the gateway (docs/adr/0008).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { repoRoot } from "../platform/paths.js";
import { startReaderBrowser, type ReaderBrowser } from "../test/browser-stack.js";
import { seriousAccessibilityProblems, type OfflineContext } from "./browser.js";

// As dashboard.e2e.test.ts: test-results/ unless SCREENSHOTS_DIR=docs/screenshots refreshes the reviewed set.
const screenshots = resolve(repoRoot, process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots");

const beis = "department-for-business-energy-and-industrial-strategy";
const announcement = "https://www.gov.uk/government/news/making-government-deliver-for-the-british-people";

async function fillDate(page: Page, id: string, day: string, month: string, year: string): Promise<void> {
  await page.fill(`#${id}-day`, day);
  await page.fill(`#${id}-month`, month);
  await page.fill(`#${id}-year`, year);
}

const longDate = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

describe("the dashboard over time, in Chromium, offline", () => {
  let session: ReaderBrowser;
  let offline: OfflineContext;
  let page: Page;
  let base: string;
  const ask = async (query: string, variables?: Record<string, unknown>) => (await session.ask(query, variables)) as any;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // People's joining and leaving are a reader's to see.
    session = await startReaderBrowser();
    ({ offline, page } = session);
    base = session.origin;
  });

  afterAll(async () => {
    await session?.close();
  });

  describe("what changed", () => {
    const changesQuery = `query ($from: Date!, $to: Date, $departmentId: ID, $kinds: [ChangeKind!], $after: String) {
      changes(from: $from, to: $to, departmentId: $departmentId, kinds: $kinds, first: 500, after: $after) {
        totalCount
        edges { node { kind date dateEarliest dateLatest approximate subject { id name } description source } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const rowOf = (text: string) => page.locator("#changes tbody tr", { hasText: text });

    beforeAll(async () => {
      await page.goto(`${base}/dashboard#changes`);
      // The view opens on the last five years before anything is chosen.
      await page.locator("#changes tbody tr").first().waitFor({ timeout: 60_000 });
    });

    it("lists Companies House's move from BEIS to DBT on 7 February 2023 and BEIS's closure, each with its source, as the graph does", async () => {
      await fillDate(page, "changes-from", "1", "6", "2022");
      await fillDate(page, "changes-to", "1", "1", "2024");
      await page.selectOption("#changes-department", beis);
      await page.check("#changes-kind-MOVED");
      await page.check("#changes-kind-CLOSED");
      await page.getByRole("button", { name: "Show changes" }).click();
      const { changes } = await ask(changesQuery, { from: "2022-06-01", to: "2024-01-01", departmentId: beis, kinds: ["MOVED", "CLOSED"] });
      await expect
        .poll(() => page.locator("#changes-status").innerText(), { timeout: 30_000 })
        .toMatch(new RegExp(`^Showing \\d+ of ${changes.totalCount} changes`));
      expect(await page.locator("#changes tbody tr").count()).toBe(Math.min(changes.totalCount, 50));

      const move = changes.edges.map((e: any) => e.node).find((c: any) => c.kind === "MOVED" && c.subject.id === "companies-house");
      expect(move).toMatchObject({ date: "2023-02-07", approximate: false });
      const moveRow = rowOf(move.description);
      const cells = await moveRow.locator("td").allInnerTexts();
      expect(cells).toEqual(["7 February 2023", "Moved to another parent", move.description, "Companies House", "BEIS", "DBT", move.source]);

      const closure = rowOf("Department for Business, Energy & Industrial Strategy closed");
      expect(await closure.locator("td").first().innerText()).toBe("7 February 2023");
      expect(await closure.locator("td").nth(5).innerText()).toMatch(/DBT/);
      expect(await closure.locator(`a[href="${announcement}"]`).count()).toBe(1);
      await page.screenshot({ path: resolve(screenshots, "what-changed.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: resolve(screenshots, "what-changed-390.png"), fullPage: true });
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });

    it("shows a date known only between two snapshots as between them, marked approximate", async () => {
      const { changes } = await ask(changesQuery, { from: "2023-01-01", to: "2026-08-22", kinds: ["CLOSED"] });
      const approximate = changes.edges.map((e: any) => e.node).find((c: any) => c.approximate && c.dateEarliest);
      expect(approximate, "a closure known only between two snapshots").toBeDefined();
      await fillDate(page, "changes-from", "1", "1", "2023");
      await fillDate(page, "changes-to", "22", "8", "2026");
      await page.selectOption("#changes-department", "");
      await page.uncheck("#changes-kind-MOVED");
      await page.getByRole("button", { name: "Show changes" }).click();
      await expect
        .poll(() => page.locator("#changes-status").innerText(), { timeout: 30_000 })
        .toMatch(new RegExp(`of ${changes.totalCount.toLocaleString("en-GB")} changes`));
      // The table shows a page; the row may be on a later one.
      while ((await rowOf(approximate.description).count()) === 0) await page.getByRole("button", { name: "Show the next changes" }).click();
      expect(await rowOf(approximate.description).first().locator("td").first().innerText()).toBe(
        `Between ${longDate(approximate.dateEarliest)} and ${longDate(approximate.dateLatest)} Approximate`,
      );
    });

    it("downloads every matching change as CSV, not only the page shown", async () => {
      await fillDate(page, "changes-from", "1", "6", "2022");
      await fillDate(page, "changes-to", "", "", "");
      await page.uncheck("#changes-kind-CLOSED");
      await page.getByRole("button", { name: "Show changes" }).click();
      const all: any[] = [];
      let after: string | null = null;
      for (;;) {
        const { changes } = await ask(changesQuery, { from: "2022-06-01", after });
        all.push(...changes.edges.map((e: any) => e.node));
        if (!changes.pageInfo.hasNextPage) break;
        after = changes.pageInfo.endCursor;
      }
      expect(all.length, "more changes than a page of the table holds").toBeGreaterThan(50);
      const button = page.getByRole("button", { name: `Download all ${all.length.toLocaleString("en-GB")} changes as CSV` });
      // The table pages in first; on a busy run the gateway's rate limit may make the page wait its turn.
      await button.waitFor({ timeout: 120_000 });
      const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), button.click()]);
      expect(download.suggestedFilename()).toBe("changes.csv");
      const lines = readFileSync(await download.path(), "utf8")
        .trimEnd()
        .split("\r\n");
      expect(lines[0]).toBe("Date,Kind,What changed,Organisation,From,To,Source,Known after,Known by,Approximate,Subject");
      expect(lines).toHaveLength(all.length + 1);
      expect(lines).toContainEqual(
        expect.stringMatching(/^2023-02-07,Moved to another parent,"?Companies House moved from .*,no,organisation companies-house$/),
      );
      expect(await page.locator("#changes tbody tr").count()).toBe(all.length);
      // Each page of changes is worked out from the whole period's: on a busy machine, minutes.
    }, 180_000);

    it("has no serious or critical accessibility problems", async () => {
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  describe("the journey map on two dates", () => {
    beforeAll(async () => {
      await page.goto(`${base}/dashboard#journey`);
      await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
    });

    it("marks what moved between 1 June 2022 and 1 January 2024, as the graph has it on each day", async () => {
      await fillDate(page, "journey-as-at", "1", "1", "2024");
      await fillDate(page, "journey-compare", "1", "6", "2022");
      await page.getByRole("button", { name: "Show journey" }).click();
      await page.locator("#journey-comparison-table").waitFor({ timeout: 30_000 });
      const departmentOf = async (asAt: string) => {
        const { journey } = await ask(
          `query ($asAt: Date) { journey(serviceId: "starting-a-business", asAt: $asAt) { stages { stage { name } responsibilities { lane organisation { id acronym } department { acronym } } } } }`,
          { asAt },
        );
        return journey.stages;
      };
      const [then, later] = await Promise.all([departmentOf("2022-06-01"), departmentOf("2024-01-01")]);
      const companiesHouse = (stages: any[]) =>
        stages.find((s) => s.stage.name === "Register the company").responsibilities.find((r: any) => r.organisation.id === "companies-house").department
          .acronym;
      expect([companiesHouse(then), companiesHouse(later)]).toEqual(["BEIS", "DBT"]);

      const rows = await page.locator("#journey-comparison-table tbody tr").allInnerTexts();
      expect(rows).toContainEqual(expect.stringMatching(/^3\. Register the company\s+frontstage\s+Where Companies House sits\s+part of BEIS\s+part of DBT$/));
      const tradeAbroad = (stages: any[]) =>
        stages
          .find((s) => s.stage.name === "Trade abroad")
          .responsibilities.filter((r: any) => r.lane === "FRONTSTAGE")
          .map((r: any) => r.organisation.acronym)
          .join(", ");
      expect([tradeAbroad(then), tradeAbroad(later)]).toEqual(["DIT", "DBT"]);
      expect(rows).toContainEqual(
        expect.stringMatching(new RegExp(`^9\\. Trade abroad\\s+frontstage\\s+Who is responsible\\s+${tradeAbroad(then)}\\s+${tradeAbroad(later)}$`)),
      );

      // On the map itself: the cell marked, with the other day's state.
      const register = page.locator(".journey-map__row--frontstage td").nth(2);
      expect(await register.locator(".journey-map__moved").innerText()).toBe("Moved part of BEIS on 1 June 2022");
      const trade = page.locator(".journey-map__row--frontstage td").nth(8);
      expect(await trade.getAttribute("class")).toContain("journey-map__cell--changed");
      expect(await trade.locator(".journey-map__changed").innerText()).toBe("Changed On 1 June 2022: DIT");
      expect(await page.locator("#journey-summary").innerText()).toContain("Compared with 2022-06-01");
      await page.screenshot({ path: resolve(screenshots, "journey-compared.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: resolve(screenshots, "journey-compared-390.png"), fullPage: true });
      await page.setViewportSize({ width: 1440, height: 900 });
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });

    it("refuses a date to compare with that is not a date, the GOV.UK way", async () => {
      await fillDate(page, "journey-compare", "30", "2", "2022");
      await page.getByRole("button", { name: "Show journey" }).click();
      expect(await page.locator("#journey-compare-error").innerText()).toContain("The date to compare with must be a real date");
      await fillDate(page, "journey-compare", "", "", "");
    });
  });

  describe("a date on every view", () => {
    it("draws the department network as at 1 June 2022: BEIS and DIT, no DBT", async () => {
      await page.goto(`${base}/dashboard#network`);
      await page.locator("#network-links-table").waitFor({ timeout: 60_000 });
      await fillDate(page, "network-as-at", "1", "6", "2022");
      await page.getByRole("button", { name: "Show network" }).click();
      await expect.poll(() => page.locator("figcaption").innerText(), { timeout: 30_000 }).toContain("on 1 June 2022");
      const nodes = await page.locator(".network__node text").allTextContents();
      expect(nodes).toContain("BEIS");
      expect(nodes).toContain("DIT");
      expect(nodes).not.toContain("DBT");
      expect(await page.locator("#network-family option").allInnerTexts()).toContainEqual(expect.stringContaining("(BEIS) and the bodies below it"));
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });

    it("lists the hand-offs and gaps as at a date, as many as the graph has then", async () => {
      await page.goto(`${base}/dashboard#tables`);
      await page.locator("#gaps tbody tr").first().waitFor({ timeout: 60_000 });
      await fillDate(page, "tables-as-at", "1", "6", "2022");
      await page.getByRole("button", { name: "Show hand-offs and gaps" }).click();
      const { handoffs, gaps } = await ask(`{ handoffs(asAt: "2022-06-01", first: 1) { totalCount } gaps(asAt: "2022-06-01", first: 1) { totalCount } }`);
      await expect
        .poll(() => page.locator("#handoffs-status").innerText(), { timeout: 30_000 })
        .toMatch(new RegExp(`of ${handoffs.totalCount.toLocaleString("en-GB")} hand-offs`));
      await expect
        .poll(() => page.locator("#gaps-status").innerText(), { timeout: 30_000 })
        .toMatch(new RegExp(`of ${gaps.totalCount.toLocaleString("en-GB")} gaps`));
    });

    it("scores departments as at a date and searches as at one", async () => {
      await page.goto(`${base}/dashboard#services`);
      await page.locator("#scorecard tbody tr").first().waitFor({ timeout: 60_000 });
      await fillDate(page, "services-as-at", "1", "6", "2022");
      await page.getByRole("button", { name: "Show scorecard" }).click();
      const { ownershipScorecard } = await ask(`{ ownershipScorecard(asAt: "2022-06-01", first: 1) { totalCount } }`);
      await expect
        .poll(() => page.locator("#scorecard-status").innerText(), { timeout: 30_000 })
        .toMatch(new RegExp(`of ${ownershipScorecard.totalCount} departments`));

      await page.goto(`${base}/dashboard#search`);
      await page.fill("#search-text", "Department for Business");
      await fillDate(page, "search-as-at", "1", "6", "2022");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect.poll(() => page.locator("#search-results-table caption").innerText(), { timeout: 30_000 }).toContain("as at 1 June 2022");
      const names = await page.locator("#search-results-table tbody tr td:first-child").allInnerTexts();
      expect(names).toContain("Department for Business, Energy & Industrial Strategy");
      expect(names).not.toContain("Department for Business and Trade");
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
    });
  });

  it("asked nothing of the internet", () => {
    expect(offline.blocked).toEqual([]);
  });
});
