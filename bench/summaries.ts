/**
 * npm run bench:summaries -- --before <checkout> --neo4j bolt://127.0.0.1:7687 [--label "10,000-person graph"] [--rounds 6] [--out summaries-10k]
 *   [--questions brokers,servicesByHandoffs,gaps]
 *
 * organisationLinks, departmentMatrix, brokers, servicesByHandoffs and gaps before and after the summaries
 * (graph/summaries.ts, graph/service-summaries.ts, graph/broker-summaries.ts, docs/adr/0010), side by side in one run: the subgraph that
 * owns each (organisations, people, services) of `--before`
 * (a checkout of an earlier commit, with node_modules) and this checkout's, each its own process over the same Neo4j,
 * asked the benchmark's questions (bench/operations.ts) directly, the cells interleaved
 * (bench/side-by-side.ts) so a busy machine slows both alike. Before measuring, each of today's answers
 * is checked to be the same, byte for byte, from both. The questions as on a past date (`asAt`) read the
 * live graph in both: they are measured to show that they do. The Neo4j named is used as it is (build it
 * with `npm run generate`); it is migrated by this checkout's subgraph, which rebuilds the summaries when
 * it has none. Writes docs/benchmarks/<out>.md and .json.
 */
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadavg } from "node:os";
import { createDriver } from "../graph/neo4j.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../platform/caller.js";
import { parseConfig, subgraphPortVariables } from "../platform/config.js";
import { keysForThisRun } from "../platform/demo-tokens.js";
import { repoRoot } from "../platform/paths.js";
import { graphqlRequest, type Request } from "./load.js";
import { operations, pastDate, pickSubjects, type Operation } from "./operations.js";
import { freePort, runStoppingAll, startNode, stopAll, subgraphPorts, waitUntilOk } from "./processes.js";
import { cellTable, machineLine, measureInterleaved, writeBenchmarkPage, type Cell } from "./side-by-side.js";

