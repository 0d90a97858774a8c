/**
 * The most items a document could make the subgraphs produce, counted as GitHub counts its API's
 * nodes: each list may give as many items as the server would give for it, once for every item of
 * each list around it.
 *
 * A list's size is what the subgraph really applies: unset or 0 its default, and a size above its
 * maximum is refused here (BAD_USER_INPUT naming the argument), whether written as a literal or a
 * variable, as the subgraphs refuse it (subgraph-kit/paging.ts, subgraph-kit/connection.ts):
 * - @neo4j/graphql's lists (`limit`) and connections (`first`, on their `edges`): the type's
 *   `@limit(default: 100, max: 1000)`;
 * - the @cypher lists (`limit: Int = 100`): the same maximum;
 * - the analysis pages (`first: Int = 20`, …): their own maximum, below;
 * - a list with no size argument gives what the graph holds: the hand-written analysis answers'
 *   per-stage and per-person lists (a stage's responsibilities, a person's professions) as 25, at
 *   most 22 on the demo graph; any other as the default page;
 * - a list of scalars (a service's `synonyms`, a state's `seenIn`) is a property read with its node,
 *   one item: it fans out no work, and only an import or an admin writes it. Counted as 100 it made
 *   the dashboard's service picker (500 services) cost 50,500 items, a sixth of a client's bucket.
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
  isLeafType,
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
import { whereRefusals } from "./filter-bounds.js";

/** @neo4j/graphql's `@limit(default: 100, max: 1000)` on every type, and the @cypher lists' clamp. */
const defaultListSize = 100;
const maxListSize = 1000;
/**
 * The analysis types' lists without a size: one service's stages, one stage's or one person's share of
 * the graph, one change's parents, successors or holders of a responsibility.
 */
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
  "Change",
]);

/** The most organisations departmentMatrix links pairwise (subgraphs/organisations/resolvers/links.ts). */
const maxMatrixOrganisations = 100;

/** Arguments that size a list (or, on a page, its edges). */
const sizeArguments = ["limit", "first", "last"] as const;
/** Arguments that must not be negative: a negative SKIP or LIMIT is a Cypher error, not a page. */
const countArguments = new Set(["limit", "first", "last", "peoplePerStage", "evidencePerKind"]);

/** The analysis pages, sized by `first`, by their maximum (subgraph-kit/connection.ts `pageOf`). */
const pagesUpTo: Record<number, string[]> = {
  100: ["Query.brokers", "Query.stagePeople", "Query.search", "Query.ownershipScorecard"],
  200: ["Query.organisationLinks", "Query.auditTrail", "Query.servicesIn"],
  500: ["Query.handoffs", "Query.servicesByHandoffs", "Query.gaps", "Query.serviceCounts", "Query.changes"],
};

/**
 * Fields whose size the subgraph decides otherwise: the analysis pages, the journey's people per
 * stage, and lists the resolvers cut.
 * `argument` sizes the field (or the `edges` below it); without one, `max` is the list's own size;
 * `perKind`: four kinds of evidence, `evidencePerKind` (default 5) of each, as the root field asked.
 */
const fieldSizes: Record<string, { argument?: string; default?: number; max: number; perKind?: boolean; matrix?: "organisations" | "pairs" }> = {
  ...Object.fromEntries(Object.entries(pagesUpTo).flatMap(([max, fields]) => fields.map((field) => [field, { argument: "first", max: Number(max) }]))),
  "Query.journey": { argument: "peoplePerStage", max: 100 },
  // A service's owners: a handful (the services list names one to three).
  "ServiceListing.owners": { max: 20 },
  // Three snapshot dates for each of 1 to 50 departments (subgraphs/organisations/resolvers/changes.ts).
  "Query.countsOverTime": { max: 150 },
  // subgraphs/people/resolvers/network.ts keeps ten; subgraphs/organisations/resolvers/links.ts up to 20 of each of four kinds.
  "Broker.sample": { max: 10 },
  "OrganisationLink.evidence": { max: 80, perKind: true },
  // The organisations the matrix names (2 to 100), and a link for each pair of them (subgraphs/organisations/resolvers/links.ts).
  "DepartmentMatrix.organisations": { max: maxMatrixOrganisations, matrix: "organisations" },
  "DepartmentMatrix.links": { max: (maxMatrixOrganisations * (maxMatrixOrganisations - 1)) / 2, matrix: "pairs" },
};

