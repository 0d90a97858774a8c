/**
 * `_entities` in one Cypher query per entity type, instead of @neo4j/graphql's one query (and one
 * session) per representation (DESIGN.md, fact 5): the representations of a type become one read of
 * the type's own root field, `where: { id: { in: [...] } }`, with the selection the gateway asked for.
 * Types with no root field of their own (the stubs) keep the generated per-reference resolution.
 */
import {
  Kind,
  print,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  getNamedType,
  isListType,
  isNonNullType,
  type SelectionNode,
  type VariableDefinitionNode,
  visit,
} from "graphql";
import { runOwnQuery } from "./own-queries.js";

interface Representation {
  __typename: string;
  id?: unknown;
  [key: string]: unknown;
}

/** For each entity type, the root list field that reads it by a filter on id (Organisation → organisations). */
export function rootFieldsByType(schema: GraphQLSchema): Map<string, string> {
  const roots = new Map<string, string>();
  for (const [name, field] of Object.entries(schema.getQueryType()?.getFields() ?? {})) {
    const listType = isNonNullType(field.type) ? field.type.ofType : field.type;
    if (!isListType(listType) || !field.args.some((a) => a.name === "where") || !field.args.some((a) => a.name === "limit")) continue;
    roots.set(getNamedType(field.type).name, name);
  }
  return roots;
}

/** The selections under `_entities` that apply to one type. */
function selectionFor(typeName: string, info: GraphQLResolveInfo): SelectionNode[] {
  const applies = (s: SelectionNode) =>
    s.kind === Kind.INLINE_FRAGMENT
      ? !s.typeCondition || s.typeCondition.name.value === typeName
      : s.kind === Kind.FRAGMENT_SPREAD
        ? info.fragments[s.name.value]?.typeCondition.name.value === typeName
        : true;
  return info.fieldNodes.flatMap((f) => f.selectionSet?.selections ?? []).filter(applies);
}

/**
 * What some selections of the current operation need to run as an operation of their own: the
 * fragments they spread and the definitions of the variables they use. The gateway batches several
 * fetches into one operation, so the operation may define variables these selections never use.
 */
export function dependenciesOf(
  selections: readonly SelectionNode[],
  info: GraphQLResolveInfo,
): { fragments: FragmentDefinitionNode[]; variables: VariableDefinitionNode[] } {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (nodes: readonly SelectionNode[]) => {
    for (const node of nodes) {
      if (node.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = info.fragments[node.name.value];
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          collect(fragment.selectionSet.selections);
        }
      } else if (node.selectionSet) {
        collect(node.selectionSet.selections);
      }
    }
  };
  collect(selections);
  const fragments = [...used.values()];
  const variableNames = new Set<string>();
  for (const node of [...selections, ...fragments])
    visit(node, {
      Variable: (v) => {
        variableNames.add(v.name.value);
      },
    });
  const variables = (info.operation.variableDefinitions ?? []).filter((v) => variableNames.has(v.variable.name.value));
  return { fragments, variables };
}

/** Replaces the schema's `_entities` resolver with the batched one; the generated one serves the stubs. */
export function batchEntityResolution(schema: GraphQLSchema): GraphQLSchema {
  const entities = schema.getQueryType()?.getFields()["_entities"];
  if (!entities?.resolve) return schema;
  const perReference = entities.resolve as GraphQLFieldResolver<unknown, unknown, { representations: Representation[] }>;
  const roots = rootFieldsByType(schema);

  entities.resolve = async (source, args: { representations: Representation[] }, context, info) => {
    const found = new Map<Representation, unknown>();
    const byType = new Map<string, Representation[]>();
    for (const r of args.representations) byType.set(r.__typename, [...(byType.get(r.__typename) ?? []), r]);

    for (const [typeName, representations] of byType) {
      const root = roots.get(typeName);
      if (!root || representations.some((r) => typeof r.id !== "string")) {
        const resolved = (await perReference(source, { representations }, context, info)) as unknown[];
        representations.forEach((r, i) => found.set(r, resolved[i]));
        continue;
      }
      const ids = [...new Set(representations.map((r) => r.id as string))];
      const byId = await readByIds(root, selectionFor(typeName, info), ids, info, context);
      for (const r of representations) {
        const item = byId.get(r.id as string);
        found.set(r, item ? { __typename: typeName, ...item } : null);
      }
    }
    return args.representations.map((r) => found.get(r) ?? null);
  };
  return schema;
}

/**
 * Reads the nodes with these ids through a root list field (`root`, from rootFieldsByType), with the
 * selections of the current operation, in one query on the schema being served (so every step after
 * the caller's applies to it: schema.ts); each node by its id, without it where not asked for.
 */
export async function readByIds(
  root: string,
  selections: readonly SelectionNode[],
  ids: readonly string[],
  info: GraphQLResolveInfo,
  context: unknown,
): Promise<Map<string, Record<string, unknown>>> {
  const document = readByIdsText(root, selections, info);
  const result = await runOwnQuery(info.schema, document, context, { ...info.variableValues, __ids: ids, __limit: ids.length });
  const [error] = result.errors ?? [];
  if (error) throw error;
  const items = (result.data?.["__items"] ?? []) as { __id: string }[];
  return new Map(items.map(({ __id, ...item }) => [__id, item]));
}

/**
 * The texts readByIds ran, per operation, root field and selection nodes: a document the subgraph keeps
 * (Apollo's document store) gives the same nodes on every request, and so the same text, printed once.
 */
const readByIdsTexts = new WeakMap<OperationDefinitionNode, { root: string; selections: readonly SelectionNode[]; text: string }[]>();
const maxTextsPerOperation = 50;

function readByIdsText(root: string, selections: readonly SelectionNode[], info: GraphQLResolveInfo): string {
  const kept = readByIdsTexts.get(info.operation) ?? [];
  const same = kept.find((k) => k.root === root && k.selections.length === selections.length && k.selections.every((s, i) => s === selections[i]));
  if (same) return same.text;
  const { fragments, variables } = dependenciesOf(selections, info);
  const text = `query ($__ids: [ID!]!, $__limit: Int${variables.map((v) => `, ${print(v)}`).join("")}) {
    __items: ${root}(where: { id: { in: $__ids } }, limit: $__limit) { __id: id ${selections.map((s) => print(s)).join(" ")} }
  }
  ${fragments.map((f) => print(f)).join("\n")}`;
  if (kept.length < maxTextsPerOperation) readByIdsTexts.set(info.operation, [...kept, { root, selections, text }]);
  return text;
}
