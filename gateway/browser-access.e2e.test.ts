/**
 * What a browser may do with the gateway, attacked over HTTP and in Chromium: another site calling the
 * API with a user's token (CORS), framing or sniffing its answers (security headers on every answer),
 * /metrics in production, and two ways yoga read HTTP too narrowly (upper-case media types, bad JSON).
 * The attacks are those of bench/abuse/http-attacks.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { parseConfig } from "../platform/config.js";
import { corsFromAnotherSite, malformedJson, metricsWithoutToken, securityHeadersEverywhere, uppercaseMediaType } from "../bench/abuse/http-attacks.js";
import { postGraphQL, startStack, testReader, tokenFor, type TestStack } from "../test/helpers.js";
import { chromiumInstalled, launchChromium, offlineContext } from "../dashboard/browser.js";
import { publicApiSettings } from "./public-api.js";
import type { RunningGateway } from "./gateway.js";

const noRateLimit = { GATEWAY_RATE_LIMIT_PER_SECOND: "0" };

/** A page of another site (another port is another origin), serving whatever the test gives it. */
async function anotherSite(): Promise<{ origin: string; page: (html: string) => void; close(): void }> {
  let html = "";
  const server: Server = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    page: (next) => {
      html = next;
    },
    close: () => server.close(),
  };
}

