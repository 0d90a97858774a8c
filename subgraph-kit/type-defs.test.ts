import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Kind, parse, print, type ObjectTypeDefinitionNode } from "graphql";
import { schemaDir } from "../platform/paths.js";
import { subgraphTypeDefs } from "./type-defs.js";

const typeIn = (sdl: string, name: string) =>
  parse(sdl).definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name)!;
const fieldNames = (type: ObjectTypeDefinitionNode) => (type.fields ?? []).map((f) => f.name.value);

describe("a stub's shared fields", () => {
  it("are written once, in the owner's file: the stubs declare only their key and their own fields", () => {
    for (const [file, stubs] of [
      ["people.graphql", ["Organisation"]],
      ["services.graphql", ["Organisation", "Person", "Community", "Profession"]],
    ] as const) {
      const sdl = readFileSync(resolve(schemaDir, file), "utf8");
      for (const stub of stubs)
        expect(fieldNames(typeIn(sdl, stub)).filter((f) => ["name", "acronym", "type", "status", "kind", "family"].includes(f))).toEqual([]);
    }
  });

  it("are the owner's, with its descriptions and directives, after the stub's key", () => {
    const owner = typeIn(subgraphTypeDefs("organisations"), "Organisation");
    const shared = (owner.fields ?? []).filter((f) => f.directives?.some((d) => d.name.value === "shareable"));
    expect(shared.map((f) => f.name.value)).toEqual(["name", "acronym", "type", "status"]);
    for (const subgraph of ["people", "services"] as const) {
      const stub = typeIn(subgraphTypeDefs(subgraph), "Organisation");
      expect(fieldNames(stub).slice(0, 5)).toEqual(["id", "name", "acronym", "type", "status"]);
      expect((stub.fields ?? []).slice(1, 5).map((f) => print(f))).toEqual(shared.map((f) => print(f)));
    }
    const person = typeIn(subgraphTypeDefs("services"), "Person");
    expect(fieldNames(person).slice(0, 4)).toEqual(["id", "name", "jobTitle", "grade"]);
  });

  it("bring the enums they use that the stub's file lacks, as the owner defines them", () => {
    const enumIn = (sdl: string) => parse(sdl).definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === "CommunityKind");
    expect(readFileSync(resolve(schemaDir, "services.graphql"), "utf8")).not.toContain("enum CommunityKind");
    expect(print(enumIn(subgraphTypeDefs("services"))!)).toBe(print(enumIn(subgraphTypeDefs("people"))!));
  });
});
