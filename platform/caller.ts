/**
 * Who is asking, as the gateway and the subgraphs both understand it.
 *
 * The gateway verifies the client's token (gateway/auth.ts) and passes the caller on to each subgraph
 * in a short-lived token of its own, signed with SUBGRAPH_SECRET (`x-gateway-token`). A subgraph
 * answers only requests that carry one, so calling it directly, `_entities` included, is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { GraphQLError } from "graphql";

export const roleNames = ["reader", "editor", "admin"] as const;
export type Role = (typeof roleNames)[number];

/** The verified caller. Anonymous callers have no viewer at all. */
export interface Viewer {
  /** The token's subject: a person's id when the caller is a person in the graph. */
  sub?: string;
  /** Expanded: an admin is also an editor and a reader, an editor also a reader. */
  roles: Role[];
  /** For editors: the ids of the organisations whose people and responsibilities they may change. */
  organisations: string[];
}

const implied: Record<Role, Role[]> = { reader: ["reader"], editor: ["editor", "reader"], admin: ["admin", "editor", "reader"] };

/** The roles a token's `roles` claim grants, unknown names ignored, implied roles added. */
export function expandRoles(claimed: unknown): Role[] {
  const names = Array.isArray(claimed) ? claimed : typeof claimed === "string" ? claimed.split(/[\s,]+/) : [];
  const granted = new Set<Role>();
  for (const name of names) if ((roleNames as readonly unknown[]).includes(name)) for (const role of implied[name as Role]) granted.add(role);
  return roleNames.filter((role) => granted.has(role));
}

/** The viewer a verified token describes. */
export function viewerFromClaims(claims: Record<string, unknown>): Viewer {
  const organisations = Array.isArray(claims["organisations"]) ? claims["organisations"].filter((id): id is string => typeof id === "string") : [];
  return {
    ...(typeof claims["sub"] === "string" ? { sub: claims["sub"] } : {}),
    roles: expandRoles(claims["roles"]),
    organisations,
  };
}

export const hasRole = (viewer: Viewer | undefined, role: Role): boolean => viewer?.roles.includes(role) ?? false;

/** How far a token's clock may be ahead of the gateway's. */
export const tokenClockSkewSeconds = 60;

/**
 * Why a client token lives too long to be accepted, or undefined when it does not: its `exp` more than
 * maxAgeSeconds after its `iat` (after now when it has none), or its `iat` in the future beyond the clock skew. A token
 * with no maximum age would let a stolen one (or one an insider signed for the year 3000) be used for ever.
 */