describe("browser access to the gateway", () => {
  let stack: TestStack;
  let production: RunningGateway;
  let site: Awaited<ReturnType<typeof anotherSite>>;
  let withCors: RunningGateway;

  beforeAll(async () => {
    site = await anotherSite();
    stack = await startStack({ publicApi: publicApiSettings(parseConfig(noRateLimit)) });
    production = await stack.startGateway(publicApiSettings(parseConfig({ ...noRateLimit, SERVICE_GRAPH_ENV: "production" })));
    withCors = await stack.startGateway(
      publicApiSettings(parseConfig({ ...noRateLimit, GATEWAY_CORS_ORIGINS: `https://dashboard.example.gov.uk, ${site.origin}` })),
    );
  });

  afterAll(async () => {
    await stack?.close();
    site?.close();
  });

  describe("CORS", () => {
    it("gives another site's preflight and request no CORS headers, by default and with origins configured", async () => {
      const none = { allowOrigin: null, allowCredentials: null, allowHeaders: null };
      for (const gateway of [stack.gateway, production, withCors]) {
        const { preflight, post } = await corsFromAnotherSite(gateway.url);
        expect(preflight).toMatchObject(none);
        expect(post).toMatchObject({ status: 200, ...none });
      }
    });

    it("lets a configured origin send a token, never with credentials", async () => {
      const preflight = await fetch(withCors.url, {
        method: "OPTIONS",
        headers: {
          origin: "https://dashboard.example.gov.uk",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBe("https://dashboard.example.gov.uk");
      expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization, content-type, x-request-id");
      expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
      expect(preflight.headers.get("vary")).toContain("Origin");
      // Not configured on the default gateway: none but its own origin.
      const byDefault = await fetch(stack.gateway.url, {
        method: "OPTIONS",
        headers: { origin: "https://dashboard.example.gov.uk", "access-control-request-method": "POST" },
      });
      expect(byDefault.headers.get("access-control-allow-origin")).toBeNull();
    });

    it("refuses in config an origin that is not one (a wildcard, a path)", () => {
      expect(() => parseConfig({ GATEWAY_CORS_ORIGINS: "*" })).toThrowError(/GATEWAY_CORS_ORIGINS/);
      expect(() => parseConfig({ GATEWAY_CORS_ORIGINS: "https://ok.example, https://bad.example/path" })).toThrowError(/GATEWAY_CORS_ORIGINS/);
      expect(parseConfig({ GATEWAY_CORS_ORIGINS: "https://a.example, http://localhost:3000" }).GATEWAY_CORS_ORIGINS).toEqual([
        "https://a.example",
        "http://localhost:3000",
      ]);
    });
  });

  describe("security headers", () => {
    it("sends a policy, frame protection, nosniff and a referrer policy with every answer, in development and production", async () => {
      for (const gateway of [stack.gateway, production]) {
        const { answers, answersMissingAHeader } = await securityHeadersEverywhere(gateway.url);
        expect(answersMissingAHeader).toEqual([]);
        for (const { what, headers } of answers) {
          expect(headers["x-frame-options"], what).toBe("DENY");
          expect(headers["x-content-type-options"], what).toBe("nosniff");
          expect(headers["referrer-policy"], what).toBe("no-referrer");
          expect(headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
          expect(headers["content-security-policy"], what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
        }
      }
    });

    it("allows the dashboard only its own files, and the IDE only its own inline script, by hash", async () => {
      const dashboard = (await fetch(`${stack.gateway.url.replace(/\/graphql$/, "")}/dashboard`)).headers.get("content-security-policy");
      expect(dashboard).toContain("script-src 'self';");
      expect(dashboard).not.toContain("unsafe");
      const ide = (await fetch(stack.gateway.url, { headers: { accept: "text/html" } })).headers.get("content-security-policy");
      expect(ide).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*';/);
      const api = (
        await fetch(stack.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"{ __typename }"}' })
      ).headers.get("content-security-policy");
      expect(api).toContain("default-src 'none'");
    });
  });

  it("serves /metrics in production only with its token: 404 without one configured", async () => {
    expect(await metricsWithoutToken(production.url)).toEqual({ status: 404, servesMetrics: false });
    expect(await metricsWithoutToken(stack.gateway.url)).toEqual({ status: 200, servesMetrics: true });
    const guarded = await stack.startGateway(publicApiSettings(parseConfig({ SERVICE_GRAPH_ENV: "production", METRICS_TOKEN: "metrics-token-for-tests" })));
    expect(await metricsWithoutToken(guarded.url)).toEqual({ status: 401, servesMetrics: false });
    const allowed = await fetch(guarded.url.replace(/graphql$/, "metrics"), { headers: { authorization: "Bearer metrics-token-for-tests" } });
    expect(allowed.status).toBe(200);
  });

  it("reads media types case-insensitively: APPLICATION/JSON is JSON", async () => {
    const { status, body } = await uppercaseMediaType(stack.gateway.url);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({ data: { __typename: "Query" } });
    // Still not JSON when it is not: a form stays refused.
    const form = await fetch(stack.gateway.url, {
      method: "POST",
      headers: { "content-type": "APPLICATION/X-WWW-FORM-URLENCODED" },
      body: "query={__typename}",
    });
    expect(form.status).toBe(415);
  });

  it("answers a body that is not JSON with 400, whatever the client accepts", async () => {
    const { status, body } = await malformedJson(stack.gateway.url);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({ errors: [{ message: "POST body sent invalid JSON.", extensions: { code: "BAD_REQUEST" } }] });
    const spec = await fetch(stack.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: "{",
    });
    expect(spec.status).toBe(400);
    // A document that does not validate is still 200 for application/json, as GraphQL over HTTP says.
    const invalid = await fetch(stack.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: '{"query":"{ noSuchField }"}',
    });
    expect(invalid.status).toBe(200);
  });

  describe("in Chromium", () => {
    let browser: Browser;

    beforeAll(async () => {
      if (!chromiumInstalled()) throw new Error("Chromium is not installed: apt-get install chromium (or set CHROMIUM_PATH).");
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
    });

    /** A page that notes every Content-Security-Policy violation. */
    async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
      const { context } = await offlineContext(browser);
      const page = await context.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (message.text().includes("Content Security Policy")) violations.push(message.text());
      });
      return { page, violations };
    }

    it("runs the IDE and the dashboard under their policies with nothing refused", async () => {
      const base = stack.gateway.url.replace(/\/graphql$/, "");
      const { page, violations } = await watchedPage();
      await page.goto(`${base}/graphql`);
      await page.locator(".graphiql-execute-button").click();
      await expect.poll(async () => (await page.locator(".graphiql-response").innerText()).replaceAll("\u00a0", " "), { timeout: 20_000 }).toContain('"data"');
      await page.goto(`${base}/dashboard`);
      await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
      expect(await page.evaluate(() => document.body.className)).toContain("js-enabled");
      expect(violations).toEqual([]);
      await page.context().close();
    });

    it("opens the IDE's docs on the questions people come with: the journey first, then the analyses", async () => {
      const { page } = await watchedPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(stack.gateway.url);
      await page.getByRole("button", { name: /documentation explorer/i }).click();
      await page
        .locator(".graphiql-doc-explorer-root-type a, .graphiql-doc-explorer a", { hasText: /^Query$/ })
        .first()
        .click();
      const fields = page.locator(".graphiql-doc-explorer-field-name");
      await fields.first().waitFor();
      expect((await fields.allInnerTexts()).slice(0, 5)).toEqual(["journey", "search", "stagePeople", "handoffs", "gaps"]);
      await page.screenshot({ path: "docs/screenshots/ide-docs.png" });
      await page.context().close();
    });

    it("lets no other site frame the dashboard, or read the API with a user's token", async () => {
      const { page } = await watchedPage();
      const token = await tokenFor(testReader);
      site.page(`<!doctype html><iframe id="framed" src="${stack.gateway.url.replace(/\/graphql$/, "")}/dashboard"></iframe>`);
      await page.goto(site.origin);
      // Refused by frame-ancestors: the frame holds Chromium's error page, not the dashboard.
      await page.waitForTimeout(1500);
      const framed = page.frames().find((frame) => frame !== page.mainFrame())!;
      expect(
        await framed
          .locator("#journey-form")
          .count()
          .catch(() => 0),
      ).toBe(0);

      const read = (url: string) =>
        page.evaluate(
          async ({ url, token }) => {
            try {
              const response = await fetch(url, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
                body: JSON.stringify({ query: "{ people(limit: 1) { name } }" }),
              });
              return `read ${response.status}`;
            } catch (error) {
              return `refused: ${(error as Error).name}`;
            }
          },
          { url, token },
        );
      expect(await read(stack.gateway.url)).toBe("refused: TypeError");
      // The same page, once its origin is configured, may.
      expect(await read(withCors.url)).toBe("read 200");
      await page.context().close();
    });
  });

  it("still answers the API as before", async () => {
    const { body } = await postGraphQL(stack.gateway.url, `{ organisations(where: { id: { eq: "companies-house" } }) { name } }`, {}, null);
    expect(body.data).toEqual({ organisations: [{ name: "Companies House" }] });
  });
});
