import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { documentId, generatePersistedDocuments, persistedDocumentsPath, readPersistedDocuments } from "./persisted-documents.js";

describe("the dashboard's trusted documents", () => {
  it("the committed client/generated/persisted-documents.json is what the operations generate (run `npm run generate:dashboard-types`)", () => {
    expect(readFileSync(persistedDocumentsPath, "utf8")).toBe(generatePersistedDocuments());
  });

  it("hold every operation of the dashboard, each under the sha256 of its text", () => {
    const documents = readPersistedDocuments();
    const files = readdirSync(resolve(import.meta.dirname, "client/operations")).filter((f) => f.endsWith(".graphql"));
    expect(documents.size).toBe(files.length);
    for (const [id, text] of documents) expect(documentId(text)).toBe(id);
  });
});
