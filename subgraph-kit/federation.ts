import {
  getNamedType,
  type GraphQLOutputType,
  type ASTNode,
  type ConstDirectiveNode,
  type NameNode,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  visit,
} from "graphql";
import { MapperKind, mapSchema } from "@graphql-tools/utils";
import { printSubgraphSchema } from "@apollo/subgraph";

/**
 * The entity stubs of a subgraph: types it references but does not own, marked (DESIGN.md, fact 2)
 * with `@mutation(operations: [])`.
 */
export function stubTypeNames(typeDefs: string | DocumentNode): string[] {
  const document = typeof typeDefs === "string" ? parse(typeDefs) : typeDefs;
  const stubs: string[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const mutation = definition.directives?.find((d) => d.name.value === "mutation");
    const operations = mutation?.arguments?.find((a) => a.name.value === "operations")?.value;
    if (operations?.kind === Kind.LIST && operations.values.length === 0) stubs.push(definition.name.value);
  }
  return stubs;
}

/**
 * Gives the input types that @neo4j/graphql generates for a stub (OrganisationWhere, OrganisationSort,
 * …) a name of this subgraph's own, such as PeopleOrganisationWhere.
 *
 * Why: federation merges input types by intersection. If the people subgraph's stub generated its own
 * `OrganisationWhere { id }`, the supergraph's OrganisationWhere would shrink to `id` alone and nobody
 * could filter organisations by name through the gateway. Input type names never reach the resolvers,
 * which read argument values only, so renaming them is safe.
 */
export function renameStubInputTypes(schema: GraphQLSchema, stubs: readonly string[], prefix: string): GraphQLSchema {
  if (stubs.length === 0) return schema;
  // Also the stub's edge type (OrganisationEdge), which its hidden root connection uses (hideStubRootFields).
  const isStubInput = (type: GraphQLNamedType) =>
    (isInputObjectType(type) && stubs.some((stub) => type.name.startsWith(stub) && /^[A-Z]/.test(type.name.slice(stub.length)))) ||
    (isObjectType(type) && stubs.some((stub) => type.name === `${stub}Edge`));
  const renames = new Map(
    Object.values(schema.getTypeMap())
      .filter(isStubInput)
      .map((t) => [t.name, `${prefix}${t.name}`]),
  );
  const renameNode = <N extends { name: NameNode }>(node: N): N | undefined =>
    renames.has(node.name.value) ? { ...node, name: { ...node.name, value: renames.get(node.name.value)! } } : undefined;
  // printSubgraphSchema reads the AST nodes too, so their type references are renamed with the types.
  const renameInAst = <T extends ASTNode | undefined | null>(node: T): T =>
    node
      ? visit(node, { NamedType: renameNode, InputObjectTypeDefinition: renameNode, InputObjectTypeExtension: renameNode, ObjectTypeDefinition: renameNode })
      : node;
  const renameInAsts = <T extends ASTNode>(nodes: readonly T[] | undefined) => nodes?.map((n) => renameInAst(n));
  const renamed = mapSchema(schema, {
    [MapperKind.TYPE]: (type) => {
      const config = type.toConfig() as { astNode?: ASTNode | null; extensionASTNodes?: readonly ASTNode[]; name: string };
      const astNodes = { astNode: renameInAst(config.astNode), extensionASTNodes: renameInAsts(config.extensionASTNodes) ?? [] };
      const name = renames.get(type.name) ?? type.name;
      if (isObjectType(type)) return new GraphQLObjectType({ ...type.toConfig(), ...(astNodes as object), name });
      if (isInputObjectType(type)) return new GraphQLInputObjectType({ ...type.toConfig(), ...(astNodes as object), name });
      if (isInterfaceType(type)) return new GraphQLInterfaceType({ ...type.toConfig(), ...(astNodes as object), name });
      return type;
    },
    [MapperKind.FIELD]: (field) => ({ ...field, astNode: renameInAst(field.astNode) }) as typeof field,
  });
  return renamed;
}

