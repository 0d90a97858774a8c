/**
 * The hand-offs and gaps view's filters in Chromium, offline, against the stack running in this
 * process: set in the form, kept in the address and restored from it on a reload; every matching row
 * downloaded from the gateway's CSV file (written from pages of 5); axe-clean, on a
 * desktop and 390 px wide, with no sideways scroll on the phone. Screenshots in test-results/screenshots/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { repoRoot } from "../platform/paths.js";
import { postGraphQL, type TestStack } from "../test/helpers.js";
import { startReaderBrowser, type ReaderBrowser } from "../test/browser-stack.js";
import { seriousAccessibilityProblems, type OfflineContext } from "./browser.js";

const screenshots = resolve(repoRoot, process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots");
const dwp = "department-for-work-pensions";

describe("hand-offs and gaps filtered in Chromium, offline", () => {
  let stack: TestStack;
  let session: ReaderBrowser;
  let offline: OfflineContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The table pages by 100; the file is written from pages of 5, so the demo graph's rows take several.
    session = await startReaderBrowser({ stack: { subgraphTimeoutMs: 20_000, analysisCsv: { pageSize: 5 } } });
    ({ stack, offline, page } = session);
    base = `${session.origin}/dashboard`;
  });

  afterAll(async () => {
    await session?.close();
  });

  const totalOf = async (field: "handoffs" | "gaps", args: string) =>
    (await postGraphQL(stack.gateway.url, `{ ${field}(${args}, first: 1) { totalCount } }`)).body.data?.[field].totalCount as number;
  const status = (table: string) => page.locator(`#${table}-status`).innerText();

  it("filters by department, service, kind and date through the form, all of it in the address", async () => {
    await page.goto(`${base}#tables`);
    await page.locator("#gaps tbody tr").first().waitFor({ timeout: 60_000 });
    await page.locator('#tables-department option[value="department-for-work-pensions"]').waitFor({ state: "attached" });
    await page.selectOption("#tables-department", dwp);
    await page.getByRole("button", { name: "Show hand-offs and gaps" }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#tables?department=${dwp}`);
    const dwpGaps = await totalOf("gaps", `departmentId: "${dwp}"`);
    await expect.poll(() => status("gaps"), { timeout: 30_000 }).toMatch(new RegExp(`of ${dwpGaps} gaps`));
    await expect.poll(() => status("handoffs")).toMatch(new RegExp(`of ${await totalOf("handoffs", `departmentId: "${dwp}"`)} hand-offs`));

    await page.selectOption("#tables-service", "starting-a-business");
    await page.locator("#tables-as-at-day").fill("1");
    await page.locator("#tables-as-at-month").fill("6");
    await page.locator("#tables-as-at-year").fill("2022");
    await page.getByRole("button", { name: "Show hand-offs and gaps" }).click();
    await page.selectOption("#gaps-kind", "MISSING_PROFESSION");
    await page.getByRole("button", { name: "Show gaps" }).click();
    await expect
      .poll(() => page.evaluate(() => location.hash))
      .toBe(`#tables?service=starting-a-business&department=${dwp}&asAt=2022-06-01&kind=MISSING_PROFESSION`);
    const expected = await totalOf("gaps", `serviceId: "starting-a-business", departmentId: "${dwp}", asAt: "2022-06-01", kinds: [MISSING_PROFESSION]`);
    await expect.poll(() => status("gaps"), { timeout: 30_000 }).toMatch(new RegExp(`^Showing ${expected} of ${expected} gap`));
    expect(new Set(await page.locator("#gaps tbody tr td:nth-child(3)").allInnerTexts())).toEqual(new Set(expected ? ["Profession missing"] : []));
    expect(new Set(await page.locator("#handoffs tbody tr td:nth-child(1)").allInnerTexts())).toEqual(new Set(["Starting a Business"]));
  });

  it("restores every filter from the address on a reload", async () => {
    await page.reload();
    await expect.poll(() => page.locator("#tables-service").inputValue(), { timeout: 60_000 }).toBe("starting-a-business");
    expect(await page.locator("#tables-department").inputValue()).toBe(dwp);
    expect(await page.locator("#gaps-kind").inputValue()).toBe("MISSING_PROFESSION");
    expect(await Promise.all(["day", "month", "year"].map((part) => page.locator(`#tables-as-at-${part}`).inputValue()))).toEqual(["1", "6", "2022"]);
    const handoffs = await totalOf("handoffs", `serviceId: "starting-a-business", departmentId: "${dwp}", asAt: "2022-06-01"`);
    await expect.poll(() => status("handoffs"), { timeout: 30_000 }).toMatch(new RegExp(`of ${handoffs} hand-off`));
  });

  it("downloads every matching gap from the gateway's file, written from several pages", async () => {
    await page.goto(`${base}#tables?department=${dwp}`);
    const total = await totalOf("gaps", `departmentId: "${dwp}"`);
    await expect.poll(() => status("gaps"), { timeout: 30_000 }).toMatch(new RegExp(`of ${total} gaps`));
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 60_000 }),
      page.locator("#gaps-table").getByRole("button", { name: "Download every matching row as CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("gaps.csv");
    const rows = parseCsv<Record<string, string>>(readFileSync(await download.path(), "utf8"), { columns: true });
    expect(rows).toHaveLength(total);
    expect(total).toBeGreaterThan(5);
    expect(new Set(rows.map((r) => r["Service"]))).toEqual(new Set(await page.locator("#gaps tbody tr td:nth-child(1)").allInnerTexts()));
    expect(offline.blocked).toEqual([]);
  });

  it("has no serious accessibility problems, on a desktop and 390 px wide, and never scrolls sideways on a phone", async () => {
    const address = `${base}#tables?service=starting-a-business&department=${dwp}&asAt=2022-06-01&kind=MISSING_PROFESSION`;
    await page.goto(address);
    await page.locator("#handoffs tbody tr").first().waitFor({ timeout: 60_000 });
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: resolve(screenshots, "tables-filtered.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator("#handoffs tbody tr").first().waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: resolve(screenshots, "tables-filtered-phone.png"), fullPage: true });
  });
});
