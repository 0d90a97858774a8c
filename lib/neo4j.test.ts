import { describe, expect, it } from "vitest";
import { describeNeo4jError } from "./neo4j.js";

describe("describeNeo4jError", () => {
  const uri = "bolt://db.example:7687";

  it("names missing APOC, as checkNeo4jCompat reports it", () => {
    const error = new Error("Encountered the following DBMS compatiblility issues:\nMissing APOC functions: [ apoc.util.validatePredicate, apoc.date.convertFormat ]");
    expect(describeNeo4jError(error, uri)).toBe(
      "Neo4j at bolt://db.example:7687 lacks APOC core, which @neo4j/graphql requires (Missing APOC functions: [ apoc.util.validatePredicate, apoc.date.convertFormat ]): install APOC core in its plugins folder.",
    );
  });

  it("names an unsupported version", () => {
    const error = new Error("Encountered the following DBMS compatiblility issues:\nExpected minimum Neo4j version: '5.0', received: '4.4'");
    expect(describeNeo4jError(error, uri)).toBe("Neo4j at bolt://db.example:7687 cannot serve @neo4j/graphql: Expected minimum Neo4j version: '5.0', received: '4.4'");
  });
});
