import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Kind, parse, print, type DefinitionNode, type FieldDefinitionNode } from "graphql";
import { schemaDir } from "../platform/paths.js";
import type { SubgraphName } from "../platform/config.js";

const schemaFile = (file: string) => readFileSync(resolve(schemaDir, file), "utf8");

/**
 * The fields of a person that the services subgraph serves too: the `extend type Person` block of
 * schema/people.graphql, with the people subgraph's own directives. A journey's people then come from
 * the services subgraph alone (docs/adr/0004-analysis-in-hand-written-cypher.md), while what a person
 * is stays written once, in the people subgraph's schema.
 */
function personFieldsSharedWithServices(): readonly FieldDefinitionNode[] {
  const block = parse(schemaFile("people.graphql")).definitions.find((d) => d.kind === Kind.OBJECT_TYPE_EXTENSION && d.name.value === "Person");
  if (block?.kind !== Kind.OBJECT_TYPE_EXTENSION) throw new Error("schema/people.graphql has no `extend type Person` block to share");
  return block.fields ?? [];
}

/**
 * schema/<name>.graphql with the types all subgraphs share (schema/shared.graphql), each `extend type`
 * block folded into its type (so every later step sees one definition per type), and for the services
 * subgraph the person fields the people subgraph shares added to its Person.
 */
export function subgraphTypeDefs(name: SubgraphName): string {
  const document = parse([`${name}.graphql`, "shared.graphql"].map(schemaFile).join("\n"));
  const addedFields = new Map<string, FieldDefinitionNode[]>();
  const add = (type: string, fields: readonly FieldDefinitionNode[]) => addedFields.set(type, [...(addedFields.get(type) ?? []), ...fields]);
  const defined = new Set(document.definitions.flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION ? [d.name.value] : [])));
  for (const d of document.definitions) if (d.kind === Kind.OBJECT_TYPE_EXTENSION && defined.has(d.name.value)) add(d.name.value, d.fields ?? []);
  if (name === "services") add("Person", personFieldsSharedWithServices());
  const definitions = document.definitions.flatMap((d): DefinitionNode[] => {
    if (d.kind === Kind.OBJECT_TYPE_EXTENSION && defined.has(d.name.value)) return [];
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || !addedFields.has(d.name.value)) return [d];
    return [{ ...d, fields: [...(d.fields ?? []), ...(addedFields.get(d.name.value) ?? [])] }];
  });
  return print({ ...document, definitions });
}
