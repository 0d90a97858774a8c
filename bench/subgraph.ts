/**
 * npm run bench:subgraph -- --before <checkout> [-- --neo4j bolt://127.0.0.1:7687] [-- --rounds 4] [-- --quick]
 * npm run bench:subgraph -- --profile <dir> [-- --before <checkout>] [-- --profile-requests 300] [-- --neo4j …]
 *
 * The journey near its Cypher: the floor (the journey's one Cypher query through neo4j-driver), the
 * services subgraph's own query alone (what its resolver runs, dated and filterable), the services
 * subgraph asked directly and the gateway, each as another checkout runs it (--before, for
 * example a worktree of main before a change) and as this one does, all over the same Neo4j holding the
 * demo data, measured interleaved (bench/side-by-side.ts). The generated-fields journey, across the three
 * subgraphs, goes through each checkout's gateway. Over a Neo4j of its own (port 7695, data in
 * .neo4j/bench-subgraph) unless --neo4j names one. Writes docs/benchmarks/subgraph.md and subgraph.json.
 * The gateways' response cache is off: a cached answer is bench:cache's measure, this one's is the work.
 *
 * With --profile, nothing is measured: each checkout's stack in turn (--before's, then this one's) runs
 * under `node --cpu-prof` (<dir>/<checkout's folder>/<process>/), is sent --profile-requests
 * journeys to the services subgraph, as many through the gateway and as many generated-fields journeys,
 * one at a time, and the self time of each process in each phase is written to <dir>/summary.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
import { journeyQuery as subgraphJourneyCypher, today } from "../subgraphs/services/resolvers/analysis.js";
import { mainThreadProfile, peakMemoryMB, runStoppingAll, startDemoNeo4j, startProcessStack, stopAll, type ProcessStack } from "./processes.js";
import { profileTables, summariseProfile } from "./cpu-profile.js";
import { cellTable, floorLines, machineLine, measureInterleaved, peakMemoryTable, writeBenchmarkPage, type Cell } from "./side-by-side.js";

const args = parseArgs({
  options: {
    before: { type: "string" },
    neo4j: { type: "string" },
    "neo4j-port": { type: "string", default: "7695" },
    rounds: { type: "string" },
    quick: { type: "boolean", default: false },
    profile: { type: "string" },
    "profile-requests": { type: "string", default: "300" },
  },
}).values;
if (!args.before && !args.profile) throw new Error("--before <checkout> is required: the checkout to measure this one against.");
const before = resolve(args.before ?? repoRoot);
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 4));
const batchSizes = quick ? { 1: 3, 10: 10 } : { 1: 10, 10: 30 };
const password = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" }).NEO4J_PASSWORD;
const serviceId = "starting-a-business";
const log = (line: string) => console.error(line);
const floorWay = "floor (one Cypher query)";
const ownCypherWay = "the services subgraph's own Cypher (this checkout)";
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

/** Production settings, no rate limit, and no response cache: what is measured is the work of answering. */
const stackEnv = { SERVICE_GRAPH_ENV: "production", GATEWAY_RATE_LIMIT_PER_SECOND: "0", GATEWAY_RESPONSE_CACHE: "false" };

/** The monotonic clock in microseconds, as V8's profiler stamps its samples. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** --profile: each checkout's stack under the profiler in turn, the journeys sent one at a time, each process's self time per phase. */
async function profile(dir: string, uri: string): Promise<void> {
  const requests = Number(args["profile-requests"]);
  const checkouts = [...(args.before ? [{ name: basename(before), root: before }] : []), { name: `${basename(repoRoot)} (this checkout)`, root: repoRoot }];
  const lines = [`# CPU profiles of the journey (\`npm run bench:subgraph -- --profile\`), ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`, ""];
  for (const checkout of checkouts) {
    const profileDir = resolve(dir, basename(checkout.root));
    mkdirSync(profileDir, { recursive: true });
    log(`Profiling ${checkout.root} (${requests} requests a phase)…`);
    const stack = await startProcessStack({ neo4jUri: uri, password, env: stackEnv, root: checkout.root, label: checkout.name, profileDir });
    const { reader, renew } = await readerOf(stack);
    const phases: [string, () => Request][] = [
      ["journey, services subgraph", () => graphqlRequest(stack.subgraphUrls.services, journeyQuery, { serviceId }, reader.signed)],
      ["journey, gateway", () => graphqlRequest(stack.gatewayUrl, journeyQuery, { serviceId }, reader.client)],
      ["generated-fields journey, gateway", () => graphqlRequest(stack.gatewayUrl, generatedFields, { serviceId }, reader.client)],
    ];
    const windows: { phase: string; fromUs: number; toUs: number }[] = [];
    for (const [phase, request] of phases) {
      await renew();
      const send = request();
      for (let i = 0; i < 10; i++) await send();
      const fromUs = nowUs();
      for (let i = 0; i < requests; i++) {
        const error = await send();
        if (error) throw new Error(`${phase}: ${error.slice(0, 300)}`);
      }
      windows.push({ phase, fromUs, toUs: nowUs() });
    }
    // The profiles are written as each process exits; the phases' windows beside them, for a closer look.
    await stopAll();
    writeFileSync(resolve(profileDir, "phases.json"), JSON.stringify(windows, null, 2));
    lines.push(`## ${checkout.name}`, "");
    const processes: Record<string, string[]> = {
      "journey, services subgraph": ["services-subgraph"],
      "journey, gateway": ["gateway", "services-subgraph"],
      "generated-fields journey, gateway": ["gateway", "services-subgraph", "people-subgraph", "organisations-subgraph"],
    };
    for (const window of windows) {
      lines.push(`### ${window.phase}: ${requests} requests in ${((window.toUs - window.fromUs) / 1e6).toFixed(1)} s`, "");
      for (const member of processes[window.phase]!) {
        lines.push(`#### ${member}`, "", ...profileTables(summariseProfile(mainThreadProfile(resolve(profileDir, member)), window), 20, requests), "");
      }
    }
  }
  writeFileSync(resolve(dir, "summary.md"), lines.join("\n"));
  log(`Written: ${resolve(dir, "summary.md")}`);
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const { uri, driver, neo4jVersion } = await openNeo4j();
  if (args.profile) {
    try {
      return await profile(resolve(args.profile), uri);
    } finally {
      await driver.close();
    }
  }
  try {
    const env = stackEnv;
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
    // What the journey's resolver runs, as it runs it for a reader (people filtered by nothing, 20 a stage): the subgraph's share of the cost is the rest.
    const ownCypher: Request = async () => {
      const { records } = await driver.executeQuery(
        subgraphJourneyCypher,
        { serviceId, asAt: today(), skip: neo4j.int(0), limit: neo4j.int(20), organisationIds: null, professionIds: null },
        { routing: neo4j.routing.READ },
      );
      return records.length > 0 ? null : "the subgraph's query returned no rows";
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
          [ownCypherWay, ownCypher],
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
        "Every request is a reader's; the gateways' response cache is off. The machine is shared and was busy, so the ratios, not the absolute figures, are the result.",
      "",
      "## journey",
      "",
      ...cellTable(cells, "journey", [floorWay, ownCypherWay, ...Object.values(ways)], ways.subgraphBefore),
      "",
      ...floorLines(cells, "journey", [ownCypherWay, ...Object.values(ways)], floorWay),
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
