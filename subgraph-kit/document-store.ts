/**
 * The parsed documents a subgraph keeps, bounded by the heap they take.
 *
 * Apollo Server keeps every document it parses and validates, by its hash, in a cache of 30 MiB as
 * it weighs them: by their JSON, which leaves out the tokens that every node's location holds. A
 * document of 975 ids in an `in` list takes 3.3 times its JSON in heap, so the default cache could
 * hold some 100 MB. The gateway's query planner writes the client's literals into the subgraph's
 * document, so every distinct client document is a distinct one here: a flood of them, each inside
 * every limit, grew a subgraph's heap by 30 MB in 160 requests (gateway/cost-and-memory.e2e.test.ts).
 * Here a document is weighed by its tokens, as the gateway's own cache does (gateway/document-cache.ts),
 * and one that would take more than a sixteenth of the bound is not kept.
 */
import type { DocumentNode } from "graphql";
import { LRUCache } from "lru-cache";
import { documentHeapBytes } from "../platform/document-weight.js";

/** Bytes of heap per token of a parsed document: 229 to 515 measured on graphql-js 16, Node 24 (platform/document-weight.ts); rounded up. */
export const parsedBytesPerToken = 600;
const parsedBytesPerCharacterWithoutTokens = 250;
const entryOverheadBytes = 1_000;

export const defaultDocumentStoreBytes = 8_000_000;

/** Apollo Server's `documentStore`: its KeyValueCache interface over a cache weighed by heap. */
export function boundedDocumentStore(maxBytes = defaultDocumentStoreBytes) {
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: maxBytes,
    maxEntrySize: Math.floor(maxBytes / 16),
    sizeCalculation: (document) =>
      entryOverheadBytes + documentHeapBytes(document, document.loc?.source.body ?? "", parsedBytesPerToken, parsedBytesPerCharacterWithoutTokens),
  });
  return {
    get: (key: string) => Promise.resolve(documents.get(key)),
    set: (key: string, document: DocumentNode) => {
      documents.set(key, document);
      return Promise.resolve();
    },
    delete: (key: string) => Promise.resolve(documents.delete(key)),
    /** Estimated bytes held, entries held. */
    get bytes() {
      return documents.calculatedSize;
    },
    get size() {
      return documents.size;
    },
  };
}
