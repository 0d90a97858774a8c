/**
 * npm run generate:dashboard-types: writes the dashboard's operation types (dashboard/generate-types.ts)
 * and its trusted documents, the manifest the gateway accepts them from (dashboard/persisted-documents.ts).
 */
import { writeFileSync } from "node:fs";
import { generateDashboardTypes, generatedTypesPath } from "../dashboard/generate-types.js";
import { generatePersistedDocuments, persistedDocumentsPath } from "../dashboard/persisted-documents.js";

writeFileSync(generatedTypesPath, await generateDashboardTypes());
console.log(`Wrote ${generatedTypesPath}`);
writeFileSync(persistedDocumentsPath, generatePersistedDocuments());
console.log(`Wrote ${persistedDocumentsPath}`);
