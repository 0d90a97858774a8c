/**
 * The demo provider of one `npm start` run: a signing key and a password per demo user, made for the
 * run and printed, never stored; the settings the provider process, the gateway and the dashboard share.
 */
import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import type { DemoUser, IdentityProviderSettings } from "./provider.js";

export const dashboardClientId = "service-graph-dashboard";
// A resource indicator is an absolute URI (RFC 8707).
export const apiAudience = "urn:service-graph:api";

/** A reader (Amara Example, a person in the demo data), an editor for Companies House and an admin. */
export function demoUsers(password: (username: string) => string = () => randomBytes(9).toString("base64url")): DemoUser[] {
  return [
    { username: "reader", sub: "demo-person-01", name: "Amara Example", roles: ["reader"], organisations: [] },
    { username: "editor", sub: "demo-editor", name: "Companies House editor", roles: ["editor"], organisations: ["companies-house"] },
    { username: "admin", sub: "demo-admin", name: "Service Graph admin", roles: ["admin"], organisations: [] },
  ].map((user) => ({ ...user, password: password(user.username) }));
}

/** An RS256 signing key, as a private JWK with its key id. */
export async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString("hex"), alg: "RS256", use: "sig" };
}

/** A token as the provider would issue it, for the IDE's Headers tab (which cannot run the sign-in flow itself). */
export async function signDemoToken(key: JWK, issuer: string, user: DemoUser, lifetime: string | number): Promise<string> {
  return new SignJWT({ name: user.name, roles: user.roles, organisations: user.organisations })
    .setProtectedHeader({ alg: "RS256", kid: key.kid! })
    .setSubject(user.sub)
    .setIssuer(issuer)
    .setAudience(apiAudience)
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(await importJWK(key, "RS256"));
}

/** The settings of this run's provider, for `npm start` to hand its process (as JSON in DEMO_IDENTITY_PROVIDER). */
export async function demoProviderSettings(port: number, dashboardUrl: string): Promise<IdentityProviderSettings & { issuer: string }> {
  return {
    issuer: `http://localhost:${port}`,
    port,
    redirectUris: [dashboardUrl],
    clientId: dashboardClientId,
    audience: apiAudience,
    signingKey: await signingKey(),
    users: demoUsers(),
    cookieKeys: [randomBytes(32).toString("hex")],
  };
}
