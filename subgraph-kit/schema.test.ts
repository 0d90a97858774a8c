/** The steps that make a subgraph's schema (schema.ts): each one alone, on the schema @neo4j/graphql generates. */
import { isObjectType, printSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import neo4j from "neo4j-driver";
import { afterAll, describe, expect, it } from "vitest";
import { subgraphNames, type SubgraphName } from "../platform/config.js";
import { applySchemaSteps, neo4jGraphQLOf, schemaStepInput, schemaSteps } from "./schema.js";

// Never connected: building a schema reads no database.
const driver = neo4j.driver("bolt://127.0.0.1:1");
afterAll(() => driver.close());

// Generating takes most of this file's time, so each subgraph's schema is generated once: the steps leave it
// as it was (the first test of each subgraph proves it), so the second sees what @neo4j/graphql made.
const generatedSchemas = new Map<SubgraphName, Promise<GraphQLSchema>>();
function generatedSchema(name: SubgraphName): Promise<GraphQLSchema> {
  if (!generatedSchemas.has(name)) generatedSchemas.set(name, neo4jGraphQLOf({ name, driver }).getSubgraphSchema());
  return generatedSchemas.get(name)!;
}

/** Every field's resolver, by "Type.field", and the schema as printed: what a step must not change in its input. */
function fingerprint(schema: GraphQLSchema): { sdl: string; resolvers: Map<string, GraphQLFieldResolver<unknown, unknown> | undefined> } {
  const resolvers = new Map<string, GraphQLFieldResolver<unknown, unknown> | undefined>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) resolvers.set(`${type.name}.${field.name}`, field.resolve);
  }
  return { sdl: printSchema(schema), resolvers };
}

describe("the schema steps", () => {
  it("each have a name of their own and a reason", () => {
    expect(new Set(schemaSteps.map((s) => s.name)).size).toBe(schemaSteps.length);
    for (const step of schemaSteps) expect(step.why.length, step.name).toBeGreaterThan(40);
  });

  for (const name of subgraphNames) {
    it(`leave the ${name} schema they are given as it was`, async () => {
      const generated = await generatedSchema(name);
      const input = schemaStepInput({ name, driver });
      const before = fingerprint(generated);
      for (const step of schemaSteps) {
        step.apply(generated, input);
        const after = fingerprint(generated);
        expect(after.sdl, step.name).toBe(before.sdl);
        for (const [field, resolve] of before.resolvers) expect(after.resolvers.get(field), `${step.name}: ${field}`).toBe(resolve);
      }
    });

    it(`together wrap the ${name} subgraph's mutations and lists, and change the generated schema only through copies`, async () => {
      const generated = await generatedSchema(name);
      const served = applySchemaSteps(generated, schemaStepInput({ name, driver }));
      const mutation = Object.values(served.getMutationType()!.getFields())[0]!;
      const original = generated.getMutationType()!.getFields()[mutation.name]!;
      expect(mutation.resolve).not.toBe(original.resolve);
    });
  }
});
