/**
 * Filters and sorts over people, refused to callers who may not read people's names.
 *
 * @neo4j/graphql checks a type's READ rules where the type is returned, not where it is filtered on:
 * `communities(where: { members: { some: { name: { startsWith: "A" } } } })` would tell an anonymous
 * caller, letter by letter, who the members are. So any argument that reaches a personal filter or sort
 * input type (the subgraph's policy names them: `PersonWhere`, `ServicesPersonWhere`, `PersonSort`…),
 * inline or through a variable, needs the reader role.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import {
  Kind,
  TypeInfo,
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { hasRole, requireRole, type Viewer } from "../platform/caller.js";

/** The first Person filter or sort type a value of this input type reaches, or undefined. */
function personFilterIn(value: unknown, type: GraphQLInputType, personal: RegExp): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (isNonNullType(type)) return personFilterIn(value, type.ofType, personal);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const found = personFilterIn(item, type.ofType, personal);
      if (found) return found;
    }
    return undefined;
  }
  if (!isInputObjectType(type) || typeof value !== "object") return undefined;
  if (personal.test(type.name)) return type.name;
  const fields = type.getFields();
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = fields[key];
    const found = field ? personFilterIn(fieldValue, field.type, personal) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The first Person filter or sort type the operation's arguments reach, written inline or passed as variables. */
export function personFilterInOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  personal: RegExp,
): string | undefined {
  const typeInfo = new TypeInfo(schema);
  let found: string | undefined;
  const check = () => {
    const type = typeInfo.getInputType();
    if (!found && type && isInputObjectType(getNamedType(type)) && personal.test(getNamedType(type).name)) found = getNamedType(type).name;
  };
  // Fragments are visited where they are defined; their arguments count as much as the operation's.
  for (const definition of document.definitions) {
    if (definition !== operation && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Argument: check,
        ObjectField: check,
        Variable(node) {
          const type = typeInfo.getInputType();
          if (!found && type) found = personFilterIn(variables[node.name.value], type, personal);
        },
      }),
    );
    if (found) return found;
  }
  return found;
}

/** Refuses, before anything runs, an operation that filters or sorts by people for a caller who may not read them. */
export function personalFilterGuard<TContext extends { viewer: Viewer | undefined }>(personal: RegExp): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, schema, document, operation, request }) {
          if (!operation || hasRole(contextValue.viewer, "reader")) return;
          const found = personFilterInOperation(schema, document, operation, request.variables ?? {}, personal);
          if (found) requireRole(contextValue.viewer, "reader", `Filtering or sorting by people (${found})`);
        },
      };
    },
  };
}
