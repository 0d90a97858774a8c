import { describe, expect, it } from "vitest";
import { ConfigError, neo4jUri, parseConfig, subgraphUrls } from "./config.js";

describe("parseConfig", () => {
  it("gives the documented defaults for an empty environment", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ GATEWAY_PORT: 4000, PEOPLE_PORT: 4001, ORGANISATIONS_PORT: 4002, SERVICES_PORT: 4003, SUBGRAPH_TIMEOUT_MS: 5000 });
    expect(neo4jUri(config)).toBe("bolt://127.0.0.1:7687");
    expect(subgraphUrls(config).people).toBe("http://127.0.0.1:4001/graphql");
  });

  it.each(["bolt://db:7687", "neo4j://cluster.example:7687", "neo4j+s://abc.databases.neo4j.io"])("accepts the URI %s", (uri) => {
    expect(parseConfig({ NEO4J_URI: uri }).NEO4J_URI).toBe(uri);
  });

  it("reports every invalid variable at once, by name", () => {
    expect(() => parseConfig({ NEO4J_URI: "http://db:7474", GATEWAY_PORT: "eighty", NEO4J_PASSWORD: "short" })).toThrowError(ConfigError);
    try {
      parseConfig({ NEO4J_URI: "http://db:7474", GATEWAY_PORT: "eighty", NEO4J_PASSWORD: "short" });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("NEO4J_URI: must be a bolt://, neo4j:// or neo4j+s:// URI");
      expect(message).toContain("GATEWAY_PORT");
      expect(message).toContain("NEO4J_PASSWORD: must be at least 8 characters");
    }
  });

  it("accepts one source of client keys, with the issuer and audience it needs", () => {
    const secret = "s".repeat(32);
    expect(parseConfig({ AUTH_JWT_SECRET: secret, AUTH_ISSUER: "https://auth.example", AUTH_AUDIENCE: "service-graph" }).AUTH_JWT_SECRET).toBe(secret);
    expect(() => parseConfig({ AUTH_JWT_SECRET: secret, AUTH_JWKS_URL: "https://auth.example/jwks.json", AUTH_ISSUER: "i", AUTH_AUDIENCE: "a" })).toThrowError(
      "AUTH_JWT_SECRET: set only one of AUTH_JWT_SECRET, AUTH_JWKS_FILE and AUTH_JWKS_URL",
    );
    expect(() => parseConfig({ AUTH_JWKS_FILE: "keys.json" })).toThrowError(/AUTH_ISSUER: is required when client tokens are accepted[\s\S]*AUTH_AUDIENCE/);
    expect(() => parseConfig({ AUTH_JWT_SECRET: "short", SUBGRAPH_SECRET: "short" })).toThrowError(
      /AUTH_JWT_SECRET: must be at least 32 characters[\s\S]*SUBGRAPH_SECRET: must be at least 32 characters/,
    );
  });

  it("gives browser access and tokens safe defaults, and reads their variables", () => {
    expect(parseConfig({})).toMatchObject({ GATEWAY_CORS_ORIGINS: [], AUTH_MAX_TOKEN_AGE_SECONDS: 86_400 });
    expect(parseConfig({ GATEWAY_CORS_ORIGINS: "https://a.example,  https://b.example:8443 ,", AUTH_MAX_TOKEN_AGE_SECONDS: "3600" })).toMatchObject({
      GATEWAY_CORS_ORIGINS: ["https://a.example", "https://b.example:8443"],
      AUTH_MAX_TOKEN_AGE_SECONDS: 3600,
    });
    expect(() => parseConfig({ GATEWAY_CORS_ORIGINS: "*", AUTH_MAX_TOKEN_AGE_SECONDS: "0" })).toThrowError(
      /(?=[\s\S]*GATEWAY_CORS_ORIGINS.0: must list origins)(?=[\s\S]*AUTH_MAX_TOKEN_AGE_SECONDS)/,
    );
  });

  it("treats an empty variable as unset", () => {
    expect(parseConfig({ NEO4J_URI: "" }).NEO4J_URI).toBeUndefined();
  });
});
