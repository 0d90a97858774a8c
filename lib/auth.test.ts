import { describe, expect, it } from "vitest";
import { expandRoles, signGatewayToken, verifyGatewayToken, viewerFromClaims } from "./auth.js";

describe("roles", () => {
  it("expands each role to those it implies and ignores names it does not know", () => {
    expect(expandRoles(["admin"])).toEqual(["reader", "editor", "admin"]);
    expect(expandRoles(["editor", "superuser"])).toEqual(["reader", "editor"]);
    expect(expandRoles("reader")).toEqual(["reader"]);
    expect(expandRoles({ admin: true })).toEqual([]);
  });

  it("keeps only string organisations from a token's claims", () => {
    expect(viewerFromClaims({ sub: "p1", roles: ["editor"], organisations: ["companies-house", 7, null] }))
      .toEqual({ sub: "p1", roles: ["reader", "editor"], organisations: ["companies-house"] });
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
});
