/**
 * The dashboard on a phone, 390 px wide, in Chromium against the stack running in this process,
 * offline: no view is ever wider than the screen (what is wider, the map and the tables, scrolls in
 * its own region), and each is free of serious accessibility problems there. Screenshots at 390 px
 * and on a desktop land in test-results/screenshots/ (as dashboard.e2e.test.ts's).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { repoRoot } from "../platform/paths.js";
import { startReaderBrowser, type ReaderBrowser } from "../test/browser-stack.js";
import { seriousAccessibilityProblems, type OfflineContext } from "./browser.js";

const screenshots = resolve(repoRoot, process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots");
const phone = { width: 390, height: 844 };
const desktop = { width: 1440, height: 900 };

/** Each view as someone would leave it: its address, and what shows once it has loaded. */
const views: { name: string; address: string; loaded: string }[] = [
  { name: "journey", address: "#journey", loaded: "#journey-map-table" },
  {
    name: "journey-compared",
    address: "#journey?service=starting-a-business&asAt=2024-01-01&compare=2022-06-01&select=organisation:companies-house&at=sab-register-the-company",
    loaded: "#journey-comparison-table",
  },
  { name: "journey-employ-someone", address: "#journey?service=employ-someone", loaded: "#journey-map-table" },
  { name: "network", address: "#network", loaded: "#network-links-table" },
  { name: "network-family", address: "#network?family=department-for-work-pensions", loaded: "#network-links-table" },
  { name: "tables", address: "#tables", loaded: "#gaps tbody tr" },
  { name: "services", address: "#services?group=DEPARTMENT:department-for-work-pensions", loaded: "#services-in tbody tr" },
  { name: "changes", address: "#changes?from=2022-06-01&to=2024-01-01", loaded: "#changes tbody tr" },
  { name: "search", address: "#search?text=pens+reg&select=organisation:the-pensions-regulator", loaded: "#search-results-table" },
  { name: "signin", address: "#signin", loaded: "#signin-heading" },
];

describe("the dashboard on a phone, in Chromium, offline", () => {
  let session: ReaderBrowser;
  let offline: OfflineContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    session = await startReaderBrowser({ viewport: phone });
    ({ offline, page } = session);
    base = `${session.origin}/dashboard`;
  });

  afterAll(async () => {
    await session?.close();
  });

  const widths: Record<string, number> = {};

  for (const view of views)
    it(`shows ${view.name} no wider than the screen, and accessibly`, async () => {
      await page.setViewportSize(phone);
      await page.goto(`${base}${view.address}`);
      await page.locator(view.loaded).first().waitFor({ timeout: 60_000 });
      // The selection's details, when the address names one, come after the view.
      if (view.address.includes("select=")) await page.locator(".dashboard-details h2").first().waitFor({ timeout: 30_000 });
      const { scrollWidth, viewport } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      widths[view.name] = scrollWidth;
      await page.screenshot({ path: resolve(screenshots, `${view.name}-390.png`), fullPage: true });
      expect(scrollWidth, `${view.name} is ${scrollWidth} px wide on a ${viewport} px screen`).toBeLessThanOrEqual(viewport);
      expect(await seriousAccessibilityProblems(page)).toEqual([]);
      await page.setViewportSize(desktop);
      await page.screenshot({ path: resolve(screenshots, `${view.name}-desktop.png`), fullPage: true });
    });

  it("asked nothing of the internet", () => {
    console.log(`document widths at 390 px: ${JSON.stringify(widths)}`);
    expect(offline.blocked).toEqual([]);
  });
});
