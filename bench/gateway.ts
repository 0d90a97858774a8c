/**
 * npm run bench:gateway [-- --neo4j bolt://127.0.0.1:7687] [-- --rounds 4] [-- --quick]
 *
 * Gateways side by side on the demo graph: each way of running our gateway (query planner,
 * document cache, production settings) and @apollo/gateway, each its own process, over the same three
 * subgraph processes, beside the services subgraph asked directly, the floor (the journey's one
 * Cypher query) and, for the generated-fields journey, the single-server peer (bench/single-server.ts:
 * one @neo4j/graphql server over the three schemas, no federation). The cells are interleaved: each
 * round runs a short batch of every way in turn (the order rotating), so a machine busy with other work
 * slows every way alike; the figures are over all rounds. Before measuring, every way's answer is
 * compared with the first gateway's.
 *
 * Over a Neo4j of its own (port 7696, data in .neo4j/bench-gateway, seeded with the demo data) unless
 * --neo4j names one that holds the demo data. Writes docs/benchmarks/gateway.md and gateway.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import neo4j, { type Driver } from "neo4j-driver";
import { parseConfig, subgraphNames } from "../platform/config.js";
import { repoRoot } from "../platform/paths.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../platform/caller.js";
import { keysForThisRun } from "../platform/demo-tokens.js";
import { createDriver } from "../graph/neo4j.js";
import type { LocalNeo4j } from "../graph/local-neo4j.js";
import { graphqlRequest, type Request } from "./load.js";
import { answer, cellTable, floorLines, machineLine, measureInterleaved, sameness, times, type Cell } from "./side-by-side.js";
import { journey as journeyFloor } from "./floor-queries.js";
import { journeyQuery } from "./operations.js";
import { freePort, peakMemoryMB, runStoppingAll, startDemoNeo4j, startNode, subgraphPorts, waitUntilOk } from "./processes.js";

const args = parseArgs({
  options: {
    neo4j: { type: "string" },
    "neo4j-port": { type: "string", default: "7696" },
    rounds: { type: "string" },
    quick: { type: "boolean", default: false },
  },
}).values;
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 4));
/** Requests per batch at each concurrency: a round is one batch of every way. */
const batchSizes = quick ? { 1: 3, 10: 10 } : { 1: 8, 10: 30 };
const password = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" }).NEO4J_PASSWORD;
const subgraphTimeoutMs = 30_000;
const log = (line: string) => console.error(line);

/** A gateway to run: our gateway with these settings, or the peer. */
interface GatewayWay {
  name: string;
  entry: string;
  env: Record<string, string>;
  /** The peer checks no client token: it gets the token our gateway would sign for the subgraphs. */
  peer?: true;
}

const baseline = "JavaScript planner";
const uncached = { GATEWAY_RESPONSE_CACHE: "false" };
const gatewayWays: GatewayWay[] = [
  { name: baseline, entry: "gateway/index.ts", env: { ...uncached, GATEWAY_QUERY_PLANNER: "javascript" } },
  {
    name: "JavaScript planner, no document cache",
    entry: "gateway/index.ts",
    env: { ...uncached, GATEWAY_QUERY_PLANNER: "javascript", GATEWAY_DOCUMENT_CACHE_BYTES: "0" },
  },
  { name: "Rust planner", entry: "gateway/index.ts", env: { ...uncached, GATEWAY_QUERY_PLANNER: "rust" } },
  { name: "Rust planner, production", entry: "gateway/index.ts", env: { ...uncached, GATEWAY_QUERY_PLANNER: "rust", SERVICE_GRAPH_ENV: "production" } },
  // The same requests again and again: after the first, each is answered from the cache (gateway/response-cache.ts), Neo4j's bookmark read first.
  { name: "Rust planner, response cache", entry: "gateway/index.ts", env: { GATEWAY_QUERY_PLANNER: "rust", GATEWAY_RESPONSE_CACHE: "true" } },
  { name: "@apollo/gateway", entry: "bench/apollo-gateway.ts", env: {}, peer: true },
];
const floorWay = "floor (one Cypher query)";
const subgraphWay = "services subgraph alone";
const singleServerWay = "single server (no federation)";
/** Our gateway as it ships (the Rust planner), its response cache off: the way issue 17's goals are checked for. */
const shippedWay = "Rust planner";

interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Answered by the services subgraph alone, and so measured there too. */
  servicesOnly: boolean;
  /** Measured against the journey's Cypher. */
  floor: boolean;
  /** Answered by the single-server peer too (it serves only the generated fields), and so measured there. */
  singleServer?: true;
}