/** A refusal of a size argument the servers would not use: BAD_USER_INPUT, status 400, naming the argument and the field. */
function badArgument(field: FieldNode, argument: string, rule: string, value: number): GraphQLError {
  return new GraphQLError(`"${argument}" of "${field.alias?.value ?? field.name.value}" ${rule}; it was ${value}.`, {
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
  /** How many organisations the departmentMatrix being counted names (its maximum until it is read). */
  matrixOrganisations: number;
}

/** The argument's value in this request: a literal, a variable's value or the schema's default. */
function argumentValue(field: FieldNode, definition: GraphQLField<unknown, unknown>, name: string, counting: Counting): number | undefined {
  const argument = definition.args.find((a) => a.name === name);
  if (!argument) return undefined;
  const node: ArgumentNode | undefined = field.arguments?.find((a) => a.name.value === name);
  const value = node ? valueFromAST(node.value, argument.type, counting.variables) : argument.defaultValue;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The most examples of each kind of evidence a link gives (subgraphs/organisations/resolvers/links.ts). */
const maxEvidencePerKind = 20;

/** The distinct ids departmentMatrix's `organisationIds` names in this request; undefined when not given. */
function matrixOrganisationsOf(field: FieldNode, definition: GraphQLField<unknown, unknown>, counting: Counting): number | undefined {
  const argument = definition.args.find((a) => a.name === "organisationIds");
  const node = field.arguments?.find((a) => a.name.value === "organisationIds");
  const value: unknown = argument && node ? valueFromAST(node.value, argument.type, counting.variables) : undefined;
  return Array.isArray(value) ? new Set(value).size : undefined;
}

/** A list's size arguments (the first given wins), its default and its maximum, as the servers apply them. */
export interface SizeBounds {
  arguments: string[];
  default: number;
  max: number;
}

/** The size bounds of a field that takes a size argument; undefined for one that takes none. */
export function sizeBounds(parentName: string, definition: GraphQLField<unknown, unknown>): SizeBounds | undefined {
  const rule = fieldSizes[`${parentName}.${definition.name}`];
  if (rule?.perKind) return undefined;
  const names = rule?.argument ? [rule.argument] : sizeArguments.filter((name) => definition.args.some((a) => a.name === name));
  if (names.length === 0) return undefined;
  const declared = names.map((name) => definition.args.find((a) => a.name === name)?.defaultValue).find((v): v is number => typeof v === "number" && v > 0);
  return { arguments: names, default: rule?.default ?? declared ?? defaultListSize, max: rule?.max ?? maxListSize };
}

/** The size the server gives a sized field: unset or 0 its default; more than its maximum is refused. */
function sizeOf(field: FieldNode, definition: GraphQLField<unknown, unknown>, parent: GraphQLCompositeType, counting: Counting): number | undefined {
  for (const name of definition.args.map((a) => a.name)) {
    if (!countArguments.has(name)) continue;
    const value = argumentValue(field, definition, name, counting);
    if (value !== undefined && value < 0) counting.refusals.push(badArgument(field, name, "must not be negative", value));
  }
  const rule = fieldSizes[`${parent.name}.${field.name.value}`];
  const perKind = argumentValue(field, definition, "evidencePerKind", counting);
  if (perKind !== undefined && perKind > maxEvidencePerKind)
    counting.refusals.push(badArgument(field, "evidencePerKind", `must be from 0 to ${maxEvidencePerKind}`, perKind));
  if (perKind !== undefined) counting.evidencePerKind = Math.min(Math.max(0, perKind), maxEvidencePerKind);
  if (rule?.perKind) return Math.min(4 * counting.evidencePerKind, rule.max);
  if (parent.name === "Query" && field.name.value === "departmentMatrix") {
    const named = matrixOrganisationsOf(field, definition, counting);
    if (named !== undefined && named > maxMatrixOrganisations)
      counting.refusals.push(badArgument(field, "organisationIds", `must name 2 to ${maxMatrixOrganisations} organisations`, named));
    counting.matrixOrganisations = Math.min(named ?? maxMatrixOrganisations, maxMatrixOrganisations);
  }
  if (rule?.matrix === "organisations") return counting.matrixOrganisations;
  if (rule?.matrix === "pairs") return (counting.matrixOrganisations * (counting.matrixOrganisations - 1)) / 2;
  const bounds = sizeBounds(parent.name, definition);
  if (!bounds) return rule?.max;
  const given = bounds.arguments
    .map((name) => ({ name, value: argumentValue(field, definition, name, counting) }))
    .find((size): size is { name: string; value: number } => size.value !== undefined && size.value > 0);
  if (given && given.value > bounds.max) {
    counting.refusals.push(badArgument(field, given.name, `must be from 0 to ${bounds.max.toLocaleString("en-GB")}`, given.value));
  }
  return Math.min(given?.value ?? bounds.default, bounds.max);
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
      const named = getNamedType(definition.type);
      const isList = isListType(getNullableType(definition.type)) && !isLeafType(named);
      const size = sizeOf(selection, definition, parent, counting);
      // The walk that sizes each list reads every field's arguments as this request gives them: its filters are bounded here too.
      counting.refusals.push(...whereRefusals(selection, definition, counting.variables));
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
  /** Size arguments the servers would not use (negative, or above the list's maximum), each a BAD_USER_INPUT error. */
  badArguments: GraphQLError[];
  /** Variables that do not fit their types, by operation: graphql-js's own errors, naming each variable. */
  badVariables: Map<string, readonly GraphQLError[]>;
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
    matrixOrganisations: maxMatrixOrganisations,
  };
  const items = new Map<string, number>();
  const badVariables = new Map<string, readonly GraphQLError[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation);
    if (!root) continue;
    // With the operation's own defaults (`$n: Int = 1000`), as execution will see them.
    const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], variables);
    // Variables that do not fit their types: refused, naming each, before anything runs (useMaxListItems).
    if (!coerced.coerced) {
      items.set(definition.name?.value ?? "", 0);
      badVariables.set(definition.name?.value ?? "", coerced.errors);
      continue;
    }
    counting.variables = coerced.coerced;
    items.set(definition.name?.value ?? "", itemsOf(definition.selectionSet, root, 1, undefined, counting));
  }
  return { items, badArguments: counting.refusals, badVariables };
}

