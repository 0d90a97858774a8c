/**
 * What the generated mutations of a subgraph write, read from its type definitions: each @node
 * type's stored properties and relationships, and a walk over a mutation's arguments that says,
 * position by position, which node it creates, changes or names and through which relationship.
 * The validation (subgraph-kit/mutations/validation.ts) and the audit (subgraph-kit/mutations/audit.ts) both read the input
 * through it, so they agree on what a mutation touches.
 *
 * The shapes walked are @neo4j/graphql 7's generated inputs: `input` of createX, `where`/`update`
 * of updateX, `where`/`delete` of deleteX, and under a relationship field `connect`, `disconnect`,
 * `create`, `update` and `delete`, with nested `connect`/`disconnect`/`delete` inputs below those.
 */
import { getNamedType, Kind, type DocumentNode, type FieldDefinitionNode, type GraphQLSchema, type ObjectTypeDefinitionNode, type TypeNode } from "graphql";

export type NestedOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT" | "DISCONNECT";
const allNestedOperations: readonly NestedOperation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT", "DISCONNECT"];

export interface PropertyModel {
  name: string;
  /** The named GraphQL type: String, ID, Int, Float, Boolean, Date, DateTime or an enum. */
  type: string;
  list: boolean;
  /** Non-null in the type definitions. */
  required: boolean;
}

export interface RelationshipModel {
  field: string;
  /** The relationship type in the graph, for example WORKS_FOR. */
  type: string;
  direction: "IN" | "OUT";
  /** The node type at the other end. */
  target: string;
  /** The relationship's own properties (its @relationshipProperties type), empty when it has none. */
  properties: Map<string, PropertyModel>;
  nestedOperations: ReadonlySet<NestedOperation>;
}

export interface NodeModel {
  name: string;
  /** Its label in the graph: the type name (no type here renames it with @node(labels:)). */
  label: string;
  /** Stored properties only: no @cypher or relationship fields. */
  properties: Map<string, PropertyModel>;
  relationships: Map<string, RelationshipModel>;
}

export type GraphModel = Map<string, NodeModel>;

function unwrap(type: TypeNode): { name: string; list: boolean; required: boolean } {
  const required = type.kind === Kind.NON_NULL_TYPE;
  const inner = type.kind === Kind.NON_NULL_TYPE ? type.type : type;
  if (inner.kind === Kind.LIST_TYPE) return { name: unwrap(inner.type).name, list: true, required };
  return { name: inner.name.value, list: false, required };
}

const directive = (field: FieldDefinitionNode | ObjectTypeDefinitionNode, name: string) => field.directives?.find((d) => d.name.value === name);

function stringArgument(field: FieldDefinitionNode, directiveName: string, argument: string): string | undefined {
  const value = directive(field, directiveName)?.arguments?.find((a) => a.name.value === argument)?.value;
  return value?.kind === Kind.STRING || value?.kind === Kind.ENUM ? value.value : undefined;
}

/** The @node and @relationshipProperties types of a subgraph's type definitions. */
export function graphModel(document: DocumentNode): GraphModel {
  const objects = new Map(
    document.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION).map((d) => [d.name.value, d]),
  );
  const propertiesOf = (definition: ObjectTypeDefinitionNode) =>
    new Map(
      (definition.fields ?? [])
        .filter((f) => !directive(f, "cypher") && !directive(f, "relationship") && !directive(f, "customResolver") && !objects.has(unwrap(f.type).name))
        .map((f) => {
          const { name: type, list, required } = unwrap(f.type);
          return [f.name.value, { name: f.name.value, type, list, required }];
        }),
    );

  const model: GraphModel = new Map();
  for (const definition of objects.values()) {
    if (!directive(definition, "node")) continue;
    const relationships = new Map<string, RelationshipModel>();
    for (const field of definition.fields ?? []) {
      if (!directive(field, "relationship")) continue;
      const operations = directive(field, "relationship")!.arguments?.find((a) => a.name.value === "nestedOperations")?.value;
      const propertiesType = stringArgument(field, "relationship", "properties");
      relationships.set(field.name.value, {
        field: field.name.value,
        type: stringArgument(field, "relationship", "type")!,
        direction: stringArgument(field, "relationship", "direction") === "IN" ? "IN" : "OUT",
        target: unwrap(field.type).name,
        properties: propertiesType && objects.has(propertiesType) ? propertiesOf(objects.get(propertiesType)!) : new Map<string, PropertyModel>(),
        // @neo4j/graphql's default, when the argument is absent, is every operation.
        nestedOperations: new Set(
          operations?.kind === Kind.LIST ? operations.values.flatMap((v) => (v.kind === Kind.ENUM ? [v.value as NestedOperation] : [])) : allNestedOperations,
        ),
      });
    }
    model.set(definition.name.value, { name: definition.name.value, label: definition.name.value, properties: propertiesOf(definition), relationships });
  }
  return model;
}

