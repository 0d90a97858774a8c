import { defineConfig } from "vitest/config";

// Tests by kind: *.test.ts need nothing; *.int.test.ts need Neo4j; *.e2e.test.ts run the servers over HTTP.
// The int and e2e projects share one Neo4j, started once for both (test/global-setup.ts); unit tests start nothing.
const shared = {
  alias: { graphql: "graphql/index.js" },
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Two cores: files in parallel would only fight over them and over Neo4j.
  fileParallelism: false,
};
const withNeo4j = { ...shared, globalSetup: ["test/global-setup.ts"] };

export default defineConfig({
  // One graphql module for all: @neo4j/graphql requires its CommonJS build, so the ES build must not load too.
  resolve: { alias: { graphql: "graphql/index.js" } },
  test: {
    projects: [
      { test: { ...shared, name: "unit", include: ["**/*.test.ts"], exclude: ["**/*.int.test.ts", "**/*.e2e.test.ts", "**/node_modules/**"] } },
      { test: { ...withNeo4j, name: "int", include: ["**/*.int.test.ts"], exclude: ["**/node_modules/**"] } },
      { test: { ...withNeo4j, name: "e2e", include: ["**/*.e2e.test.ts"], exclude: ["**/node_modules/**"] } },
    ],
  },
});