/** `_service { sdl }` is computed when the schema is built; after the changes above, answer with the schema as it now is. */
export function refreshServiceSdl(schema: GraphQLSchema): GraphQLSchema {
  const serviceField = schema.getQueryType()?.getFields()["_service"];
  if (serviceField) {
    const sdl = printSubgraphSchema(schema);
    serviceField.resolve = () => ({ sdl });
  }
  return schema;
}

const shareableDirective: ConstDirectiveNode = { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: "shareable" } };

/**
 * Marks the aggregate result types that @neo4j/graphql generates alike in every subgraph as
 * @shareable. It marks most itself, but not all (DateTimeAggregateSelection, for one), and
 * composition refuses a non-shareable field that several subgraphs resolve.
 */
export function shareAggregateSelections(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      const astNode = type.astNode;
      if (!type.name.endsWith("AggregateSelection") || !astNode) return type;
      if (astNode.directives?.some((d) => d.name.value === "shareable")) return type;
      return new GraphQLObjectType({ ...type.toConfig(), astNode: { ...astNode, directives: [...(astNode.directives ?? []), shareableDirective] } });
    },
  });
}

/**
 * Puts back the field-level @shareable of the schema files, which @neo4j/graphql drops from @node
 * types (it keeps only type-level ones). Fields such as Organisation.name are shareable so that a
 * subgraph which reads them along with its own data answers without the gateway asking their owner.
 */
export function restoreShareableFields(schema: GraphQLSchema, typeDefs: DocumentNode): GraphQLSchema {
  const shareableFields = new Set<string>();
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) {
      if (field.directives?.some((d) => d.name.value === "shareable")) shareableFields.add(`${definition.name.value}.${field.name.value}`);
    }
  }
  if (shareableFields.size === 0) return schema;
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const astNode = field.astNode;
      if (!shareableFields.has(`${typeName}.${fieldName}`) || !astNode || astNode.directives?.some((d) => d.name.value === "shareable")) return field;
      return { ...field, astNode: { ...astNode, directives: [...(astNode.directives ?? []), shareableDirective] } };
    },
  });
}

/**
 * Marks @inaccessible the root fields @neo4j/graphql generates for the stubs (`servicesOrganisationReferences`
 * and its connection): they exist so that `_entities` resolves a stub's representations with one query
 * (subgraph-kit/batched-entities.ts), not for clients, who read the type from its owner. The root fields the type
 * definitions declare themselves (`stagePeople`, whose edges' nodes are Person stubs) are the subgraph's
 * own API and stay visible.
 */
export function hideStubRootFields(schema: GraphQLSchema, stubs: readonly string[], typeDefs?: DocumentNode): GraphQLSchema {
  if (stubs.length === 0) return schema;
  const declared = new Set(
    (typeDefs?.definitions ?? []).flatMap((d) =>
      d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === "Query" ? (d.fields ?? []).map((f) => f.name.value) : [],
    ),
  );
  const inaccessible: ConstDirectiveNode = { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: "inaccessible" } };
  const readsStub = (type: GraphQLOutputType): boolean => {
    const named = getNamedType(type);
    if (stubs.includes(named.name)) return true;
    // A connection: { edges: [{ node: Stub }] }.
    const edges = isObjectType(named) ? named.getFields()["edges"] : undefined;
    const node = edges && isObjectType(getNamedType(edges.type)) ? (getNamedType(edges.type) as GraphQLObjectType).getFields()["node"] : undefined;
    return node !== undefined && stubs.includes(getNamedType(node.type).name);
  };
  return mapSchema(schema, {
    [MapperKind.ROOT_OBJECT]: (type) => {
      if (type.name !== schema.getQueryType()?.name) return type;
      const config = type.toConfig();
      for (const field of Object.values(config.fields)) {
        if (readsStub(field.type) && field.astNode && !declared.has(field.astNode.name.value))
          field.astNode = { ...field.astNode, directives: [...(field.astNode.directives ?? []), inaccessible] };
      }
      return new GraphQLObjectType(config);
    },
  });
}
