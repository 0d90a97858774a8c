/**
 * The most items a document could make the subgraphs produce, counted as GitHub counts its API's
 * nodes: each list may give as many items as the server would give for it, once for every item of
 * each list around it.
 *
 * A list's size is what the subgraph really applies, not what the client wrote:
 * - @neo4j/graphql's lists (`limit`) and connections (`first`, on their `edges`): the type's
 *   `@limit(default: 100, max: 1000)`, so unset or 0 is 100 and more than 1000 is 1000
 *   (OperationsFactory.getOptions, ConnectionFactory.getConnectionOptions);
 * - the @cypher lists (`limit: Int = 100`) clamp at 1000 in their Cypher;
 * - the analysis pages (`first: Int = 20`, …) refuse more than their maximum (subgraph-kit/connection.ts);
 * - a list with no size argument gives what the graph holds: the hand-written analysis answers'
 *   per-stage and per-person lists (a stage's responsibilities, a person's professions) as 25, at
 *   most 22 on the demo graph; any other as the default page.
 *
 * graphql-armor's cost gives a nested list no more weight than a field, and no weight to `limit`:
 * `{ organisations(limit: 1000) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }`
 * is cost 60 and fanned out to 1.37 million nodes, which took the organisations subgraph out of memory
 * ten at once. Counted here it is 10^7 items.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  getVariableValues,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  valueFromAST,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

/** @neo4j/graphql's `@limit(default: 100, max: 1000)` on every type, and the @cypher lists' clamp. */
const defaultListSize = 100;
const maxListSize = 1000;
/** The analysis types' lists without a size: one service's stages, one stage's or one person's share of the graph. */
const computedListSize = 25;
const computedTypes = new Set([
  "Journey",
  "JourneyStage",
  "StageResponsibility",
  "StagePersonEdge",
  "Handoff",
  "Gap",
  "ServiceHandoffs",
  "OrganisationLink",
  "DepartmentMatrix",
  "Path",
  "AuditEvent",
]);

/** Arguments that size a list (or, on a page, its edges). */
const sizeArguments = ["limit", "first", "last"] as const;
/** Arguments that must not be negative: a negative SKIP or LIMIT is a Cypher error, not a page. */
const countArguments = new Set(["limit", "offset", "first", "last", "peoplePerStage", "evidencePerKind"]);

/**
 * Fields whose size the subgraph decides otherwise: the analysis pages' maximum `first`
 * (subgraph-kit/connection.ts `pageOf`), the journey's people per stage, and lists the resolvers cut.
 * `argument` sizes the field (or the `edges` below it); without one, `max` is the list's own size;
 * `perKind`: four kinds of evidence, `evidencePerKind` (default 5) of each, as the root field asked.
 */
const fieldSizes: Record<string, { argument?: string; default?: number; max: number; perKind?: boolean }> = {
  "Query.organisationLinks": { argument: "first", max: 200 },
  "Query.brokers": { argument: "first", max: 100 },
  "Query.auditTrail": { argument: "first", max: 200 },
  "Query.journey": { argument: "peoplePerStage", max: 100 },
  "Query.stagePeople": { argument: "first", max: 100 },
  "Query.handoffs": { argument: "first", max: 500 },
  "Query.servicesByHandoffs": { argument: "first", max: 500 },
  "Query.gaps": { argument: "first", max: 500 },
  "Query.search": { argument: "first", max: 100 },
  // subgraphs/people/resolvers/network.ts keeps ten; subgraphs/organisations/resolvers/links.ts up to 20 of each of four kinds.
  "Broker.sample": { max: 10 },
  "OrganisationLink.evidence": { max: 80, perKind: true },
  // 2 to 50 organisations, and a link for each pair (subgraphs/organisations/resolvers/links.ts).
  "DepartmentMatrix.organisations": { max: 50 },
  "DepartmentMatrix.links": { max: 1225 },
};

/** A refusal of a size argument the servers could not use: BAD_USER_INPUT, status 400, naming the argument. */
function badArgument(field: FieldNode, argument: string, value: number): GraphQLError {
  return new GraphQLError(`"${argument}" of "${field.alias?.value ?? field.name.value}" must not be negative; it was ${value}.`, {
    nodes: [field],
    extensions: { code: "BAD_USER_INPUT", argument, http: { status: 400 } },
  });
}

interface Counting {
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  typeOf: (name: string) => GraphQLCompositeType | undefined;
  visiting: Set<string>;
  refusals: GraphQLError[];
  /** `evidencePerKind` of the root field being counted. */
  evidencePerKind: number;
}

