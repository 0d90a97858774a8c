/**
 * The layout's one rule (README, "Layout"): imports run down the stack, never up or across.
 * platform ← graph ← subgraph-kit ← subgraphs/<name>; the gateway and the dashboard never import a subgraph;
 * export (records and file formats) sits on platform, beside graph, for the gateway and the kit alike.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../platform/paths.js";

/** What each folder's code may import from the project's other folders; each folder's README says the same. */
const mayImport: Record<string, readonly string[]> = {
  platform: [],
  graph: ["platform"],
  export: ["platform"],
  "subgraph-kit": ["platform", "graph", "export"],
  subgraph: ["platform", "graph", "subgraph-kit"],
  schema: ["platform", "subgraph-kit"],
  gateway: ["platform", "dashboard", "export"],
  dashboard: ["schema"],
  data: ["platform", "graph"],
  "identity-provider": [],
};

/**
 * Tests may also use the test helpers, the attacks of bench/abuse, the committed supergraph and the
 * configuration; a test of the graph or of the kit may build a real subgraph schema or server to run against.
 */
const testsMayAlsoImport: Record<string, readonly string[]> = {
  graph: ["subgraph-kit"],
  "subgraph-kit": ["subgraph"],
  // A subgraph's test may load real sources through the importers (the services subgraph's stage owners after an import).
  subgraph: ["data"],
  // The dashboard's sign-in is tested through the demo provider.
  dashboard: ["identity-provider"],
};
const anyTestMayImport = ["test", "bench", "schema", "platform"];

/** The room a file is in: its top folder, or `subgraph` for any of subgraphs/<name>. */
function roomOf(path: string): string {
  return path.split("/")[0] === "subgraphs" ? "subgraph" : path.split("/")[0]!;
}

function projectImports(file: string): string[] {
  const text = readFileSync(posix.join(repoRoot, file), "utf8");
  // Static imports and re-exports at the start of a line (not code that writes imports, as the type generators do), and dynamic imports.
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm),
    ...text.matchAll(/^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g),
  ];
  return specifiers.map((m) => posix.normalize(posix.join(posix.dirname(file), m[1]!)));
}

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], { cwd: repoRoot, encoding: "utf8" })
  .trim()
  .split("\n")
  .filter((file) => file.split("/")[0]! in mayImport || file.startsWith("subgraphs/"));

describe("the layout", () => {
  it("has no import that runs up the stack or across to another subgraph", () => {
    const wrong: string[] = [];
    for (const file of files) {
      const room = roomOf(file);
      const isTest = /\.test\.ts$/.test(file);
      for (const target of projectImports(file)) {
        const targetRoom = roomOf(target);
        if (targetRoom === room && (room !== "subgraph" || target.split("/")[1] === file.split("/")[1])) continue;
        if (isTest && (anyTestMayImport.includes(targetRoom) || testsMayAlsoImport[room]?.includes(targetRoom))) continue;
        if (!mayImport[room]!.includes(targetRoom)) wrong.push(`${file} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("gives each folder a README that names what it may import", () => {
    for (const [room, allowed] of Object.entries(mayImport)) {
      const readme = readFileSync(posix.join(repoRoot, room === "subgraph" ? "subgraphs" : room, "README.md"), "utf8");
      for (const folder of allowed) expect(readme, `${room}/README.md`).toContain(`\`${folder}/\``);
    }
  });
});
