/**
 * Keys for a stack run on one machine by `npm start`: a SUBGRAPH_SECRET for this run when none is
 * set, and, when no client key is configured, a demo key with a token per role to try in the IDE or
 * the dashboard. A deployment sets its own keys (README, "Configure it") and gets no demo tokens.
 */
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import type { Config } from "./config.js";
import type { Role } from "./caller.js";

export interface DemoToken {
  role: Role;
  description: string;
  token: string;
}

const demoIssuer = "https://demo.service-graph.example";
const demoAudience = "service-graph";

export interface ClientClaims {
  sub?: string | undefined;
  roles: string[];
  organisations?: string[] | undefined;
  issuer: string;
  audience: string;
  /** A time span ("12h") or seconds since the epoch. */
  expiresAt: string | number;
}

/** A client token as an identity provider would sign it with a shared secret (HS256): for demo runs, benchmarks and tests. */
export function signClientToken(secret: string, claims: ClientClaims): Promise<string> {
  const token = new SignJWT({ roles: claims.roles, ...(claims.organisations?.length ? { organisations: claims.organisations } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresAt);
  if (claims.sub) token.setSubject(claims.sub);
  return token.sign(new TextEncoder().encode(secret));
}

/** Signs one demo token, valid for twelve hours. */
function demoToken(secret: string, sub: string, roles: Role[], organisations: string[] = []): Promise<string> {
  return signClientToken(secret, { sub, roles, organisations, issuer: demoIssuer, audience: demoAudience, expiresAt: "12h" });
}

/** The environment the processes of this run share, and the demo tokens (none when keys are configured). */
export async function keysForThisRun(config: Config): Promise<{ env: Record<string, string>; tokens: DemoToken[] }> {
  const env: Record<string, string> = { SUBGRAPH_SECRET: config.SUBGRAPH_SECRET ?? randomBytes(32).toString("hex") };
  if (config.AUTH_JWT_SECRET || config.AUTH_JWKS_FILE || config.AUTH_JWKS_URL) return { env, tokens: [] };
  const secret = randomBytes(32).toString("hex");
  Object.assign(env, { AUTH_JWT_SECRET: secret, AUTH_ISSUER: demoIssuer, AUTH_AUDIENCE: demoAudience });
  const tokens = [
    {
      role: "reader" as const,
      description: "reader, signed in as Amara Example (sees names, and her own contact details)",
      token: await demoToken(secret, "demo-person-01", ["reader"]),
    },
    {
      role: "editor" as const,
      description: "editor for Companies House (changes its people and responsibilities)",
      token: await demoToken(secret, "demo-editor", ["editor"], ["companies-house"]),
    },
    {
      role: "admin" as const,
      description: "admin (changes anything, reads contact details and the audit trail)",
      token: await demoToken(secret, "demo-admin", ["admin"]),
    },
  ];
  return { env, tokens };
}
