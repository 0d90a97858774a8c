/**
 * What a parsed document weighs in heap, for the caches that keep documents (gateway/document-cache.ts,
 * subgraph-kit/document-store.ts). It grows with the document's tokens, not its characters: each
 * token is a Token object, its Location and mostly a syntax node with its name, so `{ a f f f … }`
 * takes 240 bytes of heap a character and a list of long quoted ids 30 (graphql-js 16, Node 24).
 */
import type { DocumentNode, Token } from "graphql";

/** The tokens a parse kept (the linked list its location starts), or undefined for a document parsed without locations. */
export function tokensOf(document: DocumentNode): number | undefined {
  if (!document.loc) return undefined;
  let count = 0;
  for (let token: Token | null = document.loc.startToken; token; token = token.next) count++;
  return count;
}

/**
 * The heap a kept document holds, estimated from its tokens at `bytesPerToken` (what the cache keeps
 * per token, measured by its caller), with its text; from its text alone at `bytesPerCharacterWithoutTokens`
 * when it was parsed without locations.
 */
export function documentHeapBytes(document: DocumentNode, source: string, bytesPerToken: number, bytesPerCharacterWithoutTokens: number): number {
  const tokens = tokensOf(document);
  // A one-byte string keeps a byte a character; the text is kept whole as the location's source.
  return tokens === undefined ? source.length * bytesPerCharacterWithoutTokens : tokens * bytesPerToken + source.length;
}
