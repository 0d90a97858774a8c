/**
 * npm run bench:subgraph -- --before <checkout> [-- --neo4j bolt://127.0.0.1:7687] [-- --rounds 4] [-- --quick]
 *
 * The journey near its Cypher: the floor (the journey's one Cypher query through neo4j-driver), the
 * services subgraph asked directly and the gateway, each as another checkout runs it (--before, for
 * example a worktree of main before a change) and as this one does, all over the same Neo4j holding the
 * demo data, measured interleaved (bench/side-by-side.ts). The generated-fields journey, across the three
 * subgraphs, goes through each checkout's gateway. Over a Neo4j of its own (port 7695, data in
 * .neo4j/bench-subgraph) unless --neo4j names one. Writes docs/benchmarks/subgraph.md and subgraph.json.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import neo4j, { type Driver } from "neo4j-driver";
import { parseConfig } from "../platform/config.js";
import { repoRoot } from "../platform/paths.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../platform/caller.js";
import { signClientToken } from "../platform/demo-tokens.js";
import { createDriver } from "../graph/neo4j.js";
import type { LocalNeo4j } from "../graph/local-neo4j.js";
import { graphqlRequest, type Request } from "./load.js";
import { journey as journeyFloor } from "./floor-queries.js";
import { journeyQuery } from "./operations.js";
import { peakMemoryMB, runStoppingAll, startDemoNeo4j, startProcessStack, type ProcessStack } from "./processes.js";
import { cellTable, floorLines, machineLine, measureInterleaved, peakMemoryTable, writeBenchmarkPage, type Cell } from "./side-by-side.js";

const args = parseArgs({
  options: {
    before: { type: "string" },
    neo4j: { type: "string" },
    "neo4j-port": { type: "string", default: "7695" },
    rounds: { type: "string" },
    quick: { type: "boolean", default: false },
  },
}).values;
if (!args.before) throw new Error("--before <checkout> is required: the checkout to measure this one against.");
const before = resolve(args.before);
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 4));
const batchSizes = quick ? { 1: 3, 10: 10 } : { 1: 10, 10: 30 };
const password = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" }).NEO4J_PASSWORD;
const serviceId = "starting-a-business";
const log = (line: string) => console.error(line);
const floorWay = "floor (one Cypher query)";
const generatedFields = readFileSync(resolve(repoRoot, "gateway/examples/journey-trace.graphql"), "utf8");

let ownNeo4j: LocalNeo4j | undefined;

async function openNeo4j(): Promise<{ uri: string; driver: Driver; neo4jVersion: string }> {
  const version = async (driver: Driver) =>
    String(
      (await driver.executeQuery("CALL dbms.components() YIELD versions, edition RETURN 'Neo4j ' + versions[0] + ' ' + edition AS version")).records[0]?.get(
        "version",
      ),
    );
  if (args.neo4j) {
    const driver = createDriver({ NEO4J_URI: args.neo4j, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: password });
    return { uri: args.neo4j, driver, neo4jVersion: await version(driver) };
  }
  const { server, driver, neo4jVersion } = await startDemoNeo4j({ name: "bench-subgraph", port: Number(args["neo4j-port"]), password, log });
  ownNeo4j = server;
  return { uri: server.uri, driver, neo4jVersion };
}

/** A reader's client token for the stack's gateway, and (renewed before each round) the token its gateway would sign for its subgraphs. */
async function readerOf(stack: ProcessStack) {
  const client = await signClientToken(stack.auth.secret, {
    sub: "bench-reader",
    roles: ["reader"],
    issuer: stack.auth.issuer,
    audience: stack.auth.audience,
    expiresAt: "1h",
  });
  const reader = { client: { authorization: `Bearer ${client}` }, signed: {} as Record<string, string> };
  const renew = async () => {
    reader.signed = { [gatewayTokenHeader]: await signGatewayToken(viewerFromClaims({ sub: "bench-reader", roles: ["reader"] }), stack.auth.subgraphSecret) };
  };
  await renew();
  return { reader, renew };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const { uri, driver, neo4jVersion } = await openNeo4j();
  try {
    const env = { SERVICE_GRAPH_ENV: "production", GATEWAY_RATE_LIMIT_PER_SECOND: "0" };
    const label = { before: `before (${basename(before)})`, after: "after (this checkout)" };
    log(`Starting both stacks: ${before} and ${repoRoot}…`);
    const stacks = {
      before: await startProcessStack({ neo4jUri: uri, password, env, root: before, label: label.before }),
      after: await startProcessStack({ neo4jUri: uri, password, env, label: label.after }),
    };
    const readers = { before: await readerOf(stacks.before), after: await readerOf(stacks.after) };
    const renewAll = async () => {
      await readers.before.renew();
      await readers.after.renew();
    };
    const floor: Request = async () => {
      const { records } = await driver.executeQuery(journeyFloor, { serviceId, peoplePerStage: neo4j.int(20) }, { routing: neo4j.routing.READ });
      return records.length > 0 ? null : "the floor query returned no rows";
    };
    // The reader's headers are read when each request is made: the signed token changes every round.
    const viaSubgraph = (side: "before" | "after"): Request => {
      return async () => graphqlRequest(stacks[side].subgraphUrls.services, journeyQuery, { serviceId }, readers[side].reader.signed)();
    };
    const viaGateway = (side: "before" | "after", query: string) => graphqlRequest(stacks[side].gatewayUrl, query, { serviceId }, readers[side].reader.client);
    const ways = {
      subgraphBefore: `services subgraph, ${label.before}`,
      subgraphAfter: `services subgraph, ${label.after}`,
      gatewayBefore: `gateway, ${label.before}`,
      gatewayAfter: `gateway, ${label.after}`,
    };
    const cells: Cell[] = [];
    const run = { rounds, batchSizes, beforeRound: renewAll, log };
    cells.push(
      ...(await measureInterleaved(
        "journey",
        [
          [floorWay, floor],
          [ways.subgraphBefore, viaSubgraph("before")],
          [ways.subgraphAfter, viaSubgraph("after")],
          [ways.gatewayBefore, viaGateway("before", journeyQuery)],
          [ways.gatewayAfter, viaGateway("after", journeyQuery)],
        ],
        run,
      )),
    );
    cells.push(
      ...(await measureInterleaved(
        "journey (generated fields, three subgraphs)",
        [
          [floorWay, floor],
          [ways.gatewayBefore, viaGateway("before", generatedFields)],
          [ways.gatewayAfter, viaGateway("after", generatedFields)],
        ],
        run,
      )),
    );
    const peaks = Object.fromEntries(
      (["before", "after"] as const).flatMap((side) => stacks[side].members.map((m) => [`${m.name}, ${label[side]}`, peakMemoryMB(m.child.pid)])),
    );

    const lines = ["# The journey near its Cypher (`npm run bench:subgraph`)", ""];
    lines.push(
      `Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${quick ? " (--quick: too few requests to trust)" : ""} on the demo graph (${neo4jVersion}), service ${serviceId}; ${machineLine(loadBefore)}. ` +
        `Two whole stacks (three subgraphs and a gateway each, production settings), one from ${before} (before) and one from this checkout (after), over the same Neo4j; ` +
        `measured interleaved (${rounds} rounds, each a batch of ${batchSizes[1]} requests at concurrency 1 and ${batchSizes[10]} at concurrency 10 of every way in turn, the order rotating). ` +
        "Every request is a reader's. The machine is shared and was busy, so the ratios, not the absolute figures, are the result.",
      "",
      "## journey",
      "",
      ...cellTable(cells, "journey", [floorWay, ...Object.values(ways)], ways.subgraphBefore),
      "",
      ...floorLines(cells, "journey", Object.values(ways), floorWay),
      "",
      "## journey (generated fields, three subgraphs)",
      "",
      ...cellTable(cells, "journey (generated fields, three subgraphs)", [floorWay, ways.gatewayBefore, ways.gatewayAfter], ways.gatewayBefore),
      "",
      ...floorLines(cells, "journey (generated fields, three subgraphs)", [ways.gatewayBefore, ways.gatewayAfter], floorWay, "journey"),
      "",
      "## Peak resident memory (VmHWM, MB)",
      "",
      ...peakMemoryTable(peaks),
      "",
    );
    writeBenchmarkPage("subgraph", lines, { before, rounds, batchSizes, neo4jVersion, loadBefore, cells, peaks });
  } finally {
    await driver.close();
  }
}

runStoppingAll(main, async () => ownNeo4j?.stop());
