/**
 * The trusted documents: the dashboard's operations (client/operations/*.graphql), each under the
 * sha256 of its text, in client/generated/persisted-documents.json. `npm run generate:dashboard-types`
 * writes the file and a test fails while it is stale. The dashboard sends only the ids; the gateway
 * looks them up here, and with GATEWAY_TRUSTED_DOCUMENTS on runs nothing else.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

// Not imported from generate-types.ts, which loads the code generator (a development dependency).
const operationsDir = resolve(import.meta.dirname, "client/operations");
export const persistedDocumentsPath = resolve(import.meta.dirname, "client/generated/persisted-documents.json");

/** A document's id: the sha256 of its text, in hex. */
export const documentId = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The manifest's contents as the generator writes them: { id: text } for each operation file, in file order. */
export function generatePersistedDocuments(): string {
  const texts = readdirSync(operationsDir)
    .filter((file) => file.endsWith(".graphql"))
    .sort()
    .map((file) => readFileSync(resolve(operationsDir, file), "utf8"));
  return `${JSON.stringify(Object.fromEntries(texts.map((text) => [documentId(text), text])), null, 2)}\n`;
}

/** The committed manifest, by id. */
export function readPersistedDocuments(): Map<string, string> {
  return new Map(Object.entries(JSON.parse(readFileSync(persistedDocumentsPath, "utf8")) as Record<string, string>));
}
