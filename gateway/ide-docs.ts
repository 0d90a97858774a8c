/**
 * The IDE's docs open on the questions people come with. GraphiQL lists the Query's fields in the
 * order introspection gives them, and the runtime gives them subgraph by subgraph, so the journey came
 * 22nd, after the generated lists of people and posts. Introspection answers list these first; nothing
 * else changes, and the schema itself is untouched.
 */
import { Kind, type DocumentNode, type ExecutionResult } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

/** In the order the docs list them: a journey first, then the lists and analyses around it. */
export const questions = [
  "journey",
  "search",
  "stagePeople",
  "handoffs",
  "gaps",
  "servicesByHandoffs",
  "servicesIn",
  "serviceCounts",
  "ownershipScorecard",
  "organisationLinks",
  "departmentMatrix",
  "brokers",
  "path",
  "changes",
  "countsOverTime",
  "auditTrail",
];

const rank = (field: { name: string }) => {
  const at = questions.indexOf(field.name);
  return at === -1 ? questions.length : at;
};

interface IntrospectedSchema {
  queryType?: { name: string } | null;
  types?: { name: string; fields?: { name: string }[] | null }[];
}

/** The introspection answer with the Query's questions first (a stable sort: the rest keep their order). */
export function questionsFirst(result: ExecutionResult): ExecutionResult {
  const schema = (result.data as { __schema?: IntrospectedSchema } | null | undefined)?.__schema;
  const query = schema?.types?.find((type) => type.name === (schema.queryType?.name ?? "Query"));
  if (query?.fields) query.fields = [...query.fields].sort((a, b) => rank(a) - rank(b));
  return result;
}

export function useQuestionsFirstInDocs(): GatewayPlugin {
  return {
    onExecute({ args }) {
      // An IDE's introspection asks for __schema at the top of its operation.
      const asksForSchema = (args.document as DocumentNode).definitions.some(
        (definition) =>
          definition.kind === Kind.OPERATION_DEFINITION &&
          definition.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value === "__schema"),
      );
      if (!asksForSchema) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) setResult(questionsFirst(result));
        },
      };
    },
  };
}