export function tokenLifetimeProblem(claims: { iat?: unknown; exp?: unknown }, maxAgeSeconds: number, now = Date.now() / 1000): string | undefined {
  const hours = (seconds: number) => (seconds === 3600 ? "1 hour" : seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${seconds} seconds`);
  const iat = typeof claims.iat === "number" ? claims.iat : undefined;
  const exp = typeof claims.exp === "number" ? claims.exp : undefined;
  if (iat !== undefined && iat > now + tokenClockSkewSeconds)
    return "The bearer token's \"iat\" claim is in the future: it was issued by a clock ahead of this gateway's.";
  if (exp === undefined) return undefined;
  // Without an `iat`, from now: still no more than the maximum ahead.
  if (exp - (iat ?? now) > maxAgeSeconds) {
    return `The bearer token is valid for longer than the ${hours(maxAgeSeconds)} this gateway accepts: ask for a new, shorter-lived one.`;
  }
  return undefined;
}

/** The header the gateway signs for each subgraph call. */
export const gatewayTokenHeader = "x-gateway-token";
const gatewayIssuer = "service-graph-gateway";
const subgraphAudience = "service-graph-subgraphs";
/** Long enough for the slowest subgraph call, short enough that a captured header is soon useless. */
const gatewayTokenLifetimeSeconds = 120;

/**
 * The secret as an HMAC key, imported once: given raw bytes, jose imports them again on every call,
 * and the token work of a request takes 1.5 times as long (npm run bench:auth).
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}
const hmacKeys = new Map<string, Promise<CryptoKey>>();

/**
 * The request a subgraph call belongs to, as the gateway tells it: its own id for the request, and the
 * id the client sent, if any, kept apart (any client may send any id, an admin's among them).
 */
export interface GatewayRequest {
  requestId: string;
  clientRequestId?: string;
}

/**
 * The gateway's tokens for the subgraphs are compact HS256 JWTs, signed and checked here with
 * node:crypto's HMAC: one is signed for every request and checked by every subgraph it calls, and
 * WebCrypto's (jose's), a job on the thread pool each time, took half a millisecond of CPU on each side.
 * The checks are jose's for these tokens: the HS256 signature (compared in constant time) before
 * anything is read, then the header's algorithm, the issuer, the audience and the expiry.
 */
const gatewayTokenHeaderSegment = Buffer.from(JSON.stringify({ alg: "HS256" })).toString("base64url");
const base64urlSegment = /^[A-Za-z0-9_-]+$/;
const hmacOf = (secret: string, signingInput: string): Buffer => createHmac("sha256", secret).update(signingInput).digest();

/** Signs the caller (or no one) for the subgraphs, with the request the call is part of. */
export async function signGatewayToken(viewer: Viewer | undefined, secret: string, request?: GatewayRequest): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const claims = {
    viewer: viewer ?? null,
    ...(request ? { request } : {}),
    iss: gatewayIssuer,
    aud: subgraphAudience,
    iat: issuedAt,
    exp: issuedAt + gatewayTokenLifetimeSeconds,
  };
  const signingInput = `${gatewayTokenHeaderSegment}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${signingInput}.${hmacOf(secret, signingInput).toString("base64url")}`;
}

export class GatewayTokenError extends Error {
  override name = "GatewayTokenError";
}

/** The caller a gateway token carries; throws GatewayTokenError saying why one is refused. */
export async function verifyGatewayToken(token: string | undefined, secret: string): Promise<Viewer | undefined> {
  return (await verifyGatewayCall(token, secret)).viewer;
}

const plainId = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(value);

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** The claims of a gateway token signed with the secret; "expired" or "not signed" otherwise. */
function gatewayClaims(token: string, secret: string): Record<string, unknown> | "expired" | "not signed" {
  const segments = token.split(".");
  if (segments.length !== 3 || !segments.every((segment) => base64urlSegment.test(segment))) return "not signed";
  const [header, payload, signature] = segments as [string, string, string];
  const expected = hmacOf(secret, `${header}.${payload}`);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "not signed";
  let protectedHeader: unknown;
  let claims: unknown;
  try {
    protectedHeader = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return "not signed";
  }
  if (!isPlainObject(protectedHeader) || protectedHeader["alg"] !== "HS256" || "crit" in protectedHeader || "b64" in protectedHeader) return "not signed";
  if (!isPlainObject(claims) || claims["iss"] !== gatewayIssuer) return "not signed";
  const audience = claims["aud"];
  if (!(audience === subgraphAudience || (Array.isArray(audience) && audience.includes(subgraphAudience)))) return "not signed";
  const { exp, iat, nbf } = claims;
  const now = Math.floor(Date.now() / 1000);
  if (typeof exp !== "number" || (iat !== undefined && typeof iat !== "number") || (nbf !== undefined && (typeof nbf !== "number" || nbf > now)))
    return "not signed";
  return exp <= now ? "expired" : claims;
}

/** The caller and the request a gateway token carries; throws GatewayTokenError saying why one is refused. */
export async function verifyGatewayCall(
  token: string | undefined,
  secret: string,
): Promise<{ viewer: Viewer | undefined; request: GatewayRequest | undefined }> {
  if (!token) throw new GatewayTokenError(`This subgraph answers only the gateway: the request has no ${gatewayTokenHeader} header.`);
  const payload = gatewayClaims(token, secret);
  if (typeof payload === "string") {
    const reason = payload === "expired" ? "it has expired" : "it is not signed by this deployment's gateway";
    throw new GatewayTokenError(`This subgraph answers only the gateway: the ${gatewayTokenHeader} header was refused (${reason}).`);
  }
  const viewer = payload["viewer"] && typeof payload["viewer"] === "object" ? viewerFromClaims(payload["viewer"] as Record<string, unknown>) : undefined;
  const claimed = (payload["request"] ?? {}) as Record<string, unknown>;
  const request = plainId(claimed["requestId"])
    ? { requestId: claimed["requestId"], ...(plainId(claimed["clientRequestId"]) ? { clientRequestId: claimed["clientRequestId"] } : {}) }
    : undefined;
  return { viewer, request };
}

/** The JWT payload @neo4j/graphql's @authentication and @authorization rules read (`$jwt.sub`, `jwt.roles`…). */
/** The caller as @neo4j/graphql's @authentication and @authorization rules read it (the JWT type of the schema files). */
export interface Neo4jJwt {
  sub?: string;
  roles: readonly string[];
  organisations: readonly string[];
}

export function neo4jJwt(viewer: Viewer | undefined): Neo4jJwt | undefined {
  return viewer ? { ...(viewer.sub ? { sub: viewer.sub } : {}), roles: viewer.roles, organisations: viewer.organisations } : undefined;
}

/**
 * For hand-written resolvers, which @neo4j/graphql's rules do not cover: refuses a caller without the
 * role, UNAUTHENTICATED when anonymous and FORBIDDEN otherwise, naming what needed it.
 */
export function requireRole(viewer: Viewer | undefined, role: Role, what: string): void {
  if (hasRole(viewer, role)) return;
  throw viewer
    ? new GraphQLError(`${what} needs the ${role} role, which your token does not grant.`, { extensions: { code: "FORBIDDEN" } })
    : new GraphQLError(`${what} needs a token with the ${role} role: people's names are not public.`, { extensions: { code: "UNAUTHENTICATED" } });
}
