/**
 * One `PageInfo` for every page in the API: the generated connections' and the hand-written analyses'.
 *
 * @neo4j/graphql generates `PageInfo` for its connections and refuses a schema that declares or even
 * names it ("Type or Interface with name `PageInfo` reserved…", its RESERVED_TYPE_NAMES). The schema
 * files declare it anyway (schema/shared.graphql, the same four fields, with descriptions) and the
 * analyses' pages use it by name; the library is handed that declaration under another name
 * (`withPageInfoStandIn`), and the schema step `serveOnePageInfo` points every field of the stand-in
 * at the generated type, which takes the declared descriptions, and drops the stand-in. The
 * generated type is @shareable in every subgraph, so the three subgraphs' pages compose into one.
 */
import { MapperKind, mapSchema } from "@graphql-tools/utils";
import {
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  Kind,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  print,
  visit,
  type ASTNode,
  type GraphQLOutputType,
  type NameNode,
  type GraphQLSchema,
} from "graphql";

const pageInfo = "PageInfo";
/** The name the library sees the declared PageInfo under: any name it does not reserve. */
export const pageInfoStandIn = "DeclaredPageInfo";

/** The AST with every reference to the type `from` (and its definition) renamed to `to`. */
function renamed<N extends ASTNode>(node: N, from: string, to: string): N {
  const rename = <T extends { name: NameNode }>(named: T) => (named.name.value === from ? { ...named, name: { ...named.name, value: to } } : undefined);
  return visit(node, { NamedType: rename, ObjectTypeDefinition: rename });
}

/** The type definitions with the declared `PageInfo`, and every reference to it, renamed to the stand-in. */
export function withPageInfoStandIn(typeDefs: string): string {
  return print(renamed(parse(typeDefs), pageInfo, pageInfoStandIn));
}

/** The same wrapping (non-null, list) around another named type. */
function rewrapped(type: GraphQLOutputType, named: GraphQLObjectType): GraphQLOutputType {
  if (isNonNullType(type)) return new GraphQLNonNull(rewrapped(type.ofType, named));
  if (isListType(type)) return new GraphQLList(rewrapped(type.ofType, named));
  return named;
}

/**
 * The generated `PageInfo` in place of the stand-in, everywhere, with the declared descriptions. Throws
 * when the declaration no longer has the generated type's fields: the two would then not be one type.
 */
export function serveOnePageInfo(schema: GraphQLSchema): GraphQLSchema {
  const declared = schema.getType(pageInfoStandIn);
  const generated = schema.getType(pageInfo);
  if (!declared) return schema;
  if (!isObjectType(declared) || !isObjectType(generated))
    throw new Error(`${pageInfoStandIn} is declared, but @neo4j/graphql generated no PageInfo to serve it`);
  const fieldsOf = (type: GraphQLObjectType) =>
    Object.values(type.getFields())
      .map((f) => `${f.name}: ${String(f.type)}`)
      .sort()
      .join(", ");
  if (fieldsOf(declared) !== fieldsOf(generated))
    throw new Error(`schema/shared.graphql's PageInfo (${fieldsOf(declared)}) is not @neo4j/graphql's (${fieldsOf(generated)})`);
  const declaredFields = declared.getFields();
  return mapSchema(schema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      if (type.name === pageInfoStandIn) return null;
      const config = type.toConfig();
      // Printers (printSubgraphSchema) read the type's AST, whose fields name the stand-in too.
      if (type.name !== pageInfo) {
        const astNode = config.astNode && renamed(config.astNode, pageInfoStandIn, pageInfo);
        return astNode === config.astNode ? type : new GraphQLObjectType({ ...config, astNode });
      }
      const description = (text: string | null | undefined) => (text ? ({ kind: Kind.STRING, value: text, block: false } as const) : undefined);
      const fields = Object.fromEntries(
        Object.entries(config.fields).map(([name, field]) => [
          name,
          {
            ...field,
            description: declaredFields[name]?.description,
            ...(field.astNode ? { astNode: { ...field.astNode, description: description(declaredFields[name]?.description) } } : {}),
          },
        ]),
      );
      return new GraphQLObjectType({
        ...config,
        description: declared.description,
        fields,
        ...(config.astNode ? { astNode: { ...config.astNode, description: description(declared.description) } } : {}),
      });
    },
    [MapperKind.OBJECT_FIELD]: (field) =>
      getNamedType(field.type).name === pageInfoStandIn
        ? { ...field, type: rewrapped(field.type, generated), ...(field.astNode ? { astNode: renamed(field.astNode, pageInfoStandIn, pageInfo) } : {}) }
        : field,
  });
}
