/**
 * Debian's Chromium, headless, through playwright-core (which downloads no browser), for the
 * dashboard's end-to-end tests and its benchmark. Every request that leaves this machine is refused,
 * so a page that loads proves it needs no internet access.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

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
