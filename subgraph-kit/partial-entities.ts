/**
 * Entities that a hand-written resolver returns carry only the fields its Cypher read (an
 * organisation's id and name, say). @neo4j/graphql's field resolvers only read what its own query
 * put on the object, so any other field asked of such an entity (its `stages`, its `source`) would
 * come back null. This wraps the field resolvers of every @node type: a field missing from the object
 * is fetched for all objects of that type and selection at once, through the type's root list field
 * (by id, as batched `_entities` reads it, without going through `_entities` first) or, for a type with
 * none, through the subgraph's own `_entities`, then read as usual.
 */
import { defaultFieldResolver, Kind, print, type DocumentNode, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema, isObjectType } from "graphql";
import { dependenciesOf, readByIds, rootFieldsByType } from "./batched-entities.js";
import { runOwnQuery } from "./own-queries.js";

type Source = Record<string, unknown> & { id?: unknown };

function hasField(source: Source, info: GraphQLResolveInfo): boolean {
  const alias = info.fieldNodes[0]?.alias?.value;
  return Object.hasOwn(source, info.fieldName) || (alias !== undefined && Object.hasOwn(source, alias));
}

interface Batch {
  ids: Set<string>;
  loaded: Promise<Map<string, Source>>;
}

/** Each selection node printed once: a document the subgraph keeps gives the same nodes on every request. */
const printedNodes = new WeakMap<FieldNode, string>();
function printed(node: FieldNode): string {
  let text = printedNodes.get(node);
  if (text === undefined) printedNodes.set(node, (text = print(node)));
  return text;
}

export function completePartialEntities(schema: GraphQLSchema, nodeTypeNames: readonly string[]): GraphQLSchema {
  // One batch per request, type and field selection, gathering the ids its resolvers ask for in one tick.
  const batches = new WeakMap<object, Map<string, Batch>>();
  const roots = rootFieldsByType(schema);

  /** The missing field for these ids, read through the type's root list field or, without one, `_entities`. */
  async function read(typeName: string, ids: Set<string>, info: GraphQLResolveInfo, context: object): Promise<Map<string, Source>> {
    const selections = info.fieldNodes;
    const root = roots.get(typeName);
    if (root) return readByIds(root, selections, [...ids], info, context);
    const { fragments, variables } = dependenciesOf(selections, info);
    const document = `query ($__representations: [_Any!]!${variables.map((v) => `, ${print(v)}`).join("")}) {
      _entities(representations: $__representations) { ... on ${typeName} { __partialId: id ${selections.map((s) => print(s)).join(" ")} } }
    }
    ${fragments.map((f) => print(f)).join("\n")}`;
    const representations = [...ids].map((entityId) => ({ __typename: typeName, id: entityId }));
    // The schema being served, so the query runs through every step after this one (schema.ts).
    const result = await runOwnQuery(info.schema, document, context, { ...info.variableValues, __representations: representations });
    const [error] = result.errors ?? [];
    if (error) throw error;
    const entities = (result.data?.["_entities"] ?? []) as ((Source & { __partialId: string }) | null)[];
    return new Map(entities.filter((e) => e !== null).map((e) => [e.__partialId, e]));
  }

  async function fetchMissing(typeName: string, id: string, info: GraphQLResolveInfo, context: object): Promise<Source | undefined> {
    const selections = info.fieldNodes;
    const key = `${typeName}|${selections.map(printed).join(" ")}`;
    const perRequest = batches.get(context) ?? new Map<string, Batch>();
    batches.set(context, perRequest);
    let batch = perRequest.get(key);
    if (!batch) {
      const ids = new Set<string>();
      const loaded = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        perRequest.delete(key);
        return read(typeName, ids, info, context);
      });
      batch = { ids, loaded };
      perRequest.set(key, batch);
    }
    batch.ids.add(id);
    return (await batch.loaded).get(id);
  }

  for (const typeName of nodeTypeNames) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.name === "id" || field.name.startsWith("__")) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source: Source, args, context: object, info) => {
        if (!source || hasField(source, info) || typeof source.id !== "string") return resolve(source, args, context, info);
        return fetchMissing(typeName, source.id, info, context).then((fetched) => (fetched ? resolve(fetched, args, context, info) : null));
      };
    }
  }
  return schema;
}

/** The object types a subgraph's type definitions mark with @node. */
export function nodeTypeNames(document: DocumentNode): string[] {
  return document.definitions.flatMap((d) =>
    d.kind === Kind.OBJECT_TYPE_DEFINITION && d.directives?.some((x) => x.name.value === "node") ? [d.name.value] : [],
  );
}
