/**
 * A local OpenID provider for demo runs and tests, built on oidc-provider (certified, maintained): the
 * dashboard signs people in here with the authorization code flow and PKCE, as it would at Entra ID or
 * any other provider. It knows a few demo users, each with a password, and asks for it on a GOV.UK
 * styled form of its own. Its ID and access tokens are RS256-signed JWTs carrying `roles` and
 * `organisations`; the access token's audience is the API's, and the gateway verifies it through this
 * provider's JWKS (AUTH_JWKS_URL).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, extname, resolve, sep } from "node:path";
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import type { JWK } from "jose";

export interface DemoUser {
  /** What the person types to sign in. */
  username: string;
  password: string;
  /** The `sub` of their tokens. */
  sub: string;
  name: string;
  roles: string[];
  organisations: string[];
}

export interface IdentityProviderSettings {
  /** The provider's address as clients see it (its `iss`); http://127.0.0.1:<port> unless set. */
  issuer?: string | undefined;
  /** 0: any free port. */
  port: number;
  host?: string;
  /** The dashboard's addresses it may send people back to, exactly. */
  redirectUris: string[];
  clientId: string;
  /** The API's audience: access tokens are issued for it. */
  audience: string;
  /** The RS256 private key tokens are signed with (a JWK with kid). */
  signingKey: JWK;
  users: DemoUser[];
  /** Signs the provider's cookies. */
  cookieKeys: string[];
  /** How long tokens are valid for; one hour unless set. */
  tokenLifetimeSeconds?: number;
}

export interface RunningIdentityProvider {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

const scopes = ["openid", "profile", "roles"];

const govukDist = resolve(dirname(createRequire(import.meta.url).resolve("govuk-frontend/package.json")), "dist/govuk");

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Equal passwords compare in the same time as unequal ones, whatever their lengths. */
function samePassword(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A GOV.UK page around the content, with the Design System's styles served by this provider. */
function page(title: string, content: string): string {
  return `<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} – Service Graph sign-in (demo)</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/govuk/govuk-frontend.min.css">
</head>
<body class="govuk-template__body">
  <header class="govuk-template__header">
    <section aria-label="Service information" class="govuk-service-navigation">
      <div class="govuk-width-container"><div class="govuk-service-navigation__container">
        <span class="govuk-service-navigation__service-name">Service Graph sign-in (demo provider)</span>
      </div></div>
    </section>
  </header>
  <div class="govuk-width-container">
    <main class="govuk-main-wrapper" id="main-content">
      <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">${content}</div></div>
    </main>
  </div>
</body>
</html>`;
}

function loginForm(uid: string, problem: string | null, username = ""): string {
  const summary = problem
    ? `<div class="govuk-error-summary" data-module="govuk-error-summary"><div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">
          <li><a href="#password">${escapeHtml(problem)}</a></li>
        </ul></div></div></div>`
    : "";
  const error = problem
    ? `<p class="govuk-error-message" id="password-error"><span class="govuk-visually-hidden">Error:</span> ${escapeHtml(problem)}</p>`
    : "";
  return page(
    problem ? `Error: Sign in` : "Sign in",
    `${summary}
    <h1 class="govuk-heading-xl">Sign in</h1>
    <p class="govuk-body">This demo provider stands in for your organisation's (Microsoft Entra ID, Google Workspace, GOV.UK One Login). Its users and passwords are printed by <code>npm start</code>.</p>
    <form method="post" action="/interaction/${encodeURIComponent(uid)}/login" novalidate>
      <div class="govuk-form-group">
        <label class="govuk-label govuk-label--s" for="username">Username</label>
        <input class="govuk-input govuk-!-width-one-half" id="username" name="username" type="text" autocomplete="username" spellcheck="false" value="${escapeHtml(username)}">
      </div>
      <div class="govuk-form-group${problem ? " govuk-form-group--error" : ""}">
        <label class="govuk-label govuk-label--s" for="password">Password</label>
        ${error}
        <input class="govuk-input govuk-!-width-one-half${problem ? " govuk-input--error" : ""}" id="password" name="password" type="password" autocomplete="current-password"${problem ? ' aria-describedby="password-error"' : ""}>
      </div>
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button">Sign in</button>
      </div>
    </form>
    <form method="post" action="/interaction/${encodeURIComponent(uid)}/abort">
      <button type="submit" class="govuk-button govuk-button--secondary">Cancel and go back</button>
    </form>`,
  );
}

async function formFields(request: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of request) {
    body += String(chunk);
    // A login form is a few hundred bytes.
    if (body.length > 8192) throw new Error("The form is too large.");
  }
  return new URLSearchParams(body);
}

export async function startIdentityProvider(settings: IdentityProviderSettings): Promise<RunningIdentityProvider> {
  const usersBySub = new Map(settings.users.map((user) => [user.sub, user]));
  const redirectOrigins = [...new Set(settings.redirectUris.map((uri) => new URL(uri).origin))];
  const lifetime = settings.tokenLifetimeSeconds ?? 3600;
  const claimsOf = (user: DemoUser) => ({ sub: user.sub, name: user.name, roles: user.roles, organisations: user.organisations });

  const configuration: Configuration = {
    clients: [
      {
        client_id: settings.clientId,
        client_name: "Service Graph dashboard",
        // A browser application: a public client, which PKCE protects instead of a secret.
        token_endpoint_auth_method: "none",
        application_type: "web",
        grant_types: ["authorization_code"],
        response_types: ["code"],
        redirect_uris: settings.redirectUris,
      },
    ],
    jwks: { keys: [settings.signingKey] },
    cookies: { keys: settings.cookieKeys },
    scopes,
    claims: { openid: ["sub"], profile: ["name"], roles: ["roles", "organisations"] },
    // The ID token carries the claims too, so the dashboard can say who is signed in without a userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { AccessToken: lifetime, IdToken: lifetime, AuthorizationCode: 60, Interaction: 600, Session: lifetime, Grant: lifetime },
    async findAccount(_ctx, sub) {
      const user = usersBySub.get(sub);
      return user ? { accountId: sub, claims: () => claimsOf(user) } : undefined;
    },
    async extraTokenClaims(_ctx, token) {
      const user = "accountId" in token && typeof token.accountId === "string" ? usersBySub.get(token.accountId) : undefined;
      return user ? { roles: user.roles, organisations: user.organisations } : undefined;
    },
    // The dashboard is this provider's only client, first-party: nobody is asked to consent to it.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(scopes.join(" "));
      grant.addResourceScope(settings.audience, scopes.join(" "));
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => settings.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== settings.audience) throw new errors.InvalidTarget(`Tokens are issued for ${settings.audience} only.`);
          return { scope: scopes.join(" "), audience: settings.audience, accessTokenTTL: lifetime, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
    clientBasedCORS: (_ctx, origin) => redirectOrigins.includes(origin),
    async renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = page(
        "Sorry, there is a problem",
        `<h1 class="govuk-heading-xl">Sorry, there is a problem</h1>
        <p class="govuk-body">${escapeHtml(String(out["error_description"] ?? out["error"] ?? "The sign-in request could not be completed."))}</p>
        <p class="govuk-body">Go back to the dashboard and sign in again.</p>`,
      );
    },
  };
  // Made once the server listens: the issuer names its port.
  const made = {} as { provider: Provider; oidc: ReturnType<Provider["callback"]> };

