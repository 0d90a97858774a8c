/**
 * One mutation field per request. Hive Gateway sends each mutation root field to its subgraph as a
 * request of its own, even two fields of one subgraph, and a subgraph stores each request's changes
 * all together or not at all (subgraph-kit/mutations/audit.ts): so a second field refused after the first was stored
 * would leave the first stored. Refused before anything runs instead (docs/adr/0006).
 */
import { GraphQLError, Kind, OperationTypeNode, type ASTVisitor, type SelectionSetNode, type ValidationContext } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

export const oneMutationFieldMessage =
  "A mutation may have one field: the gateway sends each field to its subgraph as a request of its own, so several could not be stored all together or not at all. " +
  "Send each change as a request of its own (one field's input is a list, so it can create, change or delete many nodes at once).";

/** The root fields a selection can run, fragments spread, __typename aside; @skip and @include counted as if they ran, so the rule needs no variables. */
function rootFieldCount(selectionSet: SelectionSetNode, context: ValidationContext, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === "__typename" ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(selection.selectionSet, context, seen);
    else if (!seen.has(selection.name.value)) {
      // A fragment spread twice runs its fields once.
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += rootFieldCount(fragment.selectionSet, context, seen);
    }
  }
  return count;
}

export function oneMutationFieldRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      if (operation.operation !== OperationTypeNode.MUTATION || rootFieldCount(operation.selectionSet, context) <= 1) return;
      context.reportError(new GraphQLError(oneMutationFieldMessage, { nodes: [operation], extensions: { code: "BAD_USER_INPUT" } }));
    },
  };
}

export function useOneMutationField(): GatewayPlugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(oneMutationFieldRule);
    },
  };
}
