import { resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..");
export const schemaDir = resolve(repoRoot, "schema");
export const supergraphPath = resolve(schemaDir, "supergraph.graphql");
