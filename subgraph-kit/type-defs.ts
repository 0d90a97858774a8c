import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { schemaDir } from "../platform/paths.js";
import type { SubgraphName } from "../platform/config.js";

/** schema/<name>.graphql, with the types all subgraphs share (schema/shared.graphql). */
export function subgraphTypeDefs(name: SubgraphName): string {
  return [`${name}.graphql`, "shared.graphql"].map((file) => readFileSync(resolve(schemaDir, file), "utf8")).join("\n");
}