  const contentSecurityPolicy = [
    "default-src 'none'",
    "style-src 'self'",
    "font-src 'self'",
    "img-src 'self'",
    // The login form's answer redirects back to the dashboard: form-action covers the redirects too.
    `form-action 'self' ${redirectOrigins.join(" ")}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");

  const send = (response: ServerResponse, status: number, html: string): void => {
    response
      .writeHead(status, { "content-type": "text/html; charset=utf-8", "content-security-policy": contentSecurityPolicy, "cache-control": "no-store" })
      .end(html);
  };

  async function interaction(request: IncomingMessage, response: ServerResponse, uid: string, action: string | undefined): Promise<void> {
    const details = await made.provider.interactionDetails(request, response);
    if (details.uid !== uid) return send(response, 400, page("Sorry, there is a problem", '<h1 class="govuk-heading-xl">This sign-in has expired</h1>'));
    if (request.method === "GET" && action === undefined) return send(response, 200, loginForm(uid, null));
    if (request.method !== "POST") return send(response, 405, page("Not allowed", '<h1 class="govuk-heading-xl">Not allowed</h1>'));
    if (action === "abort") {
      await made.provider.interactionFinished(
        request,
        response,
        { error: "access_denied", error_description: "The person cancelled signing in." },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const fields = await formFields(request);
    const username = (fields.get("username") ?? "").trim();
    const password = fields.get("password") ?? "";
    if (!username || !password) return send(response, 400, loginForm(uid, "Enter your username and password", username));
    const user = settings.users.find((candidate) => candidate.username === username);
    // The same words whichever of the two is wrong: the form does not tell who has an account.
    if (!user || !samePassword(password, user.password)) return send(response, 401, loginForm(uid, "The username or password is not right", username));
    await made.provider.interactionFinished(request, response, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }

  async function govukFile(response: ServerResponse, path: string): Promise<void> {
    const types: Record<string, string> = { ".css": "text/css", ".woff2": "font/woff2", ".woff": "font/woff", ".png": "image/png", ".svg": "image/svg+xml" };
    const file = resolve(govukDist, decodeURIComponent(path));
    const type = types[extname(file)];
    if (!file.startsWith(govukDist + sep) || !type) return void response.writeHead(404).end();
    try {
      const read = await readFile(file);
      // The precompiled CSS expects its fonts and images under /assets/; here they are under /govuk/assets/.
      const body = type === "text/css" ? read.toString("utf8").replaceAll("url(/assets/", "url(/govuk/assets/") : read;
      response.writeHead(200, { "content-type": type, "cache-control": "public, max-age=86400" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  }

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    response.setHeader("x-content-type-options", "nosniff");
    response.setHeader("referrer-policy", "no-referrer");
    const route = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(path);
    const handled = route
      ? interaction(request, response, route[1]!, route[2])
      : path.startsWith("/govuk/")
        ? govukFile(response, path.slice("/govuk/".length))
        : Promise.resolve(made.oidc(request, response));
    handled.catch((error: unknown) => {
      if (response.headersSent) return void response.end();
      const expired = error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest;
      send(
        response,
        expired ? 400 : 500,
        page(
          "Sorry, there is a problem",
          `<h1 class="govuk-heading-xl">${expired ? "This sign-in has expired" : "Sorry, there is a problem"}</h1><p class="govuk-body">Go back to the dashboard and sign in again.</p>`,
        ),
      );
    });
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(settings.port, settings.host ?? "127.0.0.1", () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = settings.issuer ?? `http://127.0.0.1:${port}`;
  made.provider = new Provider(issuer, configuration);
  made.oidc = made.provider.callback();
  return {
    issuer,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
