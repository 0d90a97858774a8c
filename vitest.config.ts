import { defineConfig } from "vitest/config";

// Tests by kind: *.test.ts need nothing; *.int.test.ts need Neo4j; *.e2e.test.ts run the servers over HTTP.
// The int and e2e projects share one Neo4j, started once for both (test/global-setup.ts); unit tests start nothing.
const shared = {
  alias: { graphql: "graphql/index.js" },
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // The int and e2e files share one Neo4j, and some compare the whole graph before and after an attack
  // (its checksum) or time a bystander's request: they run one file at a time. Unit files share nothing.
  fileParallelism: false,
};
const withNeo4j = { ...shared, globalSetup: ["test/global-setup.ts"] };

export default defineConfig({
  // One graphql module for all: @neo4j/graphql requires its CommonJS build, so the ES build must not load too.
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    projects: [
      {
        test: {
          ...shared,
          fileParallelism: true,
          // Unit files change no global state (no environment, mocks or timers), so each worker keeps the modules
          // it has loaded for the next file: @neo4j/graphql, composition and codegen load once per worker, not
          // once per file, which halves the CPU time of the run.
          isolate: false,
          // Building the three subgraph schemas takes seconds; with files in parallel on a busy machine it
          // can take more than the minute that guards the other tests against hangs.
          testTimeout: 180_000,
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/*.e2e.test.ts", "**/node_modules/**"],
        },
      },
      { test: { ...withNeo4j, name: "int", include: ["**/*.int.test.ts"], exclude: ["**/node_modules/**"] } },
      { test: { ...withNeo4j, name: "e2e", include: ["**/*.e2e.test.ts"], exclude: ["**/node_modules/**"] } },
    ],
  },
});
