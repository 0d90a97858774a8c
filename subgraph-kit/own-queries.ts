/**
 * Documents the subgraph writes and runs on itself (batched `_entities`, partial entities), parsed and
 * validated once per text instead of on every call: the same client selection makes the same text,
 * and `graphql()` would parse and validate it against the whole schema each time before Cypher runs.
 */
import { execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";

/** The texts kept per schema: they come from documents the gateway signed, within its limits, so a few hundred cover every selection in use. */
const maxDocuments = 500;
const prepared = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();

function preparedDocument(schema: GraphQLSchema, source: string): DocumentNode | ExecutionResult {
  let bySource = prepared.get(schema);
  if (!bySource) prepared.set(schema, (bySource = new Map<string, DocumentNode>()));
  const kept = bySource.get(source);
  if (kept) return kept;
  const document = parse(source);
  const errors = validate(schema, document);
  if (errors.length > 0) return { errors };
  if (bySource.size >= maxDocuments) bySource.delete(bySource.keys().next().value!);
  bySource.set(source, document);
  return document;
}

/** As `graphql()`, on the schema being served, with the document parsed and validated once. */
export async function runOwnQuery(
  schema: GraphQLSchema,
  source: string,
  contextValue: unknown,
  variableValues: Record<string, unknown>,
): Promise<ExecutionResult> {
  const document = preparedDocument(schema, source);
  if (!("kind" in document)) return document;
  return execute({ schema, document, contextValue, variableValues });
}
