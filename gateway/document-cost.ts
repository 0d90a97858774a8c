/**
 * A document's cost: its breadth, as graphql-armor's cost limit weighs it (a leaf 1, a field with a
 * selection 2, each level below weighted by 1.5, fragments flattened), but without multiplying by a
 * literal `first` or `last`. armor multiplied only literals, so `handoffs(first: 9999)` was refused
 * for its cost naming no argument while `first: $n` ran; how many items the lists give is the
 * list-items count's to bound (gateway/list-items.ts), with the request's variables, and a size above
 * a list's maximum is refused there as BAD_USER_INPUT naming the argument.
 */
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

const leafCost = 1;
const objectCost = 2;
const depthFactor = 1.5;

/** The cost of a selection set, its fragments flattened; a fragment spread inside itself counts once (validation refuses it). */
function selectionCost(set: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | null | undefined, visiting: Set<string>): number {
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      // The IDE's introspection query is the schema's size, not the caller's.
      if (selection.name.value === "__schema") continue;
      cost += selection.selectionSet ? objectCost + depthFactor * selectionCost(selection.selectionSet, fragment, visiting) : leafCost;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += selectionCost(selection.selectionSet, fragment, visiting);
    } else {
      const definition = fragment(selection.name.value);
      if (!definition || visiting.has(definition.name.value)) continue;
      visiting.add(definition.name.value);
      cost += selectionCost(definition.selectionSet, fragment, visiting);
      visiting.delete(definition.name.value);
    }
  }
  return cost;
}

/** Refuses an operation whose cost is above `maxCost`, with a message that names both. */
export function documentCostRule(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const cost = Math.round(selectionCost(operation.selectionSet, (name) => context.getFragment(name), new Set()));
      if (cost > maxCost) {
        context.reportError(
          new GraphQLError(
            `This document's cost (its fields, weighted by depth) is ${cost.toLocaleString("en-GB")}, more than the ${maxCost.toLocaleString("en-GB")} this API accepts: ask for fewer fields.`,
            { nodes: [operation] },
          ),
        );
      }
    },
  });
}

export function useDocumentCost(maxCost: number): GatewayPlugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(documentCostRule(maxCost));
    },
  };
}