const serviceId = "starting-a-business";
const benchOperations: Operation[] = [
  { name: "journey", query: journeyQuery, variables: { serviceId }, servicesOnly: true, floor: true },
  {
    name: "journey (generated fields, three subgraphs)",
    query: readFileSync(resolve(repoRoot, "gateway/examples/journey-trace.graphql"), "utf8"),
    variables: { serviceId },
    servicesOnly: false,
    floor: true,
    singleServer: true,
  },
  {
    name: "handoffs",
    query: `query Handoffs($serviceId: ID!) { handoffs(serviceId: $serviceId) { totalCount edges { node {
      fromStage { id name position } toStage { id name position } from { id name } to { id name } continuing { id name } } } } }`,
    variables: { serviceId },
    servicesOnly: true,
    floor: false,
  },
];

/** The headers are read when each request is made: the signed token changes every round. */
const graphql =
  (url: string, op: Operation, headers: () => Record<string, string>): Request =>
  () =>
    graphqlRequest(url, op.query, op.variables, headers())();

function floorRequest(driver: Driver): Request {
  return async () => {
    const { records } = await driver.executeQuery(journeyFloor, { serviceId, peoplePerStage: neo4j.int(20) }, { routing: neo4j.routing.READ });
    return records.length > 0 ? null : "the floor query returned no rows";
  };
}

