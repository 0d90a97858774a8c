/**
 * The token verifier keeps the tokens it verified lately: a kept token is still refused once it has
 * expired, and a token that differs from a kept one by a character is checked afresh.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { signClientToken } from "../platform/demo-tokens.js";
import { createTokenVerifier } from "./auth.js";

const secret = "a-secret-of-at-least-thirty-two-bytes-for-hs256";
const claims = { issuer: "https://auth.test.invalid", audience: "service-graph", sub: "someone", roles: ["reader" as const] };
const verifier = () => createTokenVerifier({ jwtSecret: secret, issuer: claims.issuer, audience: claims.audience });

describe("tokens verified lately", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("are still refused once expired, though kept", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const verify = verifier();
    const token = await signClientToken(secret, { ...claims, expiresAt: "60s" });
    expect((await verify(`Bearer ${token}`))?.sub).toBe("someone");
    expect((await verify(`Bearer ${token}`))?.sub).toBe("someone");
    vi.setSystemTime(Date.now() + 61_000);
    await expect(verify(`Bearer ${token}`)).rejects.toThrow(/expired|exp/i);
  });

  it("are matched by their whole text: one with another signature is refused", async () => {
    const verify = verifier();
    const token = await signClientToken(secret, { ...claims, expiresAt: "60s" });
    await verify(`Bearer ${token}`);
    const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    await expect(verify(`Bearer ${forged}`)).rejects.toThrow(/signature/i);
  });
});