export type MutationOperation = "create" | "update" | "delete";

export interface MutationTarget {
  operation: MutationOperation;
  node: NodeModel;
}

/** The generated Mutation fields of a schema (createPeople, updatePeople, …) with the node type each writes. */
export function mutationTargets(schema: GraphQLSchema, model: GraphModel): Map<string, MutationTarget> {
  const targets = new Map<string, MutationTarget>();
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const operation = (["create", "update", "delete"] as const).find((o) => field.name.startsWith(o));
    const argument = field.args.find((a) => a.name === (operation === "create" ? "input" : "where"));
    if (!operation || !argument) continue;
    const node = model.get(getNamedType(argument.type).name.replace(operation === "create" ? /CreateInput$/ : /Where$/, ""));
    if (node) targets.set(field.name, { operation, node });
  }
  return targets;
}

export type Input = Record<string, unknown>;

/** What the input does to a node at one position. */
export type NodeAction = "create" | "update" | "delete" | "connect" | "disconnect";

/** One position in a mutation's input where a node is created, changed or named. */
export interface NodePosition {
  node: NodeModel;
  action: NodeAction;
  /** Where the position is in the mutation's arguments (empty for the targets of a top-level update or delete). */
  path: string;
  /** The node's fields written (create, update), and where they are in the input. */
  fields?: { value: Input; path: string };
  /** The filter naming the node or nodes (update, delete, connect, disconnect); absent for a top-level update or delete without `where`. */
  filter?: { value: Input; path: string };
  /** How the position is reached from the one above it, with the relationship's properties written (connect, create) or changed (update). */
  via?: { relationship: RelationshipModel; edge?: { value: Input; path: string } };
  children: NodePosition[];
}

const isInput = (value: unknown): value is Input => typeof value === "object" && value !== null && !Array.isArray(value);
const inputs = (value: unknown): Input[] => (Array.isArray(value) ? value.filter(isInput) : isInput(value) ? [value] : []);
const part = (value: unknown, path: string) => (isInput(value) ? { value, path } : undefined);

/** The positions below a node's input object: one per relationship field operation it holds. */
function relationshipPositions(
  model: GraphModel,
  node: NodeModel,
  value: Input,
  path: string,
  mode: "create" | "update" | "connect" | "disconnect" | "delete",
): NodePosition[] {
  const positions: NodePosition[] = [];
  for (const [key, fieldValue] of Object.entries(value)) {
    const relationship = node.relationships.get(key);
    const target = relationship && model.get(relationship.target);
    if (!relationship || !target || fieldValue == null) continue;
    const at = `${path}.${key}`;
    const operations: [string, Input][] =
      mode === "create" && isInput(fieldValue) ? [[at, fieldValue]] : mode === "update" ? inputs(fieldValue).map((v, i) => [`${at}[${i}]`, v]) : [];
    for (const [operationsPath, ops] of operations) {
      const filtered = (action: "connect" | "disconnect" | "delete") =>
        inputs(ops[action]).forEach((item, i) =>
          positions.push(filteredPosition(action, model, target, relationship, item, `${operationsPath}.${action}[${i}]`)),
        );
      filtered("connect");
      filtered("disconnect");
      inputs(ops["create"]).forEach((item, i) =>
        positions.push(
          createPosition(model, target, item["node"], `${operationsPath}.create[${i}].node`, {
            relationship,
            edge: part(item["edge"], `${operationsPath}.create[${i}].edge`),
          }),
        ),
      );
      // `update` under a relationship is one object, not a list.
      for (const item of inputs(ops["update"])) {
        const itemPath = `${operationsPath}.update`;
        positions.push({
          node: target,
          action: "update",
          path: itemPath,
          fields: part(item["node"], `${itemPath}.node`) ?? { value: {}, path: `${itemPath}.node` },
          filter: part((item["where"] as Input | undefined)?.["node"], `${itemPath}.where.node`),
          via: { relationship, edge: part(item["edge"], `${itemPath}.edge`) },
          children: isInput(item["node"]) ? relationshipPositions(model, target, item["node"], `${itemPath}.node`, "update") : [],
        });
      }
      filtered("delete");
    }
    if (mode !== "create" && mode !== "update")
      inputs(fieldValue).forEach((item, i) => positions.push(filteredPosition(mode, model, target, relationship, item, `${at}[${i}]`)));
  }
  return positions;
}

