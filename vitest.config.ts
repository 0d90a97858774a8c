import { defineConfig } from "vitest/config";

// Tests by kind: *.test.ts need nothing; *.int.test.ts need Neo4j; *.e2e.test.ts run the servers over HTTP.
// The global set-up, run once, provides one Neo4j for all of them (test/global-setup.ts).
const shared = {
  alias: { graphql: "graphql/index.js" },
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Two cores: files in parallel would only fight over them and over Neo4j.
  fileParallelism: false,
};

export default defineConfig({
  // One graphql module for all: @neo4j/graphql requires its CommonJS build, so the ES build must not load too.
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    globalSetup: ["test/global-setup.ts"],
    projects: [
      { test: { ...shared, name: "unit", include: ["**/*.test.ts"], exclude: ["**/*.int.test.ts", "**/*.e2e.test.ts", "**/node_modules/**"] } },
      { test: { ...shared, name: "int", include: ["**/*.int.test.ts"], exclude: ["**/node_modules/**"] } },
      { test: { ...shared, name: "e2e", include: ["**/*.e2e.test.ts"], exclude: ["**/node_modules/**"] } },
    ],
  },
});
