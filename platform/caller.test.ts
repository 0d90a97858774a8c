import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { expandRoles, signGatewayToken, tokenLifetimeProblem, verifyGatewayToken, viewerFromClaims } from "./caller.js";

describe("roles", () => {
  it("expands each role to those it implies and ignores names it does not know", () => {
    expect(expandRoles(["admin"])).toEqual(["reader", "editor", "admin"]);
    expect(expandRoles(["editor", "superuser"])).toEqual(["reader", "editor"]);
    expect(expandRoles("reader")).toEqual(["reader"]);
    expect(expandRoles({ admin: true })).toEqual([]);
  });

  it("keeps only string organisations from a token's claims", () => {
    expect(viewerFromClaims({ sub: "p1", roles: ["editor"], organisations: ["companies-house", 7, null] })).toEqual({
      sub: "p1",
      roles: ["reader", "editor"],
      organisations: ["companies-house"],
    });
  });
});

describe("the gateway's token for subgraphs", () => {
  const secret = "a-secret-of-at-least-thirty-two-characters";

  it("carries the caller, or no one, to the subgraph that shares the secret", async () => {
    const viewer = { sub: "p1", roles: ["reader" as const], organisations: [] };
    expect(await verifyGatewayToken(await signGatewayToken(viewer, secret), secret)).toEqual(viewer);
    expect(await verifyGatewayToken(await signGatewayToken(undefined, secret), secret)).toBeUndefined();
  });

  it("is refused when missing, forged or not a JWT, saying so", async () => {
    await expect(verifyGatewayToken(undefined, secret)).rejects.toThrow("the request has no x-gateway-token header");
    const forged = await signGatewayToken({ roles: ["admin"], organisations: [] }, "another-secret-of-at-least-thirty-two-chars");
    await expect(verifyGatewayToken(forged, secret)).rejects.toThrow("it is not signed by this deployment's gateway");
    await expect(verifyGatewayToken("admin", secret)).rejects.toThrow("refused");
  });

  // Signed with jose, as any HS256 JWT library would sign it: the checks are those of a JWT, not of this signer's bytes.
  const signed = (claims: Record<string, unknown>, header: { alg: string } = { alg: "HS256" }, key = secret) =>
    new SignJWT(claims).setProtectedHeader(header).sign(new TextEncoder().encode(key));
  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => ({ viewer: { roles: ["admin"] }, iss: "service-graph-gateway", aud: "service-graph-subgraphs", iat: now(), exp: now() + 60 });

  it("is read as any HS256 JWT with its issuer, audience and a time to come", async () => {
    expect(await verifyGatewayToken(await signed(valid()), secret)).toEqual({ roles: ["reader", "editor", "admin"], organisations: [] });
    expect(await verifyGatewayToken(await signed({ ...valid(), aud: ["elsewhere", "service-graph-subgraphs"] }), secret)).toMatchObject({
      roles: ["reader", "editor", "admin"],
    });
  });

  it("is refused once expired, from another issuer or for another audience, without an expiry, or not valid yet", async () => {
    await expect(verifyGatewayToken(await signed({ ...valid(), exp: now() - 1 }), secret)).rejects.toThrow("it has expired");
    await expect(verifyGatewayToken(await signed({ ...valid(), exp: now() }), secret)).rejects.toThrow("it has expired");
    for (const claims of [
      { ...valid(), iss: "someone-else" },
      { ...valid(), aud: "another-audience" },
      { ...valid(), exp: undefined },
      { ...valid(), exp: String(now() + 60) },
      { ...valid(), nbf: now() + 600 },
    ])
      await expect(verifyGatewayToken(await signed(claims), secret)).rejects.toThrow("it is not signed by this deployment's gateway");
  });

  it("is refused signed with another algorithm, or with none", async () => {
    await expect(verifyGatewayToken(await signed(valid(), { alg: "HS512" }), secret)).rejects.toThrow("it is not signed by this deployment's gateway");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify(valid())).toString("base64url")}.`;
    await expect(verifyGatewayToken(unsigned, secret)).rejects.toThrow("it is not signed by this deployment's gateway");
    const token = await signGatewayToken({ roles: ["reader"], organisations: [] }, secret);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), viewer: { roles: ["admin"] } })).toString(
      "base64url",
    );
    await expect(verifyGatewayToken(`${header}.${widened}.${signature}`, secret)).rejects.toThrow("it is not signed by this deployment's gateway");
  });
});

describe("a client token's lifetime", () => {
  const now = 1_750_000_000;
  const day = 24 * 3600;

  it("accepts a token valid up to the maximum, the demo tokens' 12 hours among them, and an iat within the clock skew", () => {
    expect(tokenLifetimeProblem({ iat: now, exp: now + 12 * 3600 }, day, now)).toBeUndefined();
    expect(tokenLifetimeProblem({ iat: now - 3600, exp: now - 3600 + day }, day, now)).toBeUndefined();
    expect(tokenLifetimeProblem({ iat: now + 30, exp: now + 3600 }, day, now)).toBeUndefined();
    expect(tokenLifetimeProblem({ exp: now + 300 }, day, now)).toBeUndefined();
  });

  it("refuses one valid for longer than the maximum, from its iat or, without one, from now", () => {
    const tooLong = "The bearer token is valid for longer than the 24 hours this gateway accepts: ask for a new, shorter-lived one.";
    expect(tokenLifetimeProblem({ iat: now, exp: now + day + 1 }, day, now)).toBe(tooLong);
    expect(tokenLifetimeProblem({ iat: now, exp: 32_503_680_000 }, day, now)).toBe(tooLong);
    expect(tokenLifetimeProblem({ exp: 32_503_680_000 }, day, now)).toBe(tooLong);
    expect(tokenLifetimeProblem({ iat: now, exp: now + 601 }, 600, now)).toBe(
      "The bearer token is valid for longer than the 600 seconds this gateway accepts: ask for a new, shorter-lived one.",
    );
  });

  it("refuses one issued in the future beyond the clock skew", () => {
    expect(tokenLifetimeProblem({ iat: now + 61, exp: now + 3600 }, day, now)).toBe(
      "The bearer token's \"iat\" claim is in the future: it was issued by a clock ahead of this gateway's.",
    );
    expect(tokenLifetimeProblem({ iat: now + day, exp: now + day + 3600 }, day, now)).toMatch(/"iat" claim is in the future/);
  });
});
