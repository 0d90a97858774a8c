/** npm run generate:resolver-types: each subgraph's resolver types, from its SDL (subgraph-kit/resolver-types.ts). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { subgraphNames } from "../platform/config.js";
import { generateResolverTypes, resolverTypesPath } from "../subgraph-kit/resolver-types.js";

for (const name of subgraphNames) {
  const path = resolverTypesPath(name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await generateResolverTypes(name));
  console.log(`Wrote ${path}`);
}
