/**
 * Signing in to the dashboard through a real OpenID provider (identity-provider/, on oidc-provider), in
 * Debian's Chromium with every request off this machine refused: the authorization code flow with PKCE,
 * the provider's login form, its RS256 tokens verified by the gateway through the provider's JWKS.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { repoRoot } from "../platform/paths.js";
import { signDemoToken } from "../identity-provider/demo.js";
import type { RunningIdentityProvider } from "../identity-provider/provider.js";
import { chromiumInstalled, chromiumPath, launchChromium, offlineContext, seriousAccessibilityProblems } from "./browser.js";
import { logIn, startSignedInStack, type SignedInStack } from "../test/signed-in-stack.js";

const screenshots = resolve(repoRoot, process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots");

describe("signing in to the dashboard at an OpenID provider, in Chromium, offline", () => {
  let signedIn: SignedInStack;
  let provider: RunningIdentityProvider;
  let browser: Browser;
  let base: string;
  const user = (username: string) => signedIn.user(username);

  beforeAll(async () => {
    if (!chromiumInstalled()) throw new Error(`Chromium is not installed at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH).`);
    mkdirSync(screenshots, { recursive: true });
    signedIn = await startSignedInStack();
    ({ provider, base } = signedIn);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await signedIn?.close();
  });

  /** From the dashboard's Sign in to the provider's login form. */
  async function toLoginForm(page: Page): Promise<void> {
    await page.goto(`${base}/dashboard#signin`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator("#username").waitFor();
    expect(new URL(page.url()).origin).toBe(provider.issuer);
  }

  for (const [username, role] of [
    ["reader", "reader"],
    ["editor", "editor"],
    ["admin", "admin"],
  ] as const) {
    it(`signs the ${username} in, with the ${role} role shown`, async () => {
      const offline = await offlineContext(browser);
      const page = await offline.context.newPage();
      await toLoginForm(page);
      if (username === "reader") {
        expect(await seriousAccessibilityProblems(page)).toEqual([]);
        await page.screenshot({ path: resolve(screenshots, "sign-in-provider.png") });
      }
      await logIn(page, user(username));
      await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
      // Back on the dashboard with the provider's answer gone from the address.
      expect(new URL(page.url()).search).toBe("");
      expect(await page.locator("#nav-signin").innerText()).toBe("Signed in");
      if (username === "reader") {
        // The gateway took the provider's access token: a reader sees people's names on the map.
        await page.locator(".journey-map__person").first().waitFor({ timeout: 30_000 });
        expect(await page.locator(".journey-map__person").count()).toBeGreaterThan(9);
      }
      await page.locator("#nav-signin").click();
      const status = await page.locator("#signin-status").innerText();
      expect(status).toContain(`as ${user(username).name} (${user(username).sub}) with the ${role} role`);
      if (username === "reader") {
        expect(await seriousAccessibilityProblems(page)).toEqual([]);
        await page.screenshot({ path: resolve(screenshots, "signed-in.png") });
      }
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.locator("#journey-map-table").waitFor();
      expect(await page.locator("#nav-signin").innerText()).toBe("Sign in");
      expect(await page.locator(".journey-map__person").count()).toBe(0);
      expect(offline.blocked).toEqual([]);
      await offline.context.close();
    });
  }

  it("refuses a wrong password on the provider's form, and says so when the person gives up", async () => {
    const offline = await offlineContext(browser);
    const page = await offline.context.newPage();
    await toLoginForm(page);
    await logIn(page, user("editor"), "not-the-password");
    expect(await page.locator(".govuk-error-summary").innerText()).toContain("The username or password is not right");
    expect(await page.locator("#password-error").innerText()).toContain("The username or password is not right");
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    await page.getByRole("button", { name: "Cancel and go back" }).click();
    await page.locator("#signin-error-summary").waitFor({ state: "visible" });
    expect(await page.locator("#signin-error-summary").innerText()).toContain("You did not sign in");
    expect(await page.locator("#nav-signin").innerText()).toBe("Sign in");
    expect(await page.evaluate(() => sessionStorage.getItem("service-graph-token"))).toBeNull();
    expect(offline.blocked).toEqual([]);
    await offline.context.close();
  });

  it("says when a sign-in has expired, and signs the person out", async () => {
    const offline = await offlineContext(browser);
    const expired = await signDemoToken(signedIn.key, provider.issuer, user("reader"), Math.floor(Date.now() / 1000) - 60);
    await offline.context.addInitScript((token) => {
      if (!sessionStorage.getItem("seen")) sessionStorage.setItem("service-graph-token", token);
      sessionStorage.setItem("seen", "1");
    }, expired);
    const page = await offline.context.newPage();
    await page.goto(`${base}/dashboard`);
    await page.locator("#signin-notice").waitFor({ state: "visible" });
    expect(await page.locator("#signin-notice").innerText()).toContain("Your sign-in has expired");
    expect(await page.locator("#signin-view").isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("service-graph-token"))).toBeNull();
    await offline.context.close();
  });
});
