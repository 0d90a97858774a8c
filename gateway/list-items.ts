/**
 * The most items a document could ask for, counted as GitHub counts its API's nodes: each list field
 * may give as many items as its `limit`, `first` or `last` asks for (100, the schema's default page,
 * when none is given), once for every item of each list around it.
 *
 * graphql-armor's cost gives a nested list no more weight than a field, and no weight to `limit`:
 * `{ organisations(limit: 1000) { parents { children(limit: 1000) { parents { children(limit: 1000)
 * { id } } } } } }` is 30 tokens, depth 6 and cost 60, and answered 45 MB that held a subgraph's
 * event loop for 4 s. Counted here it may be 10^13 items.
 */
import {
  GraphQLError, Kind, getNamedType, getNullableType, isCompositeType, isListType, isObjectType, isInterfaceType,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLSchema, type SelectionSetNode,
} from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

/** What a list without an explicit size gives: @neo4j/graphql's default page and the reverse fields' default limit. */
const defaultListSize = 100;
const sizeArguments = new Set(["limit", "first", "last"]);

function listSize(field: FieldNode, variables: Record<string, unknown>): number {
  for (const argument of field.arguments ?? []) {
    if (!sizeArguments.has(argument.name.value)) continue;
    const value = argument.value.kind === Kind.VARIABLE ? variables[argument.value.name.value] : argument.value.kind === Kind.INT ? Number(argument.value.value) : undefined;
    if (typeof value === "number" && Number.isFinite(value)) return Math.max(1, value);
  }
  return defaultListSize;
}

/** The items a selection set may give when its parent is repeated `times` times. */
function itemsOf(
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  times: number,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  typeOf: (name: string) => GraphQLCompositeType | undefined,
  visiting: Set<string>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      if (!definition) continue;
      const isList = isListType(getNullableType(definition.type));
      const count = isList ? times * listSize(selection, variables) : times;
      if (isList) total += count;
      const named = getNamedType(definition.type);
      if (selection.selectionSet && isCompositeType(named)) total += itemsOf(selection.selectionSet, named, count, fragments, variables, typeOf, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? typeOf(selection.typeCondition.name.value) : parent;
      if (type) total += itemsOf(selection.selectionSet, type, times, fragments, variables, typeOf, visiting);
    } else {
      const fragment = fragments[selection.name.value];
      const type = fragment && typeOf(fragment.typeCondition.name.value);
      // A fragment spread within itself is refused by validation already; here it must not loop.
      if (!fragment || !type || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      total += itemsOf(fragment.selectionSet, type, times, fragments, variables, typeOf, visiting);
      visiting.delete(fragment.name.value);
    }
  }
  return total;
}

/** Why each operation of the document would be refused (more than `max` list items at worst); empty when none is. */
export function listItemsRefusals(schema: GraphQLSchema, document: DocumentNode, max: number, variables: Record<string, unknown> = {}): GraphQLError[] {
  const typeOf = (name: string) => {
    const type = schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  };
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const refusals: GraphQLError[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation);
    if (!root) continue;
    const items = itemsOf(definition.selectionSet, root, 1, fragments, variables, typeOf, new Set());
    if (items <= max) continue;
    refusals.push(new GraphQLError(
      `This document may ask for ${items.toLocaleString("en-GB")} list items, more than the ${max.toLocaleString("en-GB")} this API answers: ` +
      "give nested lists smaller limits, or ask for fewer lists inside lists.",
      { nodes: [definition], extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
    ));
  }
  return refusals;
}

/**
 * Refuses, before anything runs, an operation that may ask for more than `max` list items. At
 * execution, not validation: the runtime caches a document's validation, and `limit: $n` counts as
 * what $n is in each request.
 */
export function useMaxListItems(max: number): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refusals = listItemsRefusals(args.schema, args.document, max, args.variableValues ?? {});
      if (refusals.length > 0) setResultAndStopExecution({ errors: refusals });
    },
  };
}
