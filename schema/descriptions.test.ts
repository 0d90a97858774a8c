/**
 * Every query, mutation, type, field, argument and enum value the project's SDL declares is
 * described where users read it: in the supergraph's public schema, which the IDE's docs show. What
 * @neo4j/graphql generates from a declaration (its root fields, their arguments, list sizes) is
 * described by the subgraph's schema steps (subgraph-kit/descriptions.ts, subgraph-kit/paging.ts).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, Kind, parse, type DefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { schemaDir } from "../platform/paths.js";
import { publicApiSchema } from "./compose.js";

const api = publicApiSchema();

/** "Type", "Type.field", "Type.field(argument)" and "Enum.VALUE" of each declaration in the schema files that the public schema serves. */
function declared(): string[] {
  const names = new Set<string>();
  for (const file of ["people", "organisations", "services", "shared"]) {
    const document = parse(readFileSync(resolve(schemaDir, `${file}.graphql`), "utf8"));
    for (const definition of document.definitions as (DefinitionNode & { name?: { value: string } })[]) {
      const type = definition.name && api.getType(definition.name.value);
      if (!type || type.name.startsWith("_")) continue;
      // Query and Mutation are the API's entry points, named by the spec: their fields say what each does.
      if (type !== api.getQueryType() && type !== api.getMutationType()) names.add(type.name);
      if (definition.kind === Kind.ENUM_TYPE_DEFINITION && isEnumType(type)) {
        for (const value of definition.values ?? []) if (type.getValue(value.name.value)) names.add(`${type.name}.${value.name.value}`);
      }
      if ((definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) && isObjectType(type)) {
        for (const field of definition.fields ?? []) {
          const served = type.getFields()[field.name.value];
          if (!served) continue;
          names.add(`${type.name}.${served.name}`);
          for (const argument of served.args) names.add(`${type.name}.${served.name}(${argument.name})`);
        }
      }
    }
  }
  return [...names].sort();
}

function description(name: string): string | null | undefined {
  const [, typeName, fieldName, argumentName] = /^([^.(]+)(?:\.([^(]+))?(?:\((.+)\))?$/.exec(name)!;
  const type = api.getType(typeName!)!;
  if (!fieldName) return type.description;
  if (isEnumType(type)) return type.getValue(fieldName)?.description;
  if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) return undefined;
  const field = type.getFields()[fieldName];
  if (!argumentName) return field?.description;
  return field && "args" in field ? field.args.find((a) => a.name === argumentName)?.description : undefined;
}

describe("the schema's descriptions", () => {
  it("describe every type, field, argument and enum value the schema files declare", () => {
    const names = declared();
    expect(names.length).toBeGreaterThan(500);
    expect(names.filter((name) => !description(name)?.trim())).toEqual([]);
  });

  it("describe every query and mutation, the generated ones too, and their arguments", () => {
    const undescribed = [api.getQueryType()!, api.getMutationType()!].flatMap((root) =>
      Object.values(root.getFields()).flatMap((field) => [
        ...(field.description ? [] : [`${root.name}.${field.name}`]),
        ...field.args.filter((a) => !a.description).map((a) => `${root.name}.${field.name}(${a.name})`),
      ]),
    );
    expect(undescribed).toEqual([]);
  });
});
