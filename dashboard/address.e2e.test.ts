/**
 * Every view of the dashboard restored from its address, in Chromium against the stack running in
 * this process, offline: what a view shows (service, dates, filters, selection) is in the URL, so a
 * reload or a shared link brings it back, and the browser's back and forward buttons step through it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startReaderBrowser, type ReaderBrowser } from "../test/browser-stack.js";
import { seriousAccessibilityProblems, type OfflineContext } from "./browser.js";

const beis = "department-for-business-energy-and-industrial-strategy";
const dwp = "department-for-work-pensions";

const dateParts = (page: Page, id: string) => Promise.all(["day", "month", "year"].map((part) => page.locator(`#${id}-${part}`).inputValue()));
const hashOf = (page: Page) => page.evaluate(() => decodeURIComponent(location.hash));

describe("every view restored from its address, in Chromium, offline", () => {
  let session: ReaderBrowser;
  let offline: OfflineContext;
  let page: Page;
  let base: string;
  const ask = async (query: string, variables?: Record<string, unknown>) => (await session.ask(query, variables)) as any;
  /** A second visitor opening a link someone shared: a fresh page, nothing carried over but the address. */
  const openShared = async (address: string) => {
    const shared = await offline.context.newPage();
    await shared.goto(address);
    return shared;
  };

  beforeAll(async () => {
    session = await startReaderBrowser();
    ({ offline, page } = session);
    base = `${session.origin}/dashboard`;
  });

  afterAll(async () => {
    await session?.close();
  });

  describe("journey map", () => {
    it("puts the service, both dates and the selection in the address, and a shared link shows the same", async () => {
      await page.goto(`${base}#journey`);
      await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
      await page.fill("#journey-as-at-day", "1");
      await page.fill("#journey-as-at-month", "1");
      await page.fill("#journey-as-at-year", "2024");
      await page.fill("#journey-compare-day", "1");
      await page.fill("#journey-compare-month", "6");
      await page.fill("#journey-compare-year", "2022");
      await page.getByRole("button", { name: "Show journey" }).click();
      await page.locator("#journey-comparison-table").waitFor({ timeout: 30_000 });
      expect(await hashOf(page)).toBe("#journey?service=starting-a-business&asAt=2024-01-01&compare=2022-06-01");

      const register = page.locator(".journey-map__row--frontstage td").nth(2);
      await register.getByRole("button", { name: /^Companies House\b/ }).click();
      await expect.poll(() => page.locator("#journey-details h2").innerText(), { timeout: 30_000 }).toContain("Companies House");
      const address = await hashOf(page);
      expect(address).toBe(
        "#journey?service=starting-a-business&asAt=2024-01-01&compare=2022-06-01&select=organisation:companies-house&at=sab-register-the-company",
      );

      const shared = await openShared(`${base}${address}`);
      await expect.poll(() => shared.locator("#journey-details h2").innerText(), { timeout: 60_000 }).toContain("Companies House");
      expect(await dateParts(shared, "journey-as-at")).toEqual(["1", "1", "2024"]);
      expect(await dateParts(shared, "journey-compare")).toEqual(["1", "6", "2022"]);
      expect(await shared.locator("#journey-service").inputValue()).toBe("starting-a-business");
      expect(await shared.locator("#journey-summary").innerText()).toContain("As at 2024-01-01");
      expect(await shared.locator("#journey-comparison-table tbody tr").allInnerTexts()).toEqual(
        await page.locator("#journey-comparison-table tbody tr").allInnerTexts(),
      );
      // The link back returns to the organisation selected, in the stage it was selected at.
      await shared.getByRole("button", { name: "Back to the map" }).click();
      const focused = await shared.evaluate(() => ({
        text: document.activeElement?.getAttribute("title"),
        stage: document.activeElement?.closest<HTMLElement>("[data-stage]")?.dataset["stage"],
      }));
      expect(focused).toEqual({ text: "Companies House", stage: "sab-register-the-company" });
      expect(await seriousAccessibilityProblems(shared)).toEqual([]);
      await shared.close();
    });

    it("sets the details beside what was selected on a wide screen and directly under the map on a phone", async () => {
      const map = await page.locator("#journey-map").boundingBox();
      const details = await page.locator("#journey-details").boundingBox();
      expect(details!.x).toBeGreaterThanOrEqual(map!.x + map!.width);
      expect(Math.abs(details!.y - map!.y)).toBeLessThan(5);
      await page.setViewportSize({ width: 390, height: 844 });
      const narrowMap = await page.locator("#journey-map").boundingBox();
      const narrowDetails = await page.locator("#journey-details").boundingBox();
      expect(narrowDetails!.y - (narrowMap!.y + narrowMap!.height)).toBeLessThanOrEqual(40);
      // The map scrolls inside its own region: it is never taller than the screen.
      expect(narrowMap!.height).toBeLessThanOrEqual(844);
      await page.setViewportSize({ width: 1440, height: 900 });
    });

    it("steps back and forward through selections and services, the details following the view shown", async () => {
      await page.locator(".journey-map__person .dashboard-link-button").first().click();
      await expect.poll(() => page.locator("#journey-details h2").innerText(), { timeout: 30_000 }).toMatch(/^Person/);
      expect(await hashOf(page)).toMatch(/&select=person:/);

      await page.goBack();
      await expect.poll(() => page.locator("#journey-details h2").innerText(), { timeout: 30_000 }).toContain("Companies House");
      await page.goForward();
      await expect.poll(() => page.locator("#journey-details h2").innerText(), { timeout: 30_000 }).toMatch(/^Person/);

      // Another service: the details of the last one's selection go.
      await page.selectOption("#journey-service", "employ-someone");
      await page.getByRole("button", { name: "Show journey" }).click();
      await expect.poll(() => page.locator("#journey-summary").innerText(), { timeout: 30_000 }).toContain("Employ someone");
      expect(await page.locator("#journey-details").innerText()).toBe("");
      expect(await hashOf(page)).toBe("#journey?service=employ-someone&asAt=2024-01-01&compare=2022-06-01");

      await page.goBack();
      await expect.poll(() => page.locator("#journey-summary").innerText(), { timeout: 30_000 }).toContain("Starting a Business");
      await expect.poll(() => page.locator("#journey-details h2").innerText(), { timeout: 30_000 }).toMatch(/^Person/);
      expect(await page.locator("#journey-service").inputValue()).toBe("starting-a-business");
    });

    it("says so the GOV.UK way when the address holds a date that is not one", async () => {
      await page.goto(`${base}#journey?service=starting-a-business&asAt=2022-02-30`);
      await expect.poll(() => page.locator("#journey-as-at-error").innerText(), { timeout: 30_000 }).toContain("The date must be a real date");
      expect(await page.locator("#journey-map").innerText()).toContain("The address holds a date that is not a date");
    });

    it("goes back to each view as it was last shown from the navigation", async () => {
      await page.goto(`${base}#journey?service=employ-someone`);
      await expect.poll(() => page.locator("#journey-summary").innerText(), { timeout: 30_000 }).toContain("Employ someone");
      await page.locator("#nav-search").click();
      await page.locator("#nav-journey").click();
      expect(await hashOf(page)).toBe("#journey?service=employ-someone");
      expect(await page.locator("#journey-summary").innerText()).toContain("Employ someone");
    });
  });

  it("restores the network's family, date and the link selected", async () => {
    const family = await openShared(`${base}#network?family=${dwp}`);
    await expect.poll(() => family.locator("figcaption").innerText(), { timeout: 60_000 }).toMatch(/^\d+ organisations/);
    expect(await family.locator("#network-family").inputValue()).toBe(dwp);
    expect(await family.locator(".network__node text").allTextContents()).toContain("DWP");
    await family.close();

    await page.goto(`${base}#network?asAt=2024-01-01`);
    await page.locator("#network-links-table tbody tr").first().waitFor({ timeout: 60_000 });
    expect(await page.locator("#network-family").inputValue()).toBe("");
    expect(await dateParts(page, "network-as-at")).toEqual(["1", "1", "2024"]);
    expect(await page.locator("figcaption").innerText()).toContain("on 1 January 2024");
    const row = page.locator("#network-links-table tbody tr").first();
    const pair = await row.locator("th").innerText();
    await row.getByRole("button").click();
    await expect.poll(() => page.locator("#network-evidence h2").innerText(), { timeout: 30_000 }).toContain("What links");
    const address = await hashOf(page);
    expect(address).toMatch(/^#network\?asAt=2024-01-01&link=[^,]+,[^,]+$/);

    const shared = await openShared(`${base}${address}`);
    await expect.poll(() => shared.locator("#network-evidence h2").innerText(), { timeout: 60_000 }).toContain("What links");
    expect(await shared.locator("#network-evidence h2").innerText()).toBe(await page.locator("#network-evidence h2").innerText());
    expect(await shared.locator(".network__link--selected").getAttribute("aria-label")).toContain(pair);
    await shared.getByRole("button", { name: "Back to the network" }).click();
    expect(await shared.evaluate(() => document.activeElement?.classList.contains("network__link--selected"))).toBe(true);
    expect(await seriousAccessibilityProblems(shared)).toEqual([]);
    await shared.close();

    await page.goBack();
    await expect.poll(() => page.locator("#network-evidence").innerText(), { timeout: 30_000 }).toBe("");
  }, 120_000);

  it("restores the hand-offs and gaps' date and the kind of gap", async () => {
    const shared = await openShared(`${base}#tables?asAt=2022-06-01&kind=MISSING_PROFESSION`);
    const { gaps } = await ask(`{ gaps(asAt: "2022-06-01", kinds: [MISSING_PROFESSION], first: 1) { totalCount } }`);
    await expect
      .poll(() => shared.locator("#gaps-status").innerText(), { timeout: 60_000 })
      .toMatch(new RegExp(`of ${gaps.totalCount.toLocaleString("en-GB")} gaps`));
    expect(await shared.locator("#gaps-kind").inputValue()).toBe("MISSING_PROFESSION");
    expect(await dateParts(shared, "tables-as-at")).toEqual(["1", "6", "2022"]);
    expect(new Set(await shared.locator("#gaps tbody tr td:nth-child(3)").allInnerTexts())).toEqual(new Set(["Profession missing"]));

    await shared.selectOption("#gaps-kind", "NOBODY_WORKING");
    await shared.getByRole("button", { name: "Show gaps" }).click();
    expect(await hashOf(shared)).toBe("#tables?asAt=2022-06-01&kind=NOBODY_WORKING");
    await shared.goBack();
    await expect.poll(() => shared.locator("#gaps-kind").inputValue(), { timeout: 30_000 }).toBe("MISSING_PROFESSION");
    expect(await seriousAccessibilityProblems(shared)).toEqual([]);
    await shared.close();
  });

  it("restores the Services view's date and the department, phase or theme chosen, the scorecard's list included", async () => {
    await page.goto(`${base}#services`);
    const row = page.locator("#scorecard tbody tr", { hasText: "DWP" }).first();
    await row.waitFor({ timeout: 60_000 });
    await row.locator("td").nth(5).getByRole("button").click();
    await expect.poll(() => page.locator("#services-in caption").innerText(), { timeout: 30_000 }).toMatch(/not assessed since/);
    const address = await hashOf(page);
    expect(address).toMatch(new RegExp(`^#services\\?group=DEPARTMENT:${dwp}&since=\\d{4}-\\d{2}-\\d{2}$`));

    const shared = await openShared(`${base}${address}`);
    await expect
      .poll(() => shared.locator("#services-in caption").innerText(), { timeout: 60_000 })
      .toBe(await page.locator("#services-in caption").innerText());
    await expect.poll(() => shared.locator("#services-in tbody tr").count(), { timeout: 30_000 }).toBe(await page.locator("#services-in tbody tr").count());
    expect(await shared.locator("#services-in-group").inputValue()).toBe(`DEPARTMENT:${dwp}`);
    await shared.close();

    const theme = await openShared(`${base}#services?asAt=2022-06-01&group=THEME:Government internal`);
    await expect.poll(() => theme.locator("#services-in caption").innerText(), { timeout: 60_000 }).toMatch(/^Services of Government internal/);
    expect(await dateParts(theme, "services-as-at")).toEqual(["1", "6", "2022"]);
    const { ownershipScorecard } = await ask(`{ ownershipScorecard(asAt: "2022-06-01", first: 1) { totalCount } }`);
    await expect
      .poll(() => theme.locator("#scorecard-status").innerText(), { timeout: 30_000 })
      .toMatch(new RegExp(`of ${ownershipScorecard.totalCount} departments`));
    expect(await seriousAccessibilityProblems(theme)).toEqual([]);
    await theme.close();
  });

  it("restores What changed: its two dates, the department and the kinds", async () => {
    const shared = await openShared(`${base}#changes?from=2022-06-01&to=2024-01-01&department=${beis}&kinds=MOVED,CLOSED`);
    const { changes } = await ask(
      `query ($departmentId: ID) { changes(from: "2022-06-01", to: "2024-01-01", departmentId: $departmentId, kinds: [MOVED, CLOSED], first: 1) { totalCount } }`,
      { departmentId: beis },
    );
    await expect
      .poll(() => shared.locator("#changes-status").innerText(), { timeout: 60_000 })
      .toMatch(new RegExp(`^Showing \\d+ of ${changes.totalCount} changes`));
    expect(await dateParts(shared, "changes-from")).toEqual(["1", "6", "2022"]);
    expect(await dateParts(shared, "changes-to")).toEqual(["1", "1", "2024"]);
    expect(await shared.locator("#changes-department").inputValue()).toBe(beis);
    const checked = await shared
      .locator('#changes-kinds input[name="kind"]')
      .evaluateAll((boxes) => (boxes as HTMLInputElement[]).filter((b) => b.checked).map((b) => b.value));
    expect(new Set(checked)).toEqual(new Set(["MOVED", "CLOSED"]));

    await shared.uncheck("#changes-kind-CLOSED");
    await shared.getByRole("button", { name: "Show changes" }).click();
    expect(await hashOf(shared)).toBe(`#changes?from=2022-06-01&to=2024-01-01&department=${beis}&kinds=MOVED`);
    await shared.goBack();
    await expect.poll(() => shared.locator("#changes-kind-CLOSED").isChecked(), { timeout: 30_000 }).toBe(true);
    expect(await seriousAccessibilityProblems(shared)).toEqual([]);
    await shared.close();
  });

  it("restores a search, its date and the result selected", async () => {
    await page.goto(`${base}#search`);
    await page.fill("#search-text", "pens reg");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator("#search-results-table").waitFor({ timeout: 30_000 });
    await page.locator("#search-results-table tbody tr").first().getByRole("button").click();
    await expect.poll(() => page.locator("#search-details h2").innerText(), { timeout: 30_000 }).toContain("The Pensions Regulator");
    const address = await hashOf(page);
    expect(address).toMatch(/^#search\?text=pens\+reg&select=organisation:/);

    const shared = await openShared(`${base}${address}`);
    await expect.poll(() => shared.locator("#search-details h2").innerText(), { timeout: 60_000 }).toContain("The Pensions Regulator");
    expect(await shared.locator("#search-text").inputValue()).toBe("pens reg");
    await shared.getByRole("button", { name: "Back to the results" }).click();
    expect(await shared.evaluate(() => document.activeElement?.textContent)).toBe("The Pensions Regulator");
    expect(await seriousAccessibilityProblems(shared)).toEqual([]);
    await shared.close();
  });

  it("asked nothing of the internet", () => {
    expect(offline.blocked).toEqual([]);
  });
});
