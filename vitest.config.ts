import { defineConfig } from "vitest/config";

// Tests by kind: *.test.ts need nothing; *.int.test.ts need Neo4j; *.e2e.test.ts run the servers over HTTP.
// The Neo4j projects share one Neo4j, started once for all of them (test/global-setup.ts); unit tests start nothing.
const shared = {
  alias: { graphql: "graphql/index.js" },
  testTimeout: 60_000,
  hookTimeout: 120_000,
};
const withNeo4j = { ...shared, globalSetup: ["test/global-setup.ts"] };

/**
 * The int and e2e files that run two at a time: they write only under ids of their own (test/helpers.ts,
 * uniqueId) and read only what they wrote or what no test changes. Every other file runs alone, after
 * them (Vitest runs the files of a project without parallelism last, one at a time), and so does a new
 * file until it is listed here. Those others compare the whole graph before and after (its checksum, its
 * counts, the summaries against the live walk, every page against totalCount) or counts over the demo
 * data that others' writes change; import into the demo data's ids, or end with a step over the whole
 * graph whose counts they check (stage responsibilities, organisation history); read the graph's
 * version, which any write moves; match organisations by title as the organograms do (another file's
 * copies of the GOV.UK snapshots share those titles); log in with a wrong password, which counts towards Neo4j locking the
 * user for everyone; run browsers or processes of their own (npm start, a subgraph killed or paused);
 * or time a request against a timeout or a bound.
 */
export const isolating = {
  int: [
    "data/import/sources/govuk-organisations.int.test.ts",
    "data/import/sources/profession-statistics.int.test.ts",
    "subgraph-kit/batched-entities.int.test.ts",
    "subgraph-kit/dates.int.test.ts",
    "subgraph-kit/mutations/audit.int.test.ts",
    "subgraph-kit/mutations/validation.int.test.ts",
    "subgraph-kit/paging.int.test.ts",
    "subgraphs/organisations/changes.int.test.ts",
    "subgraphs/organisations/links.int.test.ts",
    "subgraphs/organisations/organisations.int.test.ts",
    "subgraphs/people/network.int.test.ts",
    "subgraphs/people/people.int.test.ts",
    "subgraphs/services/analysis.int.test.ts",
    "subgraphs/services/services.int.test.ts",
  ],
  e2e: [
    "gateway/auth.e2e.test.ts",
    "gateway/caller-errors.e2e.test.ts",
    "gateway/employment-over-time.e2e.test.ts",
    "gateway/enums.e2e.test.ts",
    "gateway/list-rule.e2e.test.ts",
    "subgraphs/services/stage-owners.e2e.test.ts",
  ],
};

/**
 * Two files at a time: CI's machine, like the development one, has two cores, and Neo4j shares them. A
 * fixed number, not Vitest's default (the cores less one), so that a run is the same on any machine.
 */
const parallel = { fileParallelism: true, maxWorkers: 2 };
const alone = { fileParallelism: false };

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
      // Each kind's isolating files run as a group of their own, after the unit files; then the others, one at a time.
      { test: { ...withNeo4j, ...parallel, sequence: { groupOrder: 1 }, name: "int", include: isolating.int } },
      { test: { ...withNeo4j, ...alone, name: "int-serial", include: ["**/*.int.test.ts"], exclude: [...isolating.int, "**/node_modules/**"] } },
      { test: { ...withNeo4j, ...parallel, sequence: { groupOrder: 2 }, name: "e2e", include: isolating.e2e } },
      { test: { ...withNeo4j, ...alone, name: "e2e-serial", include: ["**/*.e2e.test.ts"], exclude: [...isolating.e2e, "**/node_modules/**"] } },
    ],
  },
});
