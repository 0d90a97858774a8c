import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { repoRoot } from "./paths.js";

/**
 * How a server process (a subgraph or the gateway) is started from its TypeScript entry point.
 *
 * V8 sizes its heap from the machine's memory (gigabytes here) and collects garbage lazily, so a
 * server's resident size climbs to several hundred MB under load although it holds far less. A
 * bounded old space and young generation make it collect sooner; 160 MB is several times what the
 * largest answer (brokers on the civil-service graph) keeps.
 */
export const serverNodeFlags = ["--max-old-space-size=160", "--max-semi-space-size=8"] as const;

/**
 * The arguments for `node`: the flags above, then the entry point run by Node's own type stripping
 * (platform/typescript-imports.ts maps its `.js` imports to `.ts`). `root`: the checkout the entry is
 * in; one from before that file existed runs through tsx, as it did then, so a benchmark of a change
 * side by side starts each checkout as it starts itself.
 */
export const serverNodeArgs = (entry: string, root = repoRoot): string[] => {
  const imports = resolve(root, "platform/typescript-imports.ts");
  return [...serverNodeFlags, "--import", existsSync(imports) ? imports : "tsx", entry];
};

/**
 * `npm start` prepares the graph once for the stack (checks, migrates, loads the demo data into an empty
 * one) while the subgraphs it started build their schemas: with this variable set to "1", a subgraph
 * waits for `graphPreparedMessage` over IPC instead of migrating the graph itself (subgraph-kit/run.ts).
 */
export const graphPreparedByParent = "GRAPH_PREPARED_BY_PARENT";
export const graphPreparedMessage = "graph-prepared";