/** The response cache's lookups by result, from a gateway's /metrics. */
async function cacheLookups(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url.replace(/graphql$/, "metrics"))).text();
  return Object.fromEntries([...text.matchAll(/^graphql_gateway_response_cache_total\{result="(\w+)"\} (\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
}

function report(
  cells: Cell[],
  sameAnswers: string[],
  peaks: Record<string, number | null>,
  neo4jVersion: string,
  loadBefore: number[],
  lookups: Record<string, Record<string, number>>,
) {
  const lines: string[] = ["# Gateways side by side (`npm run bench:gateway`)", ""];
  lines.push(
    `Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC${quick ? " (--quick: too few requests to trust)" : ""} on the demo graph (${neo4jVersion}); ${machineLine(loadBefore)}. ` +
      "The machine is shared, so absolute figures are noisy: the ways were measured interleaved " +
      `(${rounds} rounds, each a batch of ${batchSizes[1]} requests at concurrency 1 and ${batchSizes[10]} at concurrency 10 of every way in turn, the order rotating), so the ratios are the result. ` +
      "Every request is a reader's (who sees people's names). Each gateway is its own process over the same three subgraph processes; " +
      `the "${singleServerWay}" is one @neo4j/graphql server over the three schema files together, its own process over the same Neo4j (bench/single-server.ts), for the generated-fields journey only, ` +
      "plain: none of the subgraph kit's steps or bounds (each subgraph runs at most SUBGRAPH_MAX_CONCURRENT_QUERIES, 2, of its generated queries at once, which the c10 cells feel) and none of the gateway's limits; " +
      `"${baseline}" is the gateway as it was before the Rust planner was tried (Hive Gateway ${runtimeVersion()}, the runtime's own query planner, development settings).`,
    "",
  );
  lines.push("## Same answers", "", ...sameAnswers.map((line) => `- ${line}`), "");
  for (const op of benchOperations) {
    const ways = [
      ...(op.floor ? [floorWay] : []),
      ...(op.servicesOnly ? [subgraphWay] : []),
      ...(op.singleServer ? [singleServerWay] : []),
      ...gatewayWays.map((w) => w.name),
    ];
    lines.push(`## ${op.name}`, "", ...cellTable(cells, op.name, ways, baseline), "");
    if (op.floor) lines.push(...floorLines(cells, op.name, [...(op.singleServer ? [singleServerWay] : []), ...gatewayWays.map((w) => w.name)], floorWay), "");
    if (op.singleServer) lines.push(...priceOfFederation(cells, op.name), "");
  }
  lines.push("## Response cache lookups (its /metrics after the run)", "");
  for (const [name, counts] of Object.entries(lookups))
    lines.push(
      `- ${name}: ${
        Object.entries(counts)
          .map(([result, n]) => `${n.toLocaleString("en-GB")} ${result}`)
          .join(", ") || "none"
      }`,
    );
  lines.push("");
  lines.push("## Peak resident memory (VmHWM, MB)", "", "| process | MB |", "| --- | ---: |");
  for (const [name, mb] of Object.entries(peaks)) lines.push(`| ${name} | ${mb ?? "–"} |`);
  lines.push("");
  const dir = resolve(repoRoot, "docs/benchmarks");
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, "gateway.md"), lines.join("\n"));
  writeFileSync(
    resolve(dir, "gateway.json"),
    JSON.stringify({ rounds, batchSizes, neo4jVersion, loadBefore, sameAnswers, cells, peaks, lookups }, null, 2) + "\n",
  );
  log(lines.join("\n"));
}

/**
 * Issue 17's goal for the generated-fields journey, checked for our gateway as it ships: c1 p50 at most
 * 1.3× the single-server peer's and at most 2× the floor's; with every gateway's ratios beside it.
 */
function priceOfFederation(cells: Cell[], operation: string): string[] {
  const at = (way: string, c: number) => cells.find((x) => x.operation === operation && x.way === way && x.concurrency === c);
  const peer1 = at(singleServerWay, 1);
  const peer10 = at(singleServerWay, 10);
  const floor1 = at(floorWay, 1);
  if (!peer1 || !peer10 || !floor1) return [];
  const lines = [
    "The price of federation: each gateway against the single-server peer (c1 p50 as a multiple of its, c10 requests a second as a share of its).",
    "",
  ];
  for (const way of gatewayWays) {
    const c1 = at(way.name, 1);
    const c10 = at(way.name, 10);
    if (c1 && c10)
      lines.push(
        `- ${way.name}: c1 p50 ${times(c1.p50 / peer1.p50)}, c10 p50 ${times(c10.p50 / peer10.p50)} the peer's; at c10 ${Math.round((100 * c10.requestsPerSecond) / peer10.requestsPerSecond)}% of its requests a second`,
      );
  }
  const shipped = at(shippedWay, 1);
  if (shipped) {
    const toPeer = shipped.p50 / peer1.p50;
    const toFloor = shipped.p50 / floor1.p50;
    lines.push(
      "",
      `Goal (issue 17), "${shippedWay}" at c1: ≤ 1.3× the single server, ${times(toPeer)}: ${toPeer <= 1.3 ? "met" : "**missed**"}; ` +
        `≤ 2× the floor, ${times(toFloor)}: ${toFloor <= 2 ? "met" : "**missed**"}.`,
    );
  }
  return lines;
}

function runtimeVersion(): string {
  const read = (name: string) => (JSON.parse(readFileSync(resolve(repoRoot, `node_modules/${name}/package.json`), "utf8")) as { version: string }).version;
  return `runtime ${read("@graphql-hive/gateway-runtime")}, router runtime ${read("@graphql-hive/router-runtime")}`;
}

let ownNeo4j: LocalNeo4j | undefined;

async function openNeo4j(): Promise<{ uri: string; driver: Driver; neo4jVersion: string }> {
  if (args.neo4j) {
    const driver = createDriver({ NEO4J_URI: args.neo4j, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: password });
    const version = await driver.executeQuery("CALL dbms.components() YIELD versions, edition RETURN 'Neo4j ' + versions[0] + ' ' + edition AS version");
    const { records } = await driver.executeQuery("MATCH (s:Service {id: $serviceId}) RETURN count(s) AS n", { serviceId });
    if (Number(records[0]?.get("n")) === 0) throw new Error(`${args.neo4j} holds no service ${serviceId}: seed it with the demo data first (npm run seed).`);
    return { uri: args.neo4j, driver, neo4jVersion: String(version.records[0]?.get("version")) };
  }
  const { server, driver, neo4jVersion } = await startDemoNeo4j({ name: "bench-gateway", port: Number(args["neo4j-port"]), password, log });
  ownNeo4j = server;
  return { uri: server.uri, driver, neo4jVersion };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const { uri, driver, neo4jVersion } = await openNeo4j();
  try {
    const keys = await keysForThisRun(parseConfig({}));
    const { ports, subgraphUrls, env: shared } = await subgraphPorts(uri, password);
    // One client asking as fast as the stack answers: the per-client rate limit would measure itself.
    const env = { ...shared, SUBGRAPH_TIMEOUT_MS: String(subgraphTimeoutMs), GATEWAY_RATE_LIMIT_PER_SECOND: "0", ...keys.env };
    log(`Starting the three subgraphs and ${gatewayWays.length} gateways…`);
    const subgraphs = subgraphNames.map((name) => ({ name, child: startNode(`The ${name} subgraph`, `subgraphs/${name}/index.ts`, env) }));
    await Promise.all(
      subgraphs.map(({ name, child }) =>
        waitUntilOk(`The ${name} subgraph`, async () => (await fetch(`http://127.0.0.1:${ports[name]}/readiness`)).ok, child, 120_000),
      ),
    );
    // One after another: on a busy machine, six starting at once take minutes each.
    const gateways = [];
    for (const way of gatewayWays) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      const child = startNode(way.name, way.entry, { ...env, ...way.env, GATEWAY_PORT: String(port) });
      await waitUntilOk(way.name, async () => (await answer(url, "{ __typename }", {}, {})) !== "", child, 180_000);
      gateways.push({ way, url, child });
    }
    const singleServerPort = await freePort();
    const singleServer = {
      url: `http://127.0.0.1:${singleServerPort}/graphql`,
      child: startNode(singleServerWay, "bench/single-server.ts", { ...env, GATEWAY_PORT: String(singleServerPort) }),
    };
    await waitUntilOk(singleServerWay, async () => (await answer(singleServer.url, "{ __typename }", {}, {})) !== "", singleServer.child, 180_000);
    const reader = keys.tokens.find((t) => t.role === "reader")!;
    // Signed afresh for each batch: the subgraphs' token lives two minutes.
    let signed = "";
    const sign = async () => {
      signed = await signGatewayToken(viewerFromClaims({ sub: "bench-reader", roles: ["reader"] }), keys.env["SUBGRAPH_SECRET"]!);
    };
    await sign();
    const headers = {
      client: { authorization: `Bearer ${reader.token}` },
      get signed() {
        return { authorization: `Bearer ${reader.token}`, [gatewayTokenHeader]: signed };
      },
    };

    const sameAnswers: string[] = [];
    for (const op of benchOperations) {
      const reference = await answer(gateways[0]!.url, op.query, op.variables, headers.client);
      const differ: string[] = [];
      for (const { way, url } of gateways.slice(1)) {
        const got = await answer(url, op.query, op.variables, way.peer ? headers.signed : headers.client).catch((error: Error) => error.message);
        if (got !== reference) differ.push(way.name);
      }
      sameAnswers.push(
        differ.length === 0
          ? `${op.name}: every gateway's answer is the same as "${baseline}"'s, byte for byte (${reference.length.toLocaleString("en-GB")} bytes of JSON)`
          : `${op.name}: DIFFERENT from "${baseline}"'s in ${differ.join(", ")}`,
      );
      log(sameAnswers.at(-1)!);
      if (op.singleServer) {
        const got = await answer(singleServer.url, op.query, op.variables, headers.signed).catch((error: Error) => error.message);
        sameAnswers.push(`${op.name}: the ${singleServerWay}'s answer ${sameness(got, reference)} "${baseline}"'s`);
        log(sameAnswers.at(-1)!);
      }
    }

    const cells: Cell[] = [];
    for (const op of benchOperations) {
      const ways: [string, Request][] = [
        ...(op.floor ? [[floorWay, floorRequest(driver)] as [string, Request]] : []),
        ...(op.servicesOnly ? [[subgraphWay, graphql(subgraphUrls.services, op, () => headers.signed)] as [string, Request]] : []),
        ...(op.singleServer ? [[singleServerWay, graphql(singleServer.url, op, () => headers.signed)] as [string, Request]] : []),
        ...gateways.map(({ way, url }) => [way.name, graphql(url, op, () => (way.peer ? headers.signed : headers.client))] as [string, Request]),
      ];
      cells.push(...(await measureInterleaved(op.name, ways, { rounds, batchSizes, beforeRound: sign, log })));
    }
    const peaks: Record<string, number | null> = {};
    for (const { name, child } of subgraphs) peaks[`${name} subgraph`] = peakMemoryMB(child.pid);
    for (const { way, child } of gateways) peaks[way.name] = peakMemoryMB(child.pid);
    peaks[singleServerWay] = peakMemoryMB(singleServer.child.pid);
    const lookups: Record<string, Record<string, number>> = {};
    for (const { way, url } of gateways) if (way.env["GATEWAY_RESPONSE_CACHE"] === "true") lookups[way.name] = await cacheLookups(url);
    report(cells, sameAnswers, peaks, neo4jVersion, loadBefore, lookups);
  } finally {
    await driver.close();
  }
}

runStoppingAll(main, async () => ownNeo4j?.stop());
