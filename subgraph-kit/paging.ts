/**
 * The paging arguments of every field, checked and made explicit before @neo4j/graphql reads them.
 *
 * @neo4j/graphql takes `limit: 0` and `first: 0` as "no limit", sends negative values and forged
 * cursors to Neo4j (a database error), and answers `hasNextPage: false` whenever `first` was not
 * given, although its @limit default cut the page; more than the maximum it cuts to the maximum
 * without a word. It translates a root field's whole selection from its resolve info, so nested
 * arguments cannot be changed in resolver arguments alone: each root field's selection is rewritten
 * with every `limit` and `first` as the literal number that will be used (0 or none: the default;
 * more than the maximum is refused, BAD_USER_INPUT naming the argument), and nested connection
 * resolvers get the same `first`, from which pageInfo is computed.
 */
import type { IResolvers } from "@graphql-tools/utils";
import {
  GraphQLError,
  Kind,
  getArgumentValues,
  getNamedType,
  isObjectType,
  isInterfaceType,
  type ArgumentNode,
  type FieldDefinitionNode,
  type GraphQLArgument,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import { describe } from "./descriptions.js";

export interface ListBounds {
  default: number;
  max: number;
}

/** Lists of a @node type without its own @limit get the project's usual bounds, never none. */
export const fallbackBounds: ListBounds = { default: 100, max: 1000 };

/** The bounds of each @node type in the type definitions: its @limit, or the fallback. */
export function listBoundsByType(document: DocumentNode): Map<string, ListBounds> {
  const bounds = new Map<string, ListBounds>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || !definition.directives?.some((d) => d.name.value === "node")) continue;
    const limit = definition.directives.find((d) => d.name.value === "limit");
    const intArgument = (name: string) => {
      const value = limit?.arguments?.find((a) => a.name.value === name)?.value;
      return value?.kind === Kind.INT ? Number(value.value) : undefined;
    };
    const max = intArgument("max") ?? fallbackBounds.max;
    bounds.set(definition.name.value, { default: Math.min(intArgument("default") ?? fallbackBounds.default, max), max });
  }
  return bounds;
}

/** How a field's paging arguments are read: a generated (or @cypher) list or connection of nodes, or a hand-written page. */
type FieldPaging =
  { kind: "nodes"; size: "limit" | "first"; bounds: ListBounds; connection: boolean } | { kind: "custom"; sizes: { name: string; default: number }[] };

const relayCursorPrefix = "arrayconnection:";

/** Whether `after` is a cursor @neo4j/graphql made: base64 of "arrayconnection:<offset>". */
export function isNodeCursor(cursor: string): boolean {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  if (Buffer.from(text, "utf8").toString("base64") !== cursor || !text.startsWith(relayCursorPrefix)) return false;
  const offset = text.slice(relayCursorPrefix.length);
  return /^\d{1,15}$/.test(offset);
}

function badArgument(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", argument } });
}

/** Names a value in a message without echoing a whole hostile string back. */
const shown = (value: unknown) => (typeof value === "string" ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value));

/** What the bounds apply to: each @node type's bounds, and the fields with hand-written resolvers ("Query.journey"). */
export interface ArgumentBounds {
  lists: Map<string, ListBounds>;
  handWritten: ReadonlySet<string>;
}