function createPosition(model: GraphModel, node: NodeModel, value: unknown, path: string, via?: NodePosition["via"]): NodePosition {
  const fields = isInput(value) ? value : {};
  return {
    node,
    action: "create",
    path,
    fields: { value: fields, path },
    ...(via ? { via } : {}),
    children: relationshipPositions(model, node, fields, path, "create"),
  };
}

/** A connect, disconnect or delete of the nodes its `where.node` picks, with the operations of the same kind nested in it. */
function filteredPosition(
  action: "connect" | "disconnect" | "delete",
  model: GraphModel,
  node: NodeModel,
  relationship: RelationshipModel,
  item: Input,
  path: string,
): NodePosition {
  const nested = item[action];
  return {
    node,
    action,
    path,
    filter: part((item["where"] as Input | undefined)?.["node"], `${path}.where.node`),
    via: action === "connect" ? { relationship, edge: part(item["edge"], `${path}.edge`) } : { relationship },
    // A nested `connect` is a list of connect inputs of the node connected; a nested disconnect or delete is one object.
    children:
      action === "connect"
        ? inputs(nested).flatMap((each, i) => relationshipPositions(model, node, each, `${path}.connect[${i}]`, "connect"))
        : isInput(nested)
          ? relationshipPositions(model, node, nested, `${path}.${action}`, action)
          : [],
  };
}

/**
 * The top-level positions of one generated mutation: one per `input` item of a create, one for the
 * targets of an update or delete (with its nested operations as children).
 */
export function mutationPositions(model: GraphModel, target: MutationTarget, args: Input): NodePosition[] {
  const { node } = target;
  if (target.operation === "create") return inputs(args["input"]).map((item, i) => createPosition(model, node, item, `input[${i}]`));
  const filter = part(args["where"], "where");
  if (target.operation === "update") {
    const update = isInput(args["update"]) ? args["update"] : {};
    return [
      {
        node,
        action: "update",
        path: "",
        fields: { value: update, path: "update" },
        ...(filter ? { filter } : {}),
        children: relationshipPositions(model, node, update, "update", "update"),
      },
    ];
  }
  const cascade = isInput(args["delete"]) ? relationshipPositions(model, node, args["delete"], "delete", "delete") : [];
  return [{ node, action: "delete", path: "", ...(filter ? { filter } : {}), children: cascade }];
}

/** The ids a filter names outright (`id: { eq }` or `id: { in }`), with their paths; none for other filters. */
export function namedIds(filter: NodePosition["filter"]): { id: string; path: string }[] {
  const id = filter?.value["id"];
  if (!isInput(id)) return [];
  if (typeof id["eq"] === "string") return [{ id: id["eq"], path: `${filter!.path}.id.eq` }];
  if (Array.isArray(id["in"])) return id["in"].flatMap((value, i) => (typeof value === "string" ? [{ id: value, path: `${filter!.path}.id.in[${i}]` }] : []));
  return [];
}

/** Whether a filter is nothing but ids (`{ id: { eq } }` or `{ id: { in } }`), so that the ids alone say which nodes it matches. */
export function filtersOnlyByIds(filter: NodePosition["filter"]): boolean {
  if (!filter) return false;
  const keys = Object.keys(filter.value);
  const id = filter.value["id"];
  return keys.length === 1 && isInput(id) && Object.keys(id).length === 1 && namedIds(filter).length === (Array.isArray(id["in"]) ? id["in"].length : 1);
}

/** Every position of a tree, parents before children. */
export function flatten(positions: readonly NodePosition[]): NodePosition[] {
  return positions.flatMap((p) => [p, ...flatten(p.children)]);
}

/** Every position of a tree with the position it sits under (none for the top ones), parents before children. */
export function withParents(positions: readonly NodePosition[], parent?: NodePosition): { position: NodePosition; parent?: NodePosition }[] {
  return positions.flatMap((position) => [{ position, ...(parent ? { parent } : {}) }, ...withParents(position.children, position)]);
}
