/**
 * For the dashboard's end-to-end tests of signing in and what signed-in people do: the local OpenID
 * provider (identity-provider/) with demo users of the test's own, and the stack on a port chosen
 * first, so that the provider knows the dashboard's address to send people back to.
 */
import { randomBytes } from "node:crypto";
import type { JWK } from "jose";
import type { Page } from "playwright-core";
import { freePort } from "../bench/processes.js";
import { startStack, type TestStack } from "./helpers.js";
import { apiAudience, dashboardClientId, demoUsers, signingKey } from "../identity-provider/demo.js";
import { startIdentityProvider, type DemoUser, type RunningIdentityProvider } from "../identity-provider/provider.js";

export interface SignedInStack {
  provider: RunningIdentityProvider;
  stack: TestStack;
  /** The gateway's address, which serves the dashboard at /dashboard. */
  base: string;
  /** The demo users, each with a password of this run's. */
  users: DemoUser[];
  /** The key the provider signs its tokens with, to sign others (an expired one, say). */
  key: JWK;
  user(username: string): DemoUser;
  close(): Promise<void>;
}

export async function startSignedInStack(options: { subgraphTimeoutMs?: number } = {}): Promise<SignedInStack> {
  const key = await signingKey();
  const users = demoUsers((username) => `${username}-${randomBytes(6).toString("hex")}`);
  const gatewayPort = await freePort();
  const base = `http://127.0.0.1:${gatewayPort}`;
  const provider = await startIdentityProvider({
    port: 0,
    redirectUris: [`${base}/dashboard`],
    clientId: dashboardClientId,
    audience: apiAudience,
    signingKey: key,
    users,
    cookieKeys: [randomBytes(32).toString("hex")],
  });
  const stack = await startStack({
    gatewayPort,
    ...(options.subgraphTimeoutMs ? { subgraphTimeoutMs: options.subgraphTimeoutMs } : {}),
    tokens: { jwksUrl: `${provider.issuer}/jwks`, issuer: provider.issuer, audience: apiAudience },
    dashboardSignIn: { issuer: provider.issuer, clientId: dashboardClientId, scope: "openid profile roles", resource: apiAudience, send: "access_token" },
  });
  return {
    provider,
    stack,
    base,
    users,
    key,
    user: (username) => users.find((candidate) => candidate.username === username)!,
    async close() {
      await stack.close();
      await provider.close();
    },
  };
}

/** On the provider's login form: fills in the user's name and password and signs in. */
export async function logIn(page: Page, who: DemoUser, password = who.password): Promise<void> {
  await page.fill("#username", who.username);
  await page.fill("#password", password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}
