import { Neo4jGraphQL } from "@neo4j/graphql";
import { Kind, parse, visit, type ObjectTypeDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { singleServerTypeDefs } from "./single-server-schema.js";

const typeDefs = singleServerTypeDefs();
const document = parse(typeDefs);
const fieldsOf = (name: string) =>
  document.definitions
    .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name)
    .flatMap((d) => (d.fields ?? []).map((f) => f.name.value));

describe("the single-server peer's type definitions", () => {
  it("name no federation directive and define each type once", () => {
    const directives = new Set<string>();
    visit(document, { Directive: (node) => void directives.add(node.name.value) });
    expect([...directives].filter((d) => ["key", "shareable", "inaccessible", "link"].includes(d))).toEqual([]);
    const names = document.definitions.flatMap((d) => ("name" in d && d.name ? [d.name.value] : []));
    expect(names.length).toBe(new Set(names).size);
  });

  it("give each entity its owner's fields and the fields the other subgraphs' stubs add", () => {
    expect(fieldsOf("Organisation")).toEqual(expect.arrayContaining(["name", "department", "successors", "people", "stages", "services"]));
    expect(fieldsOf("Person")).toEqual(expect.arrayContaining(["name", "jobTitle", "organisations", "communities", "stages", "stageRoles"]));
    expect(fieldsOf("Community")).toEqual(expect.arrayContaining(["kind", "members", "services"]));
  });

  it("build one @neo4j/graphql schema with the generated root fields and none of the hand-written analyses", async () => {
    const schema = await new Neo4jGraphQL({ typeDefs }).getSchema();
    const roots = Object.keys(schema.getQueryType()!.getFields());
    expect(roots).toEqual(expect.arrayContaining(["services", "organisations", "people", "stagesConnection"]));
    expect(roots).not.toContain("journey");
    expect(schema.getType("Journey")).toBeUndefined();
  });
});
