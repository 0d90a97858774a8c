/**
 * Descriptions for what @neo4j/graphql generates undescribed: the root fields (queries and mutations)
 * and the arguments of every list (`where`, `sort`, `after`, …), so that the IDE's docs say what each entry point does. Each is written where
 * every printer reads it: the schema object and the type's AST, from which the subgraph's SDL, and so
 * the supergraph, is printed.
 */
import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
} from "graphql";
import { mapSchema } from "@graphql-tools/utils";

type FieldNodes = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

/** The type's AST with one field's (or one of its arguments') description set. */
function withDescription<T extends FieldNodes>(node: T, fieldName: string, argumentName: string | undefined, text: string): T {
  const description = { kind: Kind.STRING, value: text, block: false } as const;
  return {
    ...node,
    fields: node.fields?.map((f) => {
      if (f.name.value !== fieldName) return f;
      if (!argumentName) return { ...f, description };
      return { ...f, arguments: f.arguments?.map((a) => (a.name.value === argumentName ? { ...a, description } : a)) };
    }),
  };
}

/** Sets a field's description, or one of its arguments', on the object and in the type's AST. */
export function describe(type: GraphQLObjectType, fieldName: string, argumentName: string | undefined, text: string): void {
  const field = type.getFields()[fieldName];
  const target = argumentName ? field?.args.find((a) => a.name === argumentName) : field;
  if (!target) return;
  target.description = text;
  if (target.astNode) (target as { astNode: unknown }).astNode = { ...target.astNode, description: { kind: Kind.STRING, value: text, block: false } };
  if (type.astNode) type.astNode = withDescription(type.astNode, fieldName, argumentName, text);
  type.extensionASTNodes = type.extensionASTNodes.map((node) => withDescription(node, fieldName, argumentName, text));
}

const argumentTexts: Record<string, string> = {
  where: "Which ones: a filter on their fields and relationships (all when not given).",
  sort: "The order, by one or more fields.",
  input: "What to create, with the relationships to make; the whole input is checked before anything is stored.",
  update: "What to change, with the relationships to connect and disconnect.",
  delete: "Related nodes to delete with them.",
  after: "A cursor this connection gave (an edge's `cursor` or `pageInfo.endCursor`): the page starts after it.",
};

/** What a generated root field does, from its name and the type it reads or writes; undefined for one of ours. */
function rootFieldText(root: "Query" | "Mutation", field: GraphQLField<unknown, unknown>): string | undefined {
  const named = getNamedType(field.type).name;
  if (root === "Query") {
    const nullable = isNonNullType(field.type) ? field.type.ofType : field.type;
    if (isListType(nullable))
      return `${named} nodes matching \`where\`, in the order of \`sort\`, at most \`limit\`; to page through them, \`${field.name}Connection\`.`;
    if (named.endsWith("Connection"))
      return `The same as a cursor connection: a page of edges (\`first\`, \`after\`), their \`totalCount\` and an \`aggregate\` of the nodes matching \`where\`.`;
    return undefined;
  }
  const change = /^(create|update|delete)/.exec(field.name)?.[1];
  if (!change) return undefined;
  const what = { create: "Creates", update: "Changes", delete: "Deletes" }[change];
  return `${what} the nodes ${change === "create" ? "given in `input`" : "matching `where`"} in one transaction with the request's other changes, each recorded in the audit trail; who may is set by the type's rules (a verified caller always).`;
}

/** A copy of the schema with the generated root fields described, and the generated arguments of every field. */
export function describeGeneratedFields(schema: GraphQLSchema, typeDefs: DocumentNode): GraphQLSchema {
  const copy = mapSchema(schema, {});
  // @neo4j/graphql builds Query anew and drops the description the schema file gives it.
  const query = copy.getQueryType();
  const written = typeDefs.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === "Query");
  if (query && written?.description && !query.description) {
    query.description = written.description.value;
    if (query.astNode) query.astNode = { ...query.astNode, description: written.description };
  }
  const roots = new Map([
    [copy.getQueryType(), "Query"],
    [copy.getMutationType(), "Mutation"],
  ] as const);
  for (const type of Object.values(copy.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("_")) continue;
    const root = roots.get(type);
    for (const field of Object.values(type.getFields())) {
      if (field.name.startsWith("_")) continue;
      const text = root && !field.description ? rootFieldText(root, field) : undefined;
      if (text) describe(type, field.name, undefined, text);
      for (const argument of field.args) {
        const argumentText = argumentTexts[argument.name];
        if (!argument.description && argumentText) describe(type, field.name, argument.name, argumentText);
      }
    }
  }
  return copy;
}
