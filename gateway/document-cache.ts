/**
 * Parsed and validated documents kept by their text, bounded in bytes instead of entries.
 *
 * graphql-yoga keeps the last 1,024 documents parsed, their parse errors and their validation
 * results (errors included), whatever their size, and Hive Gateway's runtime gives no way to change
 * that. A 990-token document holds 280–500 KB of syntax tree and tokens, 2.2 MB with its validation
 * errors, and everything the runtime derives from it lives as long as it does (its delegation plans
 * and subgraph documents are memoised in WeakMaps keyed on its nodes): 75 distinct ones took the
 * gateway past its 160 MB heap. Here a document is weighed by its tokens, only valid ones have their
 * validation kept, and errors are never kept (a document that fails does so again cheaply).
 */
import { Kind, type DocumentNode, type GraphQLSchema } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { documentHeapBytes } from "../platform/document-weight.js";

/**
 * Bytes of heap per token of a document, with what the runtime derives from it (plans included),
 * measured on the gateway after a flood of distinct documents: 540 for `in: [975 strings]`, 550 for
 * `{ f1x0 … f1x988 }`; rounded up. Per token, not per character: a document of one-letter fields
 * holds eight times the heap per character of one of long ids (platform/document-weight.ts).
 * gateway/cost-and-memory.e2e.test.ts checks the heap stays within the bound.
 */
export const heapBytesPerToken = 1_000;
/** A document parsed without locations keeps no tokens: weighed by its text, as before tokens were counted. */
const heapBytesPerCharacterWithoutTokens = 100;
/** The part of an entry that does not grow with its text: the Map entry, the document's root nodes. */
const entryOverheadBytes = 2_000;

export const estimatedBytes = (source: string, document: DocumentNode): number =>
  entryOverheadBytes + documentHeapBytes(document, source, heapBytesPerToken, heapBytesPerCharacterWithoutTokens);

interface Entry {
  source: string;
  document: DocumentNode;
  bytes: number;
  /** The rules (by their names) each schema found the document valid under. */
  validUnder: WeakMap<GraphQLSchema, Set<string>>;
}

/** A least-recently-used cache of documents whose estimated bytes stay under `maxBytes`. */
export class DocumentCache {
  private readonly bySource = new Map<string, Entry>();
  private readonly byDocument = new WeakMap<DocumentNode, Entry>();
  private total = 0;

  /** `maxEntryBytes`: a document weighing more is never kept, so no one document evicts all the others. */
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  constructor(maxBytes: number, maxEntryBytes = Math.floor(maxBytes / 16)) {
    this.maxBytes = maxBytes;
    this.maxEntryBytes = maxEntryBytes;
  }

  /** Estimated bytes held, entries held. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.bySource.size;
  }

  get(source: string): DocumentNode | undefined {
    const entry = this.bySource.get(source);
    if (!entry) return undefined;
    this.bySource.delete(source);
    this.bySource.set(source, entry);
    return entry.document;
  }

  set(source: string, document: DocumentNode): void {
    const bytes = estimatedBytes(source, document);
    if (bytes > this.maxEntryBytes || this.bySource.has(source)) return;
    while (this.total + bytes > this.maxBytes && this.bySource.size > 0) this.evictOldest();
    const entry: Entry = { source, document, bytes, validUnder: new WeakMap() };
    this.bySource.set(source, entry);
    this.byDocument.set(document, entry);
    this.total += bytes;
  }

  isValid(document: DocumentNode, schema: GraphQLSchema, rules: string): boolean {
    return this.byDocument.get(document)?.validUnder.get(schema)?.has(rules) ?? false;
  }

  /** Remembers that a kept document passed validation; a document not kept is not remembered. */
  setValid(document: DocumentNode, schema: GraphQLSchema, rules: string): void {
    const entry = this.byDocument.get(document);
    if (!entry || this.bySource.get(entry.source) !== entry) return;
    const valid = entry.validUnder.get(schema) ?? new Set<string>();
    valid.add(rules);
    entry.validUnder.set(schema, valid);
  }

  private evictOldest(): void {
    const [source, entry] = this.bySource.entries().next().value!;
    this.bySource.delete(source);
    this.byDocument.delete(entry.document);
    this.total -= entry.bytes;
  }
}

type AnyPlugin = Record<string, unknown> | null | undefined | false;

/** graphql-yoga's useParserAndValidationCache, which the runtime always adds: recognised by its hooks. */
function isYogaParserAndValidationCache(plugin: AnyPlugin): boolean {
  if (!plugin) return false;
  const { onParse, onValidate } = plugin as { onParse?: unknown; onValidate?: unknown };
  return (
    Object.keys(plugin).length === 2 &&
    typeof onParse === "function" &&
    typeof onValidate === "function" &&
    String(onParse).includes("documentCache") &&
    String(onValidate).includes("validationCacheByRules")
  );
}

/**
 * Puts the cache in the place of graphql-yoga's own (the same place among the plugins, so the same
 * plugins run before and after it). Throws when yoga's is not found: after an upgrade that changes
 * it, the gateway must not start with an unbounded cache beside this one.
 */
export function useDocumentCache(cache: DocumentCache): GatewayPlugin {
  const replacement = {
    onParse({ params, setParsedDocument }: { params: { source: string | { body: string } }; setParsedDocument: (document: DocumentNode) => void }) {
      const source = typeof params.source === "string" ? params.source : params.source.body;
      const document = cache.get(source);
      if (document) {
        setParsedDocument(document);
        return undefined;
      }
      return ({ result }: { result: unknown }) => {
        if ((result as DocumentNode | null)?.kind === Kind.DOCUMENT) cache.set(source, result as DocumentNode);
      };
    },
    onValidate({
      params,
      setResult,
    }: {
      params: { schema: GraphQLSchema; documentAST: DocumentNode; rules?: readonly { name: string }[] };
      setResult: (errors: never[]) => void;
    }) {
      const rules = params.rules?.map((rule) => rule.name).join(",") ?? "";
      if (cache.isValid(params.documentAST, params.schema, rules)) {
        setResult([]);
        return undefined;
      }
      return ({ result }: { result: readonly unknown[] }) => {
        if (result.length === 0) cache.setValid(params.documentAST, params.schema, rules);
      };
    },
  };
  return {
    onPluginInit({ plugins }) {
      const list = plugins as AnyPlugin[];
      const index = list.findIndex(isYogaParserAndValidationCache);
      if (index < 0)
        throw new Error(
          "graphql-yoga's parser and validation cache was not found among the plugins: the byte-bounded cache (gateway/document-cache.ts) cannot replace it.",
        );
      list.splice(index, 1, replacement as AnyPlugin);
    },
  } as GatewayPlugin;
}