function pagingOf(parent: string, field: GraphQLField<unknown, unknown>, { lists: bounds, handWritten }: ArgumentBounds): FieldPaging | undefined {
  const argument = (name: string) => field.args.find((a) => a.name === name);
  const named = getNamedType(field.type);
  const sizeName = argument("limit") ? "limit" : argument("first") ? "first" : undefined;
  if (sizeName && !handWritten.has(`${parent}.${field.name}`)) {
    const own = bounds.get(named.name);
    const edges = isObjectType(named) ? named.getFields()["edges"] : undefined;
    const node = edges && isObjectType(getNamedType(edges.type)) ? (getNamedType(edges.type) as GraphQLObjectType).getFields()["node"] : undefined;
    const ofNodes = own ?? (node ? bounds.get(getNamedType(node.type).name) : undefined);
    if (ofNodes) {
      // A @cypher list's own default (`limit: Int = 100`) is its default, with the same maximum.
      const declared = argument(sizeName)?.defaultValue;
      const defaultSize = typeof declared === "number" && declared > 0 ? Math.min(declared, ofNodes.max) : ofNodes.default;
      return { kind: "nodes", size: sizeName, bounds: { default: defaultSize, max: ofNodes.max }, connection: !own };
    }
  }
  // Hand-written pages: their resolvers check the range; 0 means the declared default here too.
  const sizes = field.args
    .filter((a) => ["limit", "first", "peoplePerStage"].includes(a.name) && typeof a.defaultValue === "number" && a.defaultValue > 0)
    .map((a) => ({ name: a.name, default: a.defaultValue as number }));
  return sizes.length > 0 ? { kind: "custom", sizes } : undefined;
}

/** pagingOf of each field, worked out once per field and bounds: every request's selection asks again. */
const pagingKept = new WeakMap<ArgumentBounds, WeakMap<GraphQLField<unknown, unknown>, FieldPaging | null>>();
function keptPagingOf(parent: string, field: GraphQLField<unknown, unknown>, bounds: ArgumentBounds): FieldPaging | undefined {
  let byField = pagingKept.get(bounds);
  if (!byField) pagingKept.set(bounds, (byField = new WeakMap()));
  let paging = byField.get(field);
  if (paging === undefined) byField.set(field, (paging = pagingOf(parent, field, bounds) ?? null));
  return paging ?? undefined;
}

/** The arguments a field (named as `Type.field`, or just the root field) will run with, or the BAD_USER_INPUT error for the first out of range. */
function boundedArguments(fieldName: string, paging: FieldPaging, args: Record<string, unknown>): Record<string, unknown> {
  const result = { ...args };
  if (paging.kind === "custom") {
    for (const { name, default: defaultSize } of paging.sizes) {
      const value = args[name];
      if (typeof value === "number" && value < 0)
        throw badArgument(`"${name}" of ${fieldName} must not be negative; it was ${value} (0 or none gives the default, ${defaultSize}).`, name);
      if (value === 0 || value === null) result[name] = defaultSize;
    }
    return result;
  }
  const { size, bounds } = paging;
  const value = args[size];
  if (typeof value === "number" && (value < 0 || value > bounds.max)) {
    throw badArgument(`"${size}" of ${fieldName} must be from 0 to ${bounds.max}; it was ${value} (0 or none gives the default, ${bounds.default}).`, size);
  }
  result[size] = typeof value === "number" && value > 0 ? value : bounds.default;
  const after = args["after"];
  if (paging.connection && typeof after === "string" && !isNodeCursor(after)) {
    throw badArgument(`"after" of ${fieldName} is not a cursor this API gave (${shown(after)}): pass an edge's cursor or pageInfo.endCursor.`, "after");
  }
  return result;
}

const intArgument = (name: string, value: number): ArgumentNode => ({
  kind: Kind.ARGUMENT,
  name: { kind: Kind.NAME, value: name },
  value: { kind: Kind.INT, value: String(value) },
});

/** The field's argument nodes with the bounded sizes written in as literals. */
function rewrittenArguments(node: FieldNode, paging: FieldPaging, bounded: Record<string, unknown>): ArgumentNode[] {
  const names = paging.kind === "nodes" ? [paging.size] : paging.sizes.map((s) => s.name);
  const kept = (node.arguments ?? []).filter((a) => !names.includes(a.name.value));
  return [...kept, ...names.flatMap((name) => (typeof bounded[name] === "number" ? [intArgument(name, bounded[name])] : []))];
}

/**
 * A copy of the selections with every paging argument checked and bounded, and of the fragments
 * they spread; throws the BAD_USER_INPUT error of the first argument out of range.
 */
class SelectionBounds {
  readonly fragments: Record<string, FragmentDefinitionNode> = {};
  /** Whether a paging argument was a variable: otherwise the same nodes give the same copy on every request. */
  usesVariables = false;

