import { describe, expect, it } from "vitest";
import { describeNeo4jError, isNeo4jUnreachable } from "./neo4j.js";

describe("describeNeo4jError", () => {
  const uri = "bolt://db.example:7687";

  it("names missing APOC, as checkNeo4jCompat reports it", () => {
    const error = new Error(
      "Encountered the following DBMS compatiblility issues:\nMissing APOC functions: [ apoc.util.validatePredicate, apoc.date.convertFormat ]",
    );
    expect(describeNeo4jError(error, uri)).toBe(
      "Neo4j at bolt://db.example:7687 lacks APOC core, which @neo4j/graphql requires (Missing APOC functions: [ apoc.util.validatePredicate, apoc.date.convertFormat ]): install APOC core in its plugins folder.",
    );
  });

  it("names an unsupported version", () => {
    const error = new Error("Encountered the following DBMS compatiblility issues:\nExpected minimum Neo4j version: '5.0', received: '4.4'");
    expect(describeNeo4jError(error, uri)).toBe(
      "Neo4j at bolt://db.example:7687 cannot serve @neo4j/graphql: Expected minimum Neo4j version: '5.0', received: '4.4'",
    );
  });
});

describe("isNeo4jUnreachable: whether a subgraph's start-up tries again", () => {
  // As the driver raises them: a message and a code.
  const driverError = (message: string, code: string) => Object.assign(new Error(message), { code });

  it.each([
    ["a refused connection", driverError("Failed to connect to server. Caused by: connect ECONNREFUSED 127.0.0.1:7687", "ServiceUnavailable")],
    ["a lost session", driverError("Connection was closed by server", "SessionExpired")],
    ["a database still starting", driverError("Database 'neo4j' is unavailable.", "Neo.TransientError.General.DatabaseUnavailable")],
    [
      "a connection not made in time",
      driverError("Connection acquisition timed out in 2000 ms. Pool status: Active conn count = 0, Idle conn count = 0.", "N/A"),
    ],
    ["an unknown host (DNS not ready yet, as in a container starting)", new Error("getaddrinfo ENOTFOUND neo4j")],
  ])("yes for %s", (_, error) => {
    expect(isNeo4jUnreachable(error)).toBe(true);
  });

  it.each([
    ["refused credentials", driverError("The client is unauthorized due to authentication failure.", "Neo.ClientError.Security.Unauthorized")],
    ["missing APOC", new Error("Encountered the following DBMS compatiblility issues:\nMissing APOC functions: [ apoc.util.validatePredicate ]")],
    ["an unknown database", driverError("Database does not exist. Database name: 'nope'.", "Neo.ClientError.Database.DatabaseNotFound")],
  ])("no for %s, which retrying cannot fix", (_, error) => {
    expect(isNeo4jUnreachable(error)).toBe(false);
  });
});