const args = parseArgs({
  options: {
    before: { type: "string" },
    neo4j: { type: "string" },
    label: { type: "string", default: "the graph" },
    rounds: { type: "string", default: "6" },
    out: { type: "string", default: "summaries" },
    questions: { type: "string" },
  },
}).values;
if (!args.before || !args.neo4j) {
  console.error("--before <checkout> and --neo4j <bolt URI> are both needed");
  process.exit(2);
}
const rounds = Number(args.rounds);
const batchSizes = { 1: 4, 10: 20 };
const password = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" }).NEO4J_PASSWORD;
const log = (line: string) => console.error(line);
const measured = args.questions?.split(",") ?? ["organisationLinks", "departmentMatrix", "brokers", "servicesByHandoffs", "gaps"];
/** The subgraph that answers each, started from both checkouts when one of its questions is measured. */
const ownerOf = {
  organisationLinks: "organisations",
  departmentMatrix: "organisations",
  brokers: "people",
  servicesByHandoffs: "services",
  gaps: "services",
} as const;
type Owner = (typeof ownerOf)[keyof typeof ownerOf];
const owners = [...new Set(measured.map((name) => ownerOf[name as keyof typeof ownerOf]))];
if (owners.some((owner) => owner === undefined)) {
  console.error(`--questions names those of ${Object.keys(ownerOf).join(", ")}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const driver = createDriver({ NEO4J_URI: args.neo4j!, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: password });
  try {
    const keys = await keysForThisRun(parseConfig({}));
    const { env: shared } = await subgraphPorts(args.neo4j!, password);
    const env = { ...shared, ...keys.env };
    const checkouts = [
      // This checkout's first: it migrates the graph, and rebuilds the summaries if it has none.
      { name: "after", root: repoRoot },
      { name: `before (${basename(resolve(args.before!))})`, root: resolve(args.before!) },
    ];
    // Each checkout's subgraphs by owner: this checkout's first, as said above.
    const subgraphs: { name: string; urls: Record<Owner, string> }[] = [];
    for (const checkout of checkouts) {
      const urls = {} as Record<Owner, string>;
      for (const owner of owners) {
        const port = await freePort();
        const child = startNode(
          `The ${owner} subgraph, ${checkout.name}`,
          `subgraphs/${owner}/index.ts`,
          { ...env, [subgraphPortVariables[owner]]: String(port) },
          [],
          checkout.root,
        );
        await waitUntilOk(`${owner}, ${checkout.name}`, async () => (await fetch(`http://127.0.0.1:${port}/readiness`)).ok, child, 1_800_000);
        urls[owner] = `http://127.0.0.1:${port}/graphql`;
      }
      subgraphs.push({ name: checkout.name, urls });
    }
    const urlOf = (urls: Record<Owner, string>, op: { direct: string | null }) =>
      urls[op.direct === "people" || op.direct === "services" ? op.direct : "organisations"];
    const subjects = await pickSubjects(driver);
    // The matrix as on a past date, live in both, outlasts its 20 s timeout on a busy two-core machine: left out.
    const chosen = operations(subjects).filter(
      (op) => measured.some((name) => op.name.startsWith(name)) && !(op.name.startsWith("departmentMatrix") && op.todayOf),
    );
    // servicesByHandoffs and gaps as on a past date, which walk the live graph in both (the benchmark's own list asks them today only).
    const asAt = (op: Operation): Operation => ({
      ...op,
      name: `${op.name} (asAt ${pastDate})`,
      query: op.query.replace(/(servicesByHandoffs|gaps)\(/, `$1(asAt: "${pastDate}", `),
      todayOf: op.name,
    });
    const questions = chosen.flatMap((op) => (op.name === "servicesByHandoffs" || op.name === "gaps" ? [op, asAt(op)] : [op]));
    const people = await driver.executeQuery("MATCH (p:Person) RETURN count(p) AS n");
    const headers: Record<string, string> = {};
    // The subgraph's tokens live two minutes: signed afresh before each round.
    const sign = async () => {
      const reader = keys.tokens.find((t) => t.role === "reader")!;
      headers["authorization"] = `Bearer ${reader.token}`;
      headers[gatewayTokenHeader] = await signGatewayToken(viewerFromClaims({ sub: "bench-reader", roles: ["reader"] }), keys.env["SUBGRAPH_SECRET"]!);
    };
    await sign();
    const checks: string[] = [];
    for (const op of questions) {
      const answers = await Promise.all(
        subgraphs.map(async ({ urls }) => {
          const response = await fetch(urlOf(urls, op), {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify({ query: op.query, variables: op.variables }),
          });
          return await response.text();
        }),
      );
      // This checkout must answer; a checkout before may fail where this one does not, which is then what is measured.
      if (answers[0]!.includes('"errors"')) throw new Error(`${op.name}: ${answers[0]!.slice(0, 300)}`);
      const failed = answers.findIndex((a) => a.includes('"errors"'));
      checks.push(
        failed > 0
          ? `${op.name}: ${subgraphs[failed]!.name} answers with errors: ${answers[failed]!.slice(0, 300)}`
          : `${op.name}: ${answers.every((a) => a === answers[0]) ? "the same answer from both, byte for byte" : "DIFFERENT answers"} (${answers[0]!.length.toLocaleString("en-GB")} bytes)`,
      );
      log(checks.at(-1)!);
    }
    const cells: Cell[] = [];
    for (const op of questions) {
      const ways: [string, Request][] = subgraphs.map(({ name, urls }) => [
        name,
        async () => graphqlRequest(urlOf(urls, op), op.query, op.variables, headers)(),
      ]);
      cells.push(...(await measureInterleaved(op.name, ways, { rounds, batchSizes, beforeRound: sign, log })));
    }
    const wayNames = subgraphs.map((s) => s.name);
    const lines = [
      `# The summaries on ${args.label}: ${measured.join(", ")} before and after`,
      "",
      `\`npm run bench:summaries -- --before ${args.before} --neo4j ${args.neo4j} --label "${args.label}" --rounds ${rounds} --out ${args.out}${args.questions ? ` --questions ${args.questions}` : ""}\`, ${new Date().toISOString().slice(0, 10)}, ${Number(people.records[0]!.get("n")).toLocaleString("en-GB")} people.`,
      "The subgraph that owns each question asked directly, each checkout's its own process over the same Neo4j, cells interleaved in rounds.",
      "Today's questions read the summaries after (docs/adr/0010); the questions as on a past date (`asAt`) read the live graph in both checkouts,",
      "so they are measured to show them unchanged.",
      ...(measured.includes("departmentMatrix") ? ["departmentMatrix as on a past date (live in both) outlasts its 20 s timeout here and is left out."] : []),
      ...(owners.includes("people")
        ? [
            "brokers reads the brokers' summaries (graph/broker-summaries.ts) today over everyone; as on a past date, or of one organisation, it walks every candidate, in both checkouts.",
          ]
        : []),
      ...(owners.includes("services")
        ? [
            "servicesByHandoffs and gaps read the services' summaries (graph/service-summaries.ts) today over every service; as on a past date, or narrowed to a service or a department, they walk the live graph.",
          ]
        : []),
      "",
      machineLine(loadBefore),
      "",
      "## Answers",
      "",
      ...checks.map((c) => `- ${c}`),
      "",
      ...questions.flatMap((op) => [`## ${op.name}`, "", ...cellTable(cells, op.name, wayNames, wayNames[1]!), ""]),
    ];
    writeBenchmarkPage(args.out, lines, { cells, checks, people: Number(people.records[0]!.get("n")) });
  } finally {
    await driver.close();
    await stopAll();
  }
}

runStoppingAll(main, async () => undefined);