  private readonly schema: GraphQLSchema;
  private readonly bounds: ArgumentBounds;
  private readonly info: GraphQLResolveInfo;
  constructor(schema: GraphQLSchema, bounds: ArgumentBounds, info: GraphQLResolveInfo) {
    this.schema = schema;
    this.bounds = bounds;
    this.info = info;
  }

  field(node: FieldNode, parent: GraphQLNamedType): FieldNode {
    if (!isObjectType(parent) && !isInterfaceType(parent)) return node;
    const definition = parent.getFields()[node.name.value];
    if (!definition) return node;
    const paging = keptPagingOf(parent.name, definition, this.bounds);
    let args = node.arguments;
    if (paging) {
      const read = new Set(paging.kind === "nodes" ? [paging.size, "after"] : paging.sizes.map((size) => size.name));
      if (node.arguments?.some((a) => read.has(a.name.value) && a.value.kind === Kind.VARIABLE)) this.usesVariables = true;
      const bounded = boundedArguments(`${parent.name}.${definition.name}`, paging, getArgumentValues(definition, node, this.info.variableValues));
      args = rewrittenArguments(node, paging, bounded);
    }
    const selectionSet = node.selectionSet ? this.selectionSet(node.selectionSet, getNamedType(definition.type)) : undefined;
    return { ...node, ...(args ? { arguments: args } : {}), ...(selectionSet ? { selectionSet } : {}) };
  }

  selectionSet(set: SelectionSetNode, parent: GraphQLNamedType): SelectionSetNode {
    return {
      ...set,
      selections: set.selections.map((selection) => {
        if (selection.kind === Kind.FIELD) return this.field(selection, parent);
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          const type = selection.typeCondition ? (this.schema.getType(selection.typeCondition.name.value) ?? parent) : parent;
          return { ...selection, selectionSet: this.selectionSet(selection.selectionSet, type) };
        }
        this.fragment(selection.name.value);
        return selection;
      }),
    };
  }

  private fragment(name: string): void {
    const fragment = this.info.fragments[name];
    if (!fragment || this.fragments[name]) return;
    // Marked first: a fragment that spreads itself is invalid, but must not loop here.
    this.fragments[name] = fragment;
    const type = this.schema.getType(fragment.typeCondition.name.value);
    if (type) this.fragments[name] = { ...fragment, selectionSet: this.selectionSet(fragment.selectionSet, type) };
  }
}

type Resolver = GraphQLFieldResolver<unknown, unknown, Record<string, unknown>>;

/**
 * Checks and bounds the paging arguments of every root field's selection (limit, first, after), so @neo4j/graphql translates only bounded, valid values, and gives nested connections the
 * same `first`, so their `hasNextPage` is true whenever the page was cut.
 */
export function boundListArguments(schema: GraphQLSchema, bounds: ArgumentBounds): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      if (!field.resolve) continue;
      const resolve = field.resolve as Resolver;
      const paging = pagingOf(root.name, field, bounds);
      const type = getNamedType(field.type);
      // The bounded copy of each selection whose paging arguments are all written in the document, by its first node.
      const kept = new WeakMap<FieldNode, { of: readonly FieldNode[]; fieldNodes: FieldNode[]; fragments: Record<string, FragmentDefinitionNode> }>();
      field.resolve = (source, args: Record<string, unknown>, context, info) => {
        const first = info.fieldNodes[0]!;
        let copy = kept.get(first);
        if (!copy || copy.of.length !== info.fieldNodes.length || !copy.of.every((node, i) => node === info.fieldNodes[i])) {
          const selection = new SelectionBounds(schema, bounds, info);
          const fieldNodes = info.fieldNodes.map((node) =>
            node.selectionSet ? { ...node, selectionSet: selection.selectionSet(node.selectionSet, type) } : node,
          );
          copy = { of: info.fieldNodes, fieldNodes, fragments: { ...info.fragments, ...selection.fragments } };
          if (!selection.usesVariables) kept.set(first, copy);
        }
        const bounded = paging ? boundedArguments(field.name, paging, args) : args;
        return resolve(source, bounded, context, { ...info, fieldNodes: copy.fieldNodes, fragments: copy.fragments });
      };
    }
  }
  // Nested connections compute pageInfo from their resolver's own `first` (the document's, not the rewritten one).
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type === schema.getQueryType() || type === schema.getMutationType() || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const paging = pagingOf(type.name, field, bounds);
      if (!field.resolve || paging?.kind !== "nodes" || !paging.connection) continue;
      const resolve = field.resolve as Resolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) =>
        resolve(source, boundedArguments(`${type.name}.${field.name}`, paging, args), context, info);
    }
  }
  return schema;
}

