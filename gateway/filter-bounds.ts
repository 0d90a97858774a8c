/**
 * How many relationships a `where` filters through. @neo4j/graphql turns each relationship filter
 * (`children: { all: … }`, `childrenConnection: { some: … }`) and each filter on a @cypher field
 * (`department: { … }`) into a subquery, and Neo4j plans every new shape of query before it runs it.
 * The plan's cost grows much faster than the filters: on the demo graph an `OR` of four one-level
 * `children: { all: … }` filters took 4 s to plan and 0.2 s to run once planned, an `OR` of four
 * two-level ones ran into the query timeout, and each new shape (another field, another order) plans
 * again. Within the limits on tokens and depth a client could send shapes enough to keep Neo4j
 * planning; bounding the filters bounds that work.
 */
import {
  GraphQLError,
  getNamedType,
  isInputObjectType,
  isListType,
  getNullableType,
  valueFromAST,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
} from "graphql";

/** The relationship filters one `where` may hold, and how many of them may be nested one inside another. */
export const maxRelationshipFilters = 3;
export const maxNestedRelationshipFilters = 2;

/** A relationship's or a connection's filters: @neo4j/graphql's input of `some`, `all`, `none` and `single`. */
const isRelationshipFilters = (type: GraphQLInputObjectType) => {
  const fields = type.getFields();
  return "some" in fields && "all" in fields && "none" in fields;
};
/** Inputs that combine or wrap filters on the same node: not a step to another one. */
const sameNode = new Set(["AND", "OR", "NOT", "node", "edge"]);

/** What a filter goes through: how many relationship filters in all, the deepest nesting, and their names. */
interface FilterShape {
  filters: number;
  nested: number;
  through: string[];
}

/** Walks a `where` value by its type without recursion (a literal's nesting is bounded only by its tokens). */
function shapeOf(value: unknown, type: GraphQLInputType): FilterShape {
  const shape: FilterShape = { filters: 0, nested: 0, through: [] };
  const stack: { value: unknown; type: GraphQLInputType; depth: number }[] = [{ value, type, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || item.value === undefined) continue;
    const nullable = getNullableType(item.type);
    if (isListType(nullable)) {
      if (Array.isArray(item.value)) for (const element of item.value as unknown[]) stack.push({ value: element, type: nullable.ofType, depth: item.depth });
      continue;
    }
    if (!isInputObjectType(nullable) || typeof item.value !== "object") continue;
    const fields = nullable.getFields();
    for (const [name, fieldValue] of Object.entries(item.value as Record<string, unknown>)) {
      const field = fields[name];
      const named = field && getNamedType(field.type);
      if (!field || !named || !isInputObjectType(named)) continue;
      const step = isRelationshipFilters(named) || (!sameNode.has(name) && named.name.endsWith("Where") && !isRelationshipFilters(nullable));
      const depth = item.depth + (step ? 1 : 0);
      if (step) {
        shape.filters++;
        shape.nested = Math.max(shape.nested, depth);
        shape.through.push(name);
      }
      stack.push({ value: fieldValue, type: field.type, depth });
    }
  }
  return shape;
}

/** A refusal for each `where` of the field that filters through more relationships than allowed. */
export function whereRefusals(field: FieldNode, definition: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): GraphQLError[] {
  const refusals: GraphQLError[] = [];
  for (const node of field.arguments ?? []) {
    const argument = definition.args.find((a) => a.name === node.name.value);
    if (!argument || !isInputObjectType(getNamedType(argument.type))) continue;
    const shape = shapeOf(valueFromAST(node.value, argument.type, variables), argument.type);
    if (shape.filters <= maxRelationshipFilters && shape.nested <= maxNestedRelationshipFilters) continue;
    const names = [...new Set(shape.through)].join(", ");
    refusals.push(
      new GraphQLError(
        `"${argument.name}" of "${field.alias?.value ?? field.name.value}" filters through ${shape.filters} relationships (${names}), ${shape.nested} nested: ` +
          `this API plans at most ${maxRelationshipFilters} in one filter, ${maxNestedRelationshipFilters} nested, in time. Filter through fewer, or ask in steps.`,
        { nodes: [field], extensions: { code: "BAD_USER_INPUT", argument: argument.name, http: { status: 400 } } },
      ),
    );
  }
  return refusals;
}
