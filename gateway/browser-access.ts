/**
 * What a browser may do with the gateway: which other sites may call the API (CORS: only the configured
 * origins, never with credentials), and the headers every answer carries so that no page of another
 * site can frame, sniff or script it (Content-Security-Policy, X-Frame-Options, nosniff, Referrer-Policy).
 * The dashboard and the IDE get policies that allow exactly what they load, and no inline script but
 * the IDE's own, by its hash.
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { GatewayConfigBase, GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { renderGraphiQL } from "@graphql-yoga/render-graphiql";

type CorsOption = GatewayConfigBase<Record<string, unknown>>["cors"];

/**
 * CORS for the configured origins only. Any other origin (and the gateway's own, which needs none) gets
 * no CORS headers at all, so a page of another site cannot read the API's answers with a signed-in
 * user's token. Never `Access-Control-Allow-Credentials`: callers send bearer tokens, not cookies.
 */
export function corsFor(allowedOrigins: readonly string[]): CorsOption {
  const allowed = new Set(allowedOrigins);
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      credentials: false,
      methods: ["GET", "POST"],
      allowedHeaders: ["authorization", "content-type", "x-request-id"],
      exposedHeaders: ["x-request-id", "retry-after"],
      maxAge: 600,
    };
  };
}

/** The policy of every answer that is not a page: it loads nothing and no one frames it. */
export const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The dashboard's: its own scripts, styles, fonts and images, and its own API; no inline script or
 * style. With a sign-in provider, the browser code may also call it (discovery and token endpoints).
 */
export function dashboardContentSecurityPolicy(identityProviderOrigin?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${identityProviderOrigin ? ` ${identityProviderOrigin}` : ""}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The IDE's (GraphiQL, rendered by @graphql-yoga/render-graphiql): one inline script holding the whole
 * IDE, allowed by its hash and nothing else; Monaco's workers from blob: URLs; inline styles, which
 * Monaco writes as it lays text out; the favicon and fonts as data: URLs.
 */
export function ideContentSecurityPolicy(scriptHashes: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHashes.map((hash) => `'${hash}'`).join(" ")}`,
    "worker-src blob:",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The sha256 sources of a page's inline scripts, as CSP writes them. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => `sha256-${createHash("sha256").update(match[1]!).digest("base64")}`);
}

/** Headers on every answer, whatever answers it; a page's own policy replaces the API's. */
export const securityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": apiContentSecurityPolicy,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Answers differ by Origin (CORS): a shared cache must not give one site's to another.
  vary: "Origin",
};

/** Sets the headers before anything answers; whatever writes the answer keeps them unless it sets its own. */
export function setSecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
}

/**
 * The IDE's renderer, remembering the policy of the page it renders (the same page for the same
 * options, so its 9 MB are hashed once), and the plugin that sends that policy with it. The renderer's
 * module (its page's 9 MB, and 18 MB more as the module's source) is loaded when the IDE is first
 * opened: a gateway nobody opens it on, or with the IDE off, never holds it.
 */
export function ideWithContentSecurityPolicy(graphqlEndpoint: string): {
  render: (options: Parameters<typeof renderGraphiQL>[0]) => Promise<string>;
  plugin: GatewayPlugin;
} {
  let rendered: { key: string; html: string; policy: string } | undefined;
  return {
    render: async (options) => {
      const key = JSON.stringify(options ?? {});
      if (rendered?.key !== key) {
        const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
        const html = renderGraphiQL(options);
        rendered = { key, html, policy: ideContentSecurityPolicy(inlineScriptHashes(html)) };
      }
      return rendered.html;
    },
    plugin: {
      onResponse({ request, response }) {
        const page = (response.headers.get("content-type") ?? "").startsWith("text/html");
        if (page && rendered && new URL(request.url).pathname === graphqlEndpoint) response.headers.set("content-security-policy", rendered.policy);
      },
    },
  };
}