/** The argument's value in this request: a literal, a variable's value or the schema's default. */
function argumentValue(field: FieldNode, definition: GraphQLField<unknown, unknown>, name: string, counting: Counting): number | undefined {
  const argument = definition.args.find((a) => a.name === name);
  if (!argument) return undefined;
  const node: ArgumentNode | undefined = field.arguments?.find((a) => a.name.value === name);
  const value = node ? valueFromAST(node.value, argument.type, counting.variables) : argument.defaultValue;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The size the server gives a sized field: unset or 0 its default, more than its maximum its maximum. */
function sizeOf(field: FieldNode, definition: GraphQLField<unknown, unknown>, parent: GraphQLCompositeType, counting: Counting): number | undefined {
  for (const name of definition.args.map((a) => a.name)) {
    if (!countArguments.has(name)) continue;
    const value = argumentValue(field, definition, name, counting);
    if (value !== undefined && value < 0) counting.refusals.push(badArgument(field, name, value));
  }
  const rule = fieldSizes[`${parent.name}.${field.name.value}`];
  const perKind = argumentValue(field, definition, "evidencePerKind", counting);
  if (perKind !== undefined) counting.evidencePerKind = Math.max(0, perKind);
  if (rule?.perKind) return Math.min(4 * counting.evidencePerKind, rule.max);
  const names = rule?.argument ? [rule.argument] : sizeArguments.filter((name) => definition.args.some((a) => a.name === name));
  if (names.length === 0) return rule?.max;
  const max = rule?.max ?? maxListSize;
  const given = names.map((name) => argumentValue(field, definition, name, counting)).find((value) => value !== undefined && value > 0);
  const fallback =
    rule?.default ??
    names.map((name) => definition.args.find((a) => a.name === name)?.defaultValue).find((v): v is number => typeof v === "number" && v > 0) ??
    defaultListSize;
  return Math.min(given ?? fallback, max);
}

/**
 * The items a selection set may give when its parent is repeated `times` times. `pageSize` is the
 * size a page field above asked for, given to the first `edges` list below it.
 */
function itemsOf(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, times: number, pageSize: number | undefined, counting: Counting): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      if (!definition) continue;
      const isList = isListType(getNullableType(definition.type));
      const size = sizeOf(selection, definition, parent, counting);
      let count = times;
      let below = pageSize;
      if (isList) {
        const edges = size === undefined && selection.name.value === "edges" ? pageSize : undefined;
        count = times * (size ?? edges ?? (computedTypes.has(parent.name) ? computedListSize : defaultListSize));
        if (edges !== undefined) below = undefined;
        total += count;
      } else if (size !== undefined) {
        below = size;
      }
      const named = getNamedType(definition.type);
      if (selection.selectionSet && isCompositeType(named)) total += itemsOf(selection.selectionSet, named, count, below, counting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? counting.typeOf(selection.typeCondition.name.value) : parent;
      if (type) total += itemsOf(selection.selectionSet, type, times, pageSize, counting);
    } else {
      const fragment = counting.fragments[selection.name.value];
      const type = fragment && counting.typeOf(fragment.typeCondition.name.value);
      // A fragment spread within itself is refused by validation already; here it must not loop.
      if (!fragment || !type || counting.visiting.has(fragment.name.value)) continue;
      counting.visiting.add(fragment.name.value);
      total += itemsOf(fragment.selectionSet, type, times, pageSize, counting);
      counting.visiting.delete(fragment.name.value);
    }
  }
  return total;
}

export interface ListItemsCount {
  /** The most list items each operation of the document may give, by operation (the anonymous one as ""). */
  items: Map<string, number>;
  /** Size arguments the servers cannot use (negative), each a BAD_USER_INPUT error. */
  badArguments: GraphQLError[];
}

/** Counts each operation's list items at worst, with the request's variables. */
export function countListItems(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}): ListItemsCount {
  const counting: Counting = {
    fragments: Object.fromEntries(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    ),
    variables,
    typeOf: (name) => {
      const type = schema.getType(name);
      return type && isCompositeType(type) ? type : undefined;
    },
    visiting: new Set(),
    refusals: [],
    evidencePerKind: 5,
  };
  const items = new Map<string, number>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation);
    if (!root) continue;
    // With the operation's own defaults (`$n: Int = 1000`), as execution will see them.
    const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], variables);
    counting.variables = coerced.coerced ?? variables;
    items.set(definition.name?.value ?? "", itemsOf(definition.selectionSet, root, 1, undefined, counting));
  }
  return { items, badArguments: counting.refusals };
}

const tooMany = (items: number, max: number) =>
  new GraphQLError(
    `This document may ask for ${items.toLocaleString("en-GB")} list items, more than the ${max.toLocaleString("en-GB")} this API answers: ` +
      "give nested lists smaller limits, or ask for fewer lists inside lists.",
    { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
  );

/** Why the document would be refused (a negative size, more than `max` list items at worst); empty when it would not. */
export function listItemsRefusals(schema: GraphQLSchema, document: DocumentNode, max: number, variables: Record<string, unknown> = {}): GraphQLError[] {
  const { items, badArguments } = countListItems(schema, document, variables);
  if (badArguments.length > 0) return badArguments;
  return [...items.values()].filter((n) => n > max).map((n) => tooMany(n, max));
}

/** The list items of the operation a request runs (its operationName, or its only one). */
export function operationItems(count: ListItemsCount, operationName: string | undefined | null): number {
  return count.items.get(operationName ?? "") ?? (count.items.size === 1 ? [...count.items.values()][0]! : 0);
}

interface ExecutionArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  contextValue?: unknown;
}

const countsByContext = new WeakMap<object, { document: DocumentNode; count: ListItemsCount; items: number }>();

/** The count of the operation a request executes, made once for it (the bound and the rate limit both ask). */
export function executionListItems(args: ExecutionArgs): { count: ListItemsCount; items: number } {
  const key = args.contextValue ?? args;
  const known = countsByContext.get(key);
  if (known?.document === args.document) return known;
  const count = countListItems(args.schema, args.document, args.variableValues ?? {});
  const counted = { document: args.document, count, items: operationItems(count, args.operationName) };
  countsByContext.set(key, counted);
  return counted;
}

/**
 * Refuses, before anything runs, an operation that may ask for more than `max` list items or with
 * a negative size. At execution, not validation: the runtime caches a document's validation, and
 * `limit: $n` counts as what $n is in each request.
 */
export function useMaxListItems(max: number): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const { count, items } = executionListItems(args);
      if (count.badArguments.length > 0) setResultAndStopExecution({ errors: count.badArguments });
      else if (items > max) setResultAndStopExecution({ errors: [tooMany(items, max)] });
    },
  };
}
