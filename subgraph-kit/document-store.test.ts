import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { heapUsedAfterCollection } from "../test/heap.js";
import { distinctIdsDocument, distinctFieldsDocument } from "../bench/abuse/gateway-attacks.js";
import { boundedDocumentStore } from "./document-store.js";

describe("a subgraph's document store", () => {
  it("holds no more heap than its bound however many distinct large documents it is given", async () => {
    const maxBytes = 12_000_000;
    const store = boundedDocumentStore(maxBytes);
    const before = heapUsedAfterCollection();
    // The flood's documents as the gateway's planner writes them for the subgraph, and one-letter fields
    // (the most heap a character): 300 of them, some 130 MB of heap parsed.
    const shapes = [distinctIdsDocument, distinctFieldsDocument, (n: number) => `{ a${n} ${"f ".repeat(990)}}`];
    for (let n = 0; n < 300; n++) await store.set(`key-${n}`, parse(shapes[n % 3]!(n)));
    const grown = heapUsedAfterCollection() - before;
    expect(store.bytes).toBeLessThanOrEqual(maxBytes);
    expect(store.size).toBeGreaterThan(1);
    // The estimate is no smaller than what the documents really hold.
    expect(grown).toBeLessThan(maxBytes + 1_000_000);
    expect(await store.get("key-299")).toBeDefined();
    expect(await store.get("key-0")).toBeUndefined();
  });

  it("does not keep a document heavier than a sixteenth of its bound, so one cannot evict all the others", async () => {
    const store = boundedDocumentStore(1_000_000);
    await store.set("small", parse("{ organisations { id } }"));
    await store.set("large", parse(distinctIdsDocument(1)));
    expect(await store.get("large")).toBeUndefined();
    expect(await store.get("small")).toBeDefined();
  });
});
