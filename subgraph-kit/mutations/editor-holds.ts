/**
 * Holds an editor to the nodes of their own organisations when an update of theirs connects anything,
 * checked in the request's transaction before the change. The schema's @authorization says the same
 * (`when: [BEFORE]`), but @neo4j/graphql 7 leaves the updated node's rule out of a nested `connect`
 * (it keeps it for the update's properties, disconnects and deletes): an editor could connect another
 * organisation's person to their own organisation (or to its former employees) and the rule checked
 * after the change would then pass.
 */
import { GraphQLError, getNamedType, isListType, isNonNullType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import type { Driver } from "neo4j-driver";
import { hasRole } from "../../platform/caller.js";
import type { SubgraphContext } from "../context.js";
import { runOwnQuery } from "../own-queries.js";
import { flatten, mutationPositions, mutationTargets, type GraphModel, type Input } from "./input.js";
import { queryRunnerOf } from "./validation.js";

/** A Cypher predicate per node type on `n`, true when an editor of $organisations may change it. */
export type EditorHolds = Record<string, string>;

/** How many nodes one update by an editor that connects may match; each is checked. */
export const maxNodesAnEditorChanges = 1000;

/** The Query field that lists the type with a `where` of its own (`people(where: PersonWhere)`). */
function listFieldOf(schema: GraphQLSchema, typeName: string): string | undefined {
  return Object.values(schema.getQueryType()?.getFields() ?? {}).find((field) => {
    const type = isNonNullType(field.type) ? field.type.ofType : field.type;
    return isListType(type) && getNamedType(type).name === typeName && field.args.some((a) => getNamedType(a.type).name === `${typeName}Where`);
  })?.name;
}

export function holdEditorsToTheirOwn(schema: GraphQLSchema, options: { model: GraphModel; driver: Driver; holds: EditorHolds }): GraphQLSchema {
  const mutationType = schema.getMutationType();
  for (const [fieldName, target] of mutationTargets(schema, options.model)) {
    const hold = options.holds[target.node.name];
    const list = listFieldOf(schema, target.node.name);
    if (!hold || !list || target.operation !== "update") continue;
    const field = mutationType!.getFields()[fieldName]!;
    const resolve = field.resolve as GraphQLFieldResolver<unknown, SubgraphContext>;
    const matched = `query ($where: ${target.node.name}Where) { found: ${list}(where: $where, limit: ${maxNodesAnEditorChanges}) { id } }`;
    const outside = `UNWIND $ids AS id MATCH (n:\`${target.node.label}\` {id: id}) WHERE NOT (${hold}) RETURN n.id AS id LIMIT 1`;
    field.resolve = async (source, args: Input, context: SubgraphContext, info) => {
      // A nested update (a membership's edge, say) is left out of the rule as a connect is: held the same way.
      const connects = () => flatten(mutationPositions(options.model, target, args)).some((p) => p.action === "connect" || (p.action === "update" && p.via));
      if (hasRole(context.viewer, "admin") || !hasRole(context.viewer, "editor") || !connects()) return resolve(source, args, context, info);
      const result = await runOwnQuery(info.schema, matched, context, { where: args["where"] ?? {} });
      if (result.errors?.[0]) throw result.errors[0];
      const ids = ((result.data?.["found"] ?? []) as { id: string }[]).map((n) => n.id);
      if (ids.length >= maxNodesAnEditorChanges)
        throw new GraphQLError(`"where": an editor's change may match fewer than ${maxNodesAnEditorChanges} nodes; this one matches more.`, {
          extensions: { code: "BAD_USER_INPUT", field: "where" },
        });
      const { records } = await queryRunnerOf(context, options.driver)(outside, { ids, organisations: context.viewer?.organisations ?? [] });
      if (records.length > 0)
        throw new GraphQLError(`An editor changes only what belongs to their own organisations; this change names a ${target.node.name} that does not.`, {
          extensions: { code: "FORBIDDEN" },
        });
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
