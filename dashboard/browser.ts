/**
 * Debian's Chromium, headless, through playwright-core (which downloads no browser), for the
 * dashboard's end-to-end tests and its benchmark. Every request that leaves this machine is refused,
 * so a page that loads proves it needs no internet access.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export function chromiumInstalled(): boolean {
  return existsSync(chromiumPath);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

const localHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface OfflineContext {
  context: BrowserContext;
  /** The addresses of the requests refused so far. */
  blocked: string[];
}

/** A browser context that may reach only this machine. */
export async function offlineContext(browser: Browser, viewport = { width: 1440, height: 900 }): Promise<OfflineContext> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: "en-GB" });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || localHosts.has(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort("internetdisconnected");
  });
  return { context, blocked };
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.2 A and AA rules over what the page shows now; only serious and critical findings. */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the dashboard's Content-Security-Policy allows no inline script.
  await page.evaluate(readFileSync(axePath, "utf8"));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 5)
          .join("; ")})`,
    );
}
