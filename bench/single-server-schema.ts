/**
 * The type definitions of the benchmark's single-server peer (bench/single-server.ts): the three
 * subgraphs' schema files as one plain @neo4j/graphql schema, merged here from what each subgraph
 * builds (subgraph-kit/type-defs.ts), so that the peer cannot drift from the subgraphs.
 *
 * What federation needs and one server does not goes: `extend schema @link`, the federation directives
 * (@key, @shareable, @inaccessible) and the stubs (DESIGN.md, fact 2). Each entity is its owner's
 * definition, with the fields the other subgraphs' stubs add to it (Organisation.stages, Person.stageRoles…,
 * read-only @cypher fields) after its own; a type every subgraph declares alike (JWT, PageInfo, the
 * shared enums) is kept once. The declared Query fields are the subgraphs' hand-written analyses,
 * answered by their own resolvers over the subgraph kit: they are left out with the types only they
 * return, and the peer serves what @neo4j/graphql generates (the generated-fields journey,
 * gateway/examples/journey-trace.graphql).
 */
import { Kind, parse, print, visit, type ConstDirectiveNode, type DefinitionNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from "graphql";
import { subgraphNames, type SubgraphName } from "../platform/config.js";
import { stubTypeNames } from "../subgraph-kit/federation.js";
import { subgraphTypeDefs } from "../subgraph-kit/type-defs.js";

/** Directives only federation reads: a plain @neo4j/graphql schema refuses them as unknown. */
const federationDirectives = new Set(["key", "shareable", "inaccessible", "external", "provides", "requires", "override", "tag", "link", "extends"]);

const withoutFederation = (directives: readonly ConstDirectiveNode[] | undefined) => directives?.filter((d) => !federationDirectives.has(d.name.value));

function plainField(field: FieldDefinitionNode): FieldDefinitionNode {
  return { ...field, directives: withoutFederation(field.directives) };
}

const nameOf = (definition: DefinitionNode): string | undefined => ("name" in definition && definition.name ? definition.name.value : undefined);

interface Declared {
  definition: DefinitionNode;
  subgraph: SubgraphName;
  stub: boolean;
}

/** The definition as the single server takes it, or the reason two subgraphs' definitions of one type cannot be one. */
function merged(name: string, declared: Declared[]): DefinitionNode {
  // A type marked as a stub in the one subgraph that has it is that subgraph's own, with no API (OrganisationState).
  const owners = declared.length === 1 ? declared : declared.filter((d) => !d.stub);
  if (owners.length === 0) throw new Error(`${name} is a stub in ${declared.map((d) => d.subgraph).join(" and ")}, owned by no subgraph`);
  const [owner] = owners;
  const printed = new Set(owners.map((d) => print(d.definition)));
  // Declared alike in every subgraph (schema/shared.graphql, the enums a stub takes from its owner).
  if (printed.size > 1) throw new Error(`${name} is defined differently in ${owners.map((d) => d.subgraph).join(", ")}: one subgraph owns a type`);
  if (owner!.definition.kind !== Kind.OBJECT_TYPE_DEFINITION) return owner!.definition;
  const own = owner!.definition;
  const fields = [...(own.fields ?? [])];
  for (const { definition, subgraph } of declared.filter((d) => d !== owner && d.stub)) {
    for (const field of (definition as ObjectTypeDefinitionNode).fields ?? []) {
      const same = fields.find((f) => f.name.value === field.name.value);
      // The key and the owner's shareable fields, which subgraph-kit/type-defs.ts copied into the stub.
      if (same && print(same.type) === print(field.type)) continue;
      if (same) throw new Error(`${name}.${field.name.value} in the ${subgraph} subgraph's stub is not the ${owner!.subgraph} subgraph's field of that name`);
      fields.push(field);
    }
  }
  return { ...own, directives: withoutFederation(own.directives), fields: fields.map(plainField) };
}

/** The three subgraphs' type definitions as one @neo4j/graphql schema's, printed. */
export function singleServerTypeDefs(): string {
  const byName = new Map<string, Declared[]>();
  const schemaExtensions: DefinitionNode[] = [];
  for (const subgraph of subgraphNames) {
    const document = parse(subgraphTypeDefs(subgraph));
    const stubs = new Set(stubTypeNames(document));
    for (const definition of document.definitions) {
      if (definition.kind === Kind.SCHEMA_EXTENSION) {
        const directives = withoutFederation(definition.directives);
        if (directives?.length) schemaExtensions.push({ ...definition, directives });
        continue;
      }
      const name = nameOf(definition);
      if (name === undefined) throw new Error(`The ${subgraph} subgraph's type definitions hold an unnamed ${definition.kind}`);
      // Its fields are hand-written resolvers (see above).
      if (name === "Query") continue;
      byName.set(name, [...(byName.get(name) ?? []), { definition, subgraph, stub: stubs.has(name) }]);
    }
  }
  const schemaPrinted = new Set(schemaExtensions.map((d) => print(d)));
  const definitions = [
    ...schemaExtensions.filter((d) => schemaPrinted.delete(print(d))),
    ...reachable([...byName].map(([name, declared]) => merged(name, declared))),
  ];
  return print({ kind: Kind.DOCUMENT, definitions });
}

/** What @neo4j/graphql reads a type as by its directives: a node, a relationship's properties, the caller's JWT. */
const libraryRoots = new Set(["node", "relationshipProperties", "jwt"]);

/**
 * The definitions the library's types use, those types included: the hand-written analyses' result
 * types (Journey, OrganisationLinkPage…) went with the Query fields that return them.
 */
function reachable(definitions: DefinitionNode[]): DefinitionNode[] {
  const byName = new Map(definitions.map((d) => [nameOf(d)!, d]));
  const kept = new Set<string>();
  const keep = (name: string) => {
    const definition = byName.get(name);
    if (!definition || kept.has(name)) return;
    kept.add(name);
    visit(definition, { NamedType: (node) => keep(node.name.value) });
  };
  for (const d of definitions) if ("directives" in d && d.directives?.some((x) => libraryRoots.has(x.name.value))) keep(nameOf(d)!);
  return definitions.filter((d) => kept.has(nameOf(d)!));
}
