/**
 * Answers a field aliased `then` like any other alias. The runtime's promise helpers take any
 * object with a `then` key for a promise (`value?.then != null`), so an answer object holding one
 * was awaited, and `{ then: organisations { id } }` failed with "Unexpected error". The alias runs
 * under a name the document uses nowhere else, and the answer and its errors' paths are given
 * `then` back.
 */
import { Kind, type ExecutionArgs, type GraphQLError, visit, type DocumentNode, type ExecutionResult } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";

type PromiseOrValue<T> = T | Promise<T>;

const promiseKey = "then";

/** What withoutThenAliases gave for each document: the runtime keeps parsed documents, so most come again. */
const rewrites = new WeakMap<DocumentNode, { document: DocumentNode; renamed: string } | null>();

/** withoutThenAliases, once per document object. */
function keptRewriteOf(document: DocumentNode): { document: DocumentNode; renamed: string } | undefined {
  let rewrite = rewrites.get(document);
  if (rewrite === undefined) rewrites.set(document, (rewrite = withoutThenAliases(document) ?? null));
  return rewrite ?? undefined;
}

/** The document with every `then` alias renamed, and the name it took; undefined when it has none. */
export function withoutThenAliases(document: DocumentNode): { document: DocumentNode; renamed: string } | undefined {
  const names = new Set<string>();
  let hasThen = false;
  visit(document, {
    Name: (node) => void names.add(node.value),
    Field: (node) => void (node.alias?.value === promiseKey && (hasThen = true)),
  });
  if (!hasThen) return undefined;
  let renamed = "then_";
  while (names.has(renamed)) renamed += "_";
  const renamedDocument = visit(document, {
    Field: (node) => (node.alias?.value === promiseKey ? { ...node, alias: { kind: Kind.NAME, value: renamed } } : undefined),
  });
  return { document: renamedDocument, renamed };
}

/** A value of the answer with `renamed` keys named `then` again (no other key can be `renamed`: the document uses it nowhere). */
function restoreKeys(value: unknown, renamed: string): unknown {
  if (Array.isArray(value)) return value.map((item) => restoreKeys(item, renamed));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key === renamed ? promiseKey : key, restoreKeys(inner, renamed)]));
}

export function restoreThenAliases(result: ExecutionResult, renamed: string): ExecutionResult {
  const restored: ExecutionResult = { ...result };
  if (result.data) restored.data = restoreKeys(result.data, renamed) as Record<string, unknown>;
  if (result.errors) {
    restored.errors = result.errors.map((error) => {
      if (!error.path?.includes(renamed)) return error;
      // The same error (its locations, extensions and cause) at the path the client asked for.
      const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as { path: readonly (string | number)[] };
      copy.path = error.path.map((key) => (key === renamed ? promiseKey : key));
      return copy as unknown as GraphQLError;
    });
  }
  return restored;
}

export function useThenAliases(): GatewayPlugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const rewritten = keptRewriteOf(args.document as DocumentNode);
      if (!rewritten) return;
      const execute = executeFn as (args: ExecutionArgs) => PromiseOrValue<ExecutionResult>;
      setExecuteFn((executeArgs) => execute({ ...executeArgs, document: rewritten.document }));
      return {
        onExecuteDone({ result, setResult }) {
          // A stream (subscriptions, @defer) is not served here: every answer is one result.
          if (!(Symbol.asyncIterator in result)) setResult(restoreThenAliases(result, rewritten.renamed));
        },
      };
    },
  };
}