const tooMany = (items: number, max: number) =>
  new GraphQLError(
    `This document may ask for ${items.toLocaleString("en-GB")} list items, more than the ${max.toLocaleString("en-GB")} this API answers: ` +
      "give nested lists smaller limits, or ask for fewer lists inside lists.",
    { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } },
  );

/** Why the document would be refused (a size out of range, more than `max` list items at worst); empty when it would not. */
export function listItemsRefusals(schema: GraphQLSchema, document: DocumentNode, max: number, variables: Record<string, unknown> = {}): GraphQLError[] {
  const { items, badArguments } = countListItems(schema, document, variables);
  if (badArguments.length > 0) return badArguments;
  return [...items.values()].filter((n) => n > max).map((n) => tooMany(n, max));
}

/** The list items of the operation a request runs (its operationName, or its only one). */
export function operationItems(count: ListItemsCount, operationName: string | undefined | null): number {
  return count.items.get(operationName ?? "") ?? (count.items.size === 1 ? [...count.items.values()][0]! : 0);
}

/** The errors of the variables of the operation a request runs, if any do not fit their types. */
export function operationVariableErrors(count: ListItemsCount, operationName: string | undefined | null): readonly GraphQLError[] {
  return count.badVariables.get(operationName ?? "") ?? (count.items.size === 1 ? ([...count.badVariables.values()][0] ?? []) : []);
}

/** As graphql-js's execute refuses them: 400, BAD_USER_INPUT, the message naming the variable. */
const asRefusal = (error: GraphQLError) =>
  new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } });

interface ExecutionArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  contextValue?: unknown;
}

interface ExecutionCount {
  document: DocumentNode;
  count: ListItemsCount;
  items: number;
  /** Its variables' errors, when they do not fit their types. */
  badVariables: readonly GraphQLError[];
}

const countsByContext = new WeakMap<object, ExecutionCount>();

/** The count of the operation a request executes, made once for it (the bound and the rate limit both ask). */
export function executionListItems(args: ExecutionArgs): ExecutionCount {
  const key = args.contextValue ?? args;
  const known = countsByContext.get(key);
  if (known?.document === args.document) return known;
  const count = countListItems(args.schema, args.document, args.variableValues ?? {});
  const counted = {
    document: args.document,
    count,
    items: operationItems(count, args.operationName),
    badVariables: operationVariableErrors(count, args.operationName).map(asRefusal),
  };
  countsByContext.set(key, counted);
  return counted;
}

/**
 * Refuses, before anything runs, an operation whose variables do not fit their types, that may ask
 * for more than `max` list items, or with a size out of range. At execution, not validation: the
 * runtime caches a document's validation, and `limit: $n` counts as what $n is in each request.
 * The variables are checked here, with graphql-js's errors, because Hive Router's query planner
 * plans and sends them to the subgraphs without.
 */
export function useMaxListItems(max: number): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const { count, items, badVariables } = executionListItems(args);
      if (badVariables.length > 0) setResultAndStopExecution({ errors: badVariables });
      else if (count.badArguments.length > 0) setResultAndStopExecution({ errors: count.badArguments });
      else if (items > max) setResultAndStopExecution({ errors: [tooMany(items, max)] });
    },
  };
}
