/** npm run compose: writes schema/supergraph.graphql from schema/<subgraph>.graphql. */
import { writeFileSync } from "node:fs";
import { composeSupergraph, supergraphPath } from "../schema/compose.js";

try {
  writeFileSync(supergraphPath, await composeSupergraph());
  console.log(`Wrote ${supergraphPath}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