/** "Type.field" of each hand-written resolver: their pages and cursors are their own (subgraph-kit/connection.ts). */
export function handWrittenFields(resolvers: IResolvers | undefined): Set<string> {
  return new Set(Object.entries(resolvers ?? {}).flatMap(([type, fields]) => Object.keys(fields).map((field) => `${type}.${field}`)));
}

/** The rule for a size argument, as its description says it: "50 by default (and for 0), at most 500; more is refused." */
export const sizeRule = (defaultSize: number, max: number): string =>
  `${defaultSize.toLocaleString("en-GB")} by default (and for 0), at most ${max.toLocaleString("en-GB")}; more is refused.`;

/** The cursor connection beside a generated list (`organisations` → `organisationsConnection`), if its type has one. */
export function connectionBeside(type: GraphQLObjectType, list: string): string | undefined {
  const name = `${list}Connection`;
  return type.getFields()[name] ? name : undefined;
}

/**
 * Writes each generated list's bounds into the description of its size argument (`limit`, or a
 * connection's `first`), as the hand-written pages' descriptions give theirs, so the IDE shows every
 * list's default and maximum, and points a list's `limit` to the connection beside it for paging.
 * Before the subgraph's SDL is printed for the gateway.
 */
export function describeListBounds(schema: GraphQLSchema, bounds: ArgumentBounds): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const paging = pagingOf(type.name, field, bounds);
      if (paging?.kind !== "nodes") continue;
      const argument = field.args.find((a) => a.name === paging.size);
      if (!argument || argument.description) continue;
      const what = paging.connection ? "How many edges a page holds" : "How many to give";
      const connection = paging.connection ? undefined : connectionBeside(type, field.name);
      const paged = connection ? ` To page through them, use \`${connection}\` (\`first\`, \`after\`).` : "";
      describe(type, field.name, argument.name, `${what}: ${sizeRule(paging.bounds.default, paging.bounds.max)}${paged}`);
    }
  }
  return schema;
}

/**
 * One paging style: cursor connections (`first`, `after`), as the analyses' pages and the generated
 * connections have. The generated lists keep a bounded `limit`, for a first look; their `offset` is
 * removed, since each has a connection beside it that pages (before version 1, without a deprecation
 * cycle: CHANGELOG.md).
 */
export function removeListOffsets(schema: GraphQLSchema, bounds: ArgumentBounds): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const paging = pagingOf(type.name, field, bounds);
      if (paging?.kind !== "nodes" || paging.connection || !field.args.some((a) => a.name === "offset") || !connectionBeside(type, field.name)) continue;
      (field as { args: readonly GraphQLArgument[] }).args = field.args.filter((a) => a.name !== "offset");
      const onField = (node: FieldDefinitionNode) =>
        node.name.value === field.name ? { ...node, arguments: node.arguments?.filter((a) => a.name.value !== "offset") } : node;
      if (field.astNode) (field as { astNode: FieldDefinitionNode }).astNode = onField(field.astNode);
      if (type.astNode) type.astNode = { ...type.astNode, fields: type.astNode.fields?.map(onField) };
      type.extensionASTNodes = type.extensionASTNodes.map((node) => ({ ...node, fields: node.fields?.map(onField) }));
    }
  }
  return schema;
}
