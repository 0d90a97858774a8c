/**
 * A value written in the document that does not fit its argument's type is refused as the same value
 * given in a variable is: BAD_USER_INPUT, naming the argument and where in it the value sits.
 *
 * graphql-js refuses both, but differently: a variable's value when execution coerces it
 * (`Variable "$status" got invalid value "live"; …`, BAD_USER_INPUT), a literal in validation
 * (ValuesOfCorrectTypeRule: `Enum "OrganisationStatus" cannot represent non-enum value: "live".`,
 * GRAPHQL_VALIDATION_FAILED), naming neither the argument nor the field. The rule's errors point at
 * the value's node; from it this finds the field's argument and the path inside the argument's input
 * object, and says them. Other validation errors (an unknown field, a misspelt input field) stay
 * GraphQL's own.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { BREAK, GraphQLError, Kind, print, visit, type ASTNode, type DocumentNode, type ValueNode } from "graphql";

const valueKinds: ReadonlySet<string> = new Set([Kind.ENUM, Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOLEAN, Kind.NULL, Kind.LIST, Kind.OBJECT]);

const isValueNode = (node: ASTNode | undefined): node is ValueNode => node !== undefined && valueKinds.has(node.kind);

export interface LiteralPlace {
  /** The field whose argument holds the value, as the document names it (not its alias). */
  field: string;
  argument: string;
  /** From the argument down to the value: input fields' names and list indices (`where.status.eq`, `lanes[0]`). */
  path: string;
}

/** Where the value sits: in which field's argument, and where inside it; undefined when not in a field's argument. */
export function literalPlace(document: DocumentNode, value: ValueNode): LiteralPlace | undefined {
  let place: LiteralPlace | undefined;
  visit(document, {
    enter(node, _key, parent, path, ancestors) {
      if (node !== value) return undefined;
      // `ancestors` leaves out the parent.
      const chain = [...ancestors, parent, node].filter((a): a is ASTNode => a !== undefined && !Array.isArray(a));
      const argumentAt = chain.findLastIndex((a) => a.kind === Kind.ARGUMENT);
      const argument = chain[argumentAt];
      const field = chain[argumentAt - 1];
      if (argument?.kind !== Kind.ARGUMENT || field?.kind !== Kind.FIELD) return BREAK;
      let text = argument.name.value;
      // `path` holds the keys from the document down; below the argument, a list value's items are numbered.
      const keys = path.slice(path.lastIndexOf("arguments") + 2);
      let at: ASTNode = argument;
      for (const key of keys) {
        at = (at as unknown as Record<string | number, ASTNode>)[key]!;
        if (at.kind === Kind.OBJECT_FIELD) text += `.${at.name.value}`;
        else if (typeof key === "number" && isValueNode(at)) text += `[${key}]`;
      }
      place = { field: field.name.value, argument: argument.name.value, path: text };
      return BREAK;
    },
  });
  return place;
}

/** The refusal of a literal that does not fit its argument, or undefined for any other validation error. */
export function literalRefusal(document: DocumentNode, error: GraphQLError): GraphQLError | undefined {
  const node = error.nodes?.[0];
  // A scalar's own refusal (a date that is not one) is BAD_USER_INPUT already, but names no argument.
  if (error.nodes?.length !== 1 || !isValueNode(node) || error.extensions["argument"] !== undefined) return undefined;
  const place = literalPlace(document, node);
  if (!place) return undefined;
  const at = place.path === place.argument ? "" : ` at "${place.path}"`;
  return new GraphQLError(`Argument "${place.argument}" of "${place.field}" got invalid value ${print(node)}${at}; ${error.message}`, {
    nodes: node,
    extensions: { code: "BAD_USER_INPUT", argument: place.argument, http: { status: 400 } },
  });
}

export function useLiteralsRefusedAsVariables(): GatewayPlugin {
  return {
    onValidate({ params }) {
      // The runtime's document and errors are graphql-js's, typed loosely by the plugin interface.
      const document = params.documentAST as DocumentNode;
      return ({ valid, result, setResult }) => {
        if (valid) return;
        setResult((result as readonly GraphQLError[]).map((error) => literalRefusal(document, error) ?? error));
      };
    },
  };
}
