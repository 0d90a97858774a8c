import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Kind, parse, print, type DefinitionNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode, type TypeNode } from "graphql";
import { schemaDir } from "../platform/paths.js";
import { subgraphNames, type SubgraphName } from "../platform/config.js";
import { stubTypeNames } from "./federation.js";

const schemaFile = (file: string) => readFileSync(resolve(schemaDir, file), "utf8");

/** schema/<name>.graphql with the types all subgraphs share (schema/shared.graphql), each `extend type` block folded into its type. */
function ownDefinitions(name: SubgraphName): DefinitionNode[] {
  const document = parse([`${name}.graphql`, "shared.graphql"].map(schemaFile).join("\n"));
  const defined = new Set(document.definitions.flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION ? [d.name.value] : [])));
  const extensions = new Map<string, FieldDefinitionNode[]>();
  for (const d of document.definitions)
    if (d.kind === Kind.OBJECT_TYPE_EXTENSION && defined.has(d.name.value))
      extensions.set(d.name.value, [...(extensions.get(d.name.value) ?? []), ...(d.fields ?? [])]);
  return document.definitions.flatMap((d): DefinitionNode[] => {
    if (d.kind === Kind.OBJECT_TYPE_EXTENSION && defined.has(d.name.value)) return [];
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || !extensions.has(d.name.value)) return [d];
    return [{ ...d, fields: [...(d.fields ?? []), ...(extensions.get(d.name.value) ?? [])] }];
  });
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));
const keyFields = (type: ObjectTypeDefinitionNode): string[] =>
  (type.directives ?? []).flatMap((d) => {
    const fields = d.name.value === "key" ? d.arguments?.find((a) => a.name.value === "fields")?.value : undefined;
    return fields?.kind === Kind.STRING ? fields.value.split(/\s+/).filter(Boolean) : [];
  });

/**
 * The stub with its owner's shareable fields after its key, where a reader of the type looks for them
 * first; the enums those fields use that `declared` lacks are given to add beside it.
 */
function completeStub(stub: ObjectTypeDefinitionNode, owner: Owner, declared: Set<string>): { stub: ObjectTypeDefinitionNode; enums: DefinitionNode[] } {
  const shared = (owner.type.fields ?? []).filter((f) => f.directives?.some((d) => d.name.value === "shareable"));
  const fields = stub.fields ?? [];
  const repeated = fields.filter((f) => shared.some((s) => s.name.value === f.name.value)).map((f) => f.name.value);
  if (repeated.length > 0)
    throw new Error(`${stub.name.value} declares ${repeated.join(", ")}, which schema/${owner.name}.graphql shares: declare them there only`);
  const afterKey = Math.max(0, ...keyFields(stub).map((key) => fields.findIndex((f) => f.name.value === key) + 1));
  const used = new Set(shared.map((f) => namedType(f.type)));
  const enums = owner.definitions.filter((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && used.has(d.name.value) && !declared.has(d.name.value));
  return { stub: { ...stub, fields: [...fields.slice(0, afterKey), ...shared, ...fields.slice(afterKey)] }, enums };
}

interface Owner {
  name: SubgraphName;
  definitions: DefinitionNode[];
  type: ObjectTypeDefinitionNode;
}

/**
 * The other subgraph that defines the type and does not mark it a stub; none for a type marked so that
 * only this subgraph has (OrganisationState, which has no API of its own).
 */
function ownerOf(type: string, stubbedIn: SubgraphName, files: Record<SubgraphName, DefinitionNode[]>): Owner | undefined {
  const owners = subgraphNames.flatMap((name): Owner[] => {
    const definitions = files[name];
    const own = definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type);
    return name !== stubbedIn && own && !stubTypeNames({ kind: Kind.DOCUMENT, definitions: [own] }).includes(type) ? [{ name, definitions, type: own }] : [];
  });
  if (owners.length > 1) throw new Error(`${type} is owned by ${owners.map((o) => o.name).join(" and ")}: one subgraph owns an entity, the others hold stubs`);
  return owners[0];
}

/**
 * schema/<name>.graphql with the types all subgraphs share (schema/shared.graphql), each `extend type`
 * block folded into its type (so every later step sees one definition per type), and each stub
 * (DESIGN.md, fact 2) given its owner's shareable fields, with the owner's descriptions and directives:
 * a stub declares its key and its own fields only. A journey then reads names from the services
 * subgraph alone (docs/adr/0004-analysis-in-hand-written-cypher.md), while what an organisation's or a
 * person's name is stays written once, in the owner's schema file.
 */
export function subgraphTypeDefs(name: SubgraphName): string {
  const files = Object.fromEntries(subgraphNames.map((n) => [n, ownDefinitions(n)])) as Record<SubgraphName, DefinitionNode[]>;
  const stubs = new Set(stubTypeNames({ kind: Kind.DOCUMENT, definitions: files[name] }));
  const declared = new Set(files[name].flatMap((d) => ("name" in d && d.name ? [d.name.value] : [])));
  const definitions = files[name].flatMap((d): DefinitionNode[] => {
    const owner = d.kind === Kind.OBJECT_TYPE_DEFINITION && stubs.has(d.name.value) ? ownerOf(d.name.value, name, files) : undefined;
    if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || owner === undefined) return [d];
    const { stub, enums } = completeStub(d, owner, declared);
    for (const e of enums) if ("name" in e && e.name) declared.add(e.name.value);
    return [stub, ...enums];
  });
  return print({ kind: Kind.DOCUMENT, definitions });
}
