/**
 * Client authentication at the gateway: a bearer token is verified (signature, algorithm, issuer,
 * audience, expiry, how long it is valid for) with the configured key, and the caller it names is passed to every subgraph
 * call in a token the gateway signs itself (platform/caller.ts). No token: the caller is anonymous.
 */
import { readFileSync } from "node:fs";
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { LRUCache } from "lru-cache";
import { GraphQLError } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { requestIdsOf } from "./observability.js";
import { gatewayTokenHeader, hmacKey, signGatewayToken, tokenLifetimeProblem, viewerFromClaims, type Viewer } from "../platform/caller.js";

export interface TokenSettings {
  /** HS256 with this shared secret… */
  jwtSecret?: string | undefined;
  /** …or RS256 with the keys of a JWKS file or URL. */
  jwksFile?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** The longest a token may be valid for (`exp` − `iat`); 24 hours when left out. */
  maxTokenAgeSeconds?: number | undefined;
}

export type TokenVerifier = (authorization: string | null) => Promise<Viewer | undefined>;

const unauthenticated = (message: string) =>
  new GraphQLError(message, {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } } },
  });

/** Why jose refused a token, in words a client can act on; never the token itself. */
function refusal(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "The bearer token has expired.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The bearer token's "${error.claim}" claim is not accepted here.`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "The bearer token is signed with an algorithm this gateway does not accept.";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey)
    return "The bearer token's signature is not valid.";
  return "The bearer token is not a valid JWT.";
}

export const defaultMaxTokenAgeSeconds = 24 * 60 * 60;

/** Verifies `Authorization: Bearer …`; resolves to undefined for a request without one. */
export function createTokenVerifier(settings: TokenSettings): TokenVerifier {
  const key: Promise<CryptoKey> | JWTVerifyGetKey | undefined = settings.jwtSecret
    ? hmacKey(settings.jwtSecret)
    : settings.jwksFile
      ? createLocalJWKSet(JSON.parse(readFileSync(settings.jwksFile, "utf8")) as JSONWebKeySet)
      : settings.jwksUrl
        ? createRemoteJWKSet(new URL(settings.jwksUrl))
        : undefined;
  // One algorithm per key kind: a token may not choose how it is checked (`alg: none`, HS256 signed with a public key).
  const algorithms = settings.jwtSecret ? ["HS256"] : ["RS256"];
  const maxTokenAgeSeconds = settings.maxTokenAgeSeconds ?? defaultMaxTokenAgeSeconds;
  // Tokens verified lately, by their whole text: a client sends the same one with every request, and
  // checking its signature again is most of what an answer from the response cache costs. Kept a minute
  // at most (a key taken out of the JWKS stops its tokens within it) and never past the token's `exp`.
  const verified = new LRUCache<string, { claims: JWTPayload; viewer: Viewer | undefined }>({
    max: 1_000,
    ttl: 60_000,
    maxSize: 4_000_000,
    sizeCalculation: (_, token) => token.length,
  });
  return async (authorization) => {
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const kept = verified.get(match[1]!);
    if (kept && Number(kept.claims.exp) > Date.now() / 1000 && !tokenLifetimeProblem(kept.claims, maxTokenAgeSeconds)) return kept.viewer;
    if (!key) throw unauthenticated("This gateway does not accept tokens: it has no key configured (AUTH_JWT_SECRET, AUTH_JWKS_FILE or AUTH_JWKS_URL).");
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, typeof key === "function" ? key : await key, {
        algorithms,
        ...(settings.issuer ? { issuer: settings.issuer } : {}),
        ...(settings.audience ? { audience: settings.audience } : {}),
        requiredClaims: ["exp"],
      }));
    } catch (error) {
      throw unauthenticated(refusal(error));
    }
    const tooLong = tokenLifetimeProblem(payload, maxTokenAgeSeconds);
    if (tooLong) throw unauthenticated(tooLong);
    const viewer = viewerFromClaims(payload);
    verified.set(match[1]!, { claims: payload, viewer });
    return viewer;
  };
}

export interface AuthContext {
  viewer?: Viewer | undefined;
  /** The token the subgraph calls carry, signed at the first call: an answer from the response cache signs none. */
  gatewayToken?: () => Promise<string>;
}

/** Verifies the client once per request and signs each subgraph call with the caller. */
export function useAuthentication(verify: TokenVerifier, subgraphSecret: string): GatewayPlugin<AuthContext> {
  return {
    async onContextBuilding({ context, extendContext }) {
      const viewer = await verify(context.request.headers.get("authorization"));
      // The request's ids travel signed, so a subgraph trusts no x-request-id header (gateway/observability.ts).
      const ids = requestIdsOf(context.request);
      let signed: Promise<string> | undefined;
      extendContext({ viewer, gatewayToken: () => (signed ??= signGatewayToken(viewer, subgraphSecret, ids)) });
    },
    async onFetch({ context, options, setOptions }) {
      const gatewayToken = context && "gatewayToken" in context ? context.gatewayToken : undefined;
      if (!gatewayToken) return;
      setOptions({ ...options, headers: { ...options.headers, [gatewayTokenHeader]: await gatewayToken() } });
    },
  };
}
