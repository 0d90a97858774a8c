/**
 * npm run bench:cache [-- --before <checkout>] [-- --neo4j bolt://127.0.0.1:7687 | --neo4j-port 7697] [-- --rounds 8] [-- --profile <dir>]
 *
 * The cached journey (issue 17's goal: at c10 a p95 of at most 10 ms, and a write seen by the next
 * read): the journey asked by one reader again and again, so all but the first are answers from the
 * gateway's response cache (gateway/response-cache.ts). With `--before <dir>` (a checkout of an earlier
 * commit, with node_modules) that checkout's gateway runs beside this one's, over the same three
 * subgraph processes (this checkout's) and the same Neo4j, the cells interleaved (bench/side-by-side.ts)
 * so a busy machine slows both alike. Before measuring, each gateway is checked to answer as the other
 * does and to see a write made straight to Neo4j on its next read; after, each gateway's peak resident
 * memory (VmHWM) and its cache lookups. `--profile <dir>` writes each gateway's CPU profile to
 * <dir>/<checkout's folder name> when it stops.
 *
 * Over a Neo4j of its own (port 7697, data in .neo4j/bench-cache) unless --neo4j names one, which is
 * then migrated and seeded with the demo data. Writes docs/benchmarks/cache.md and cache.json.
 */
import { loadavg } from "node:os";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Driver } from "neo4j-driver";
import { parseConfig, subgraphNames } from "../platform/config.js";
import { repoRoot } from "../platform/paths.js";
import { keysForThisRun } from "../platform/demo-tokens.js";
import { createDriver } from "../graph/neo4j.js";
import { migrate } from "../graph/migrate.js";
import { seedDemoData } from "../data/seed/seed.js";
import type { LocalNeo4j } from "../graph/local-neo4j.js";
import { graphqlRequest, type Request } from "./load.js";
import { cellTable, machineLine, measureInterleaved, peakMemoryTable, writeBenchmarkPage, type Cell } from "./side-by-side.js";
import { journeyQuery } from "./operations.js";
import { graphVersionOf } from "../gateway/graph-version.js";
import { freePort, peakMemoryMB, runStoppingAll, startDemoNeo4j, startNode, subgraphPorts, waitUntilOk } from "./processes.js";

const args = parseArgs({
  options: {
    before: { type: "string" },
    neo4j: { type: "string" },
    "neo4j-port": { type: "string", default: "7697" },
    rounds: { type: "string", default: "8" },
    profile: { type: "string" },
  },
}).values;
const rounds = Number(args.rounds);
const batchSizes = { 1: 20, 10: 100 };
const password = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" }).NEO4J_PASSWORD;
const serviceId = "starting-a-business";
const log = (line: string) => console.error(line);
const versionWay = "the graph's version alone (gateway/graph-version.ts)";

async function answer(url: string, token: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: journeyQuery, variables: { serviceId } }),
  });
  const json = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (!response.ok || json.errors?.length || !json.data) throw new Error(`HTTP ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
  return JSON.stringify(json.data);
}

/** Whether a stage's name changed straight in Neo4j (as an import or cypher-shell would) is in the gateway's next answer. */
async function seesDirectWrite(driver: Driver, url: string, token: string): Promise<boolean> {
  await answer(url, token);
  const marker = `cache-bench-${Date.now()}`;
  const { records } = await driver.executeQuery(
    "MATCH (:Service {id: $serviceId})-[:HAS_STAGE]->(stage:Stage) WITH stage LIMIT 1 WITH stage, stage.name AS was SET stage.name = $marker RETURN was",
    { serviceId, marker },
  );
  if (records.length === 0) throw new Error(`no stage of ${serviceId} found to change`);
  try {
    return (await answer(url, token)).includes(marker);
  } finally {
    await driver.executeQuery("MATCH (stage:Stage {name: $marker}) SET stage.name = $was", { marker, was: records[0]!.get("was") as string });
  }
}

let ownNeo4j: LocalNeo4j | undefined;

async function openNeo4j(): Promise<{ uri: string; driver: Driver }> {
  if (args.neo4j) {
    const driver = createDriver({ NEO4J_URI: args.neo4j, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: password });
    await migrate(driver);
    await seedDemoData(driver);
    return { uri: args.neo4j, driver };
  }
  const { server, driver } = await startDemoNeo4j({ name: "bench-cache", port: Number(args["neo4j-port"]), password, log });
  ownNeo4j = server;
  return { uri: server.uri, driver };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const { uri, driver } = await openNeo4j();
  try {
    const keys = await keysForThisRun(parseConfig({}));
    const reader = keys.tokens.find((t) => t.role === "reader")!.token;
    const { ports, env: shared } = await subgraphPorts(uri, password);
    // One client asking as fast as the stack answers: the per-client rate limit would measure itself.
    const env = { ...shared, SUBGRAPH_TIMEOUT_MS: "30000", GATEWAY_RATE_LIMIT_PER_SECOND: "0", GATEWAY_RESPONSE_CACHE: "true", ...keys.env };
    const subgraphs = subgraphNames.map((name) => ({ name, child: startNode(`The ${name} subgraph`, `subgraphs/${name}/index.ts`, env) }));
    await Promise.all(
      subgraphs.map(({ name, child }) =>
        waitUntilOk(`The ${name} subgraph`, async () => (await fetch(`http://127.0.0.1:${ports[name]}/readiness`)).ok, child, 120_000),
      ),
    );
    const checkouts = [
      ...(args.before ? [{ name: `before (${basename(resolve(args.before))})`, root: resolve(args.before) }] : []),
      { name: "after", root: repoRoot },
    ];
    const gateways = [];
    for (const checkout of checkouts) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      const profile = args.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(args.profile, basename(checkout.root))}` } : {};
      const child = startNode(`The gateway, ${checkout.name}`, "gateway/index.ts", { ...env, ...profile, GATEWAY_PORT: String(port) }, [], checkout.root);
      await waitUntilOk(checkout.name, async () => (await fetch(url.replace(/graphql$/, "readiness"))).ok, child, 180_000);
      gateways.push({ ...checkout, url, child });
    }
    const reference = await answer(gateways[0]!.url, reader);
    const checks: string[] = [];
    for (const { name, url } of gateways) {
      const same = (await answer(url, reader)) === reference;
      checks.push(
        `${name}: ${same ? "the same answer as the first gateway's, byte for byte" : "a DIFFERENT answer"} (${reference.length.toLocaleString("en-GB")} bytes of JSON); a write straight to Neo4j ${(await seesDirectWrite(driver, url, reader)) ? "seen" : "NOT SEEN"} by the next read`,
      );
      log(checks.at(-1)!);
    }
    // Started, supergraph loaded, each answer kept: what the load adds is the difference.
    const peaksAtReady = Object.fromEntries(gateways.map(({ name, child }) => [`${name}, when ready`, peakMemoryMB(child.pid)]));
    const ways: [string, Request][] = gateways.map(({ name, url }) => [
      name,
      graphqlRequest(url, journeyQuery, { serviceId }, { authorization: `Bearer ${reader}` }),
    ]);
    // What every hit waits for, alone: the graph's version read from Neo4j (shared as the gateway shares it), in this process.
    const version = graphVersionOf(driver);
    ways.push([versionWay, async () => ((await version()) ? null : "no version")]);
    const cells: Cell[] = await measureInterleaved("cached journey", ways, { rounds, batchSizes, log });
    const peaks = { ...peaksAtReady, ...Object.fromEntries(gateways.map(({ name, child }) => [`${name}, after the load`, peakMemoryMB(child.pid)])) };
    for (const { name, child } of subgraphs) peaks[`${name} subgraph`] = peakMemoryMB(child.pid);
    const lookups: Record<string, string> = {};
    for (const { name, url } of gateways) {
      const text = await (await fetch(url.replace(/graphql$/, "metrics"))).text();
      lookups[name] = [...text.matchAll(/^graphql_gateway_response_cache_total\{result="(\w+)"\} (\d+)/gm)].map((m) => `${m[2]} ${m[1]}`).join(", ");
    }
    report(
      cells,
      checks,
      peaks,
      lookups,
      gateways.map((g) => g.name),
      loadBefore,
    );
  } finally {
    await driver.close();
  }
}

function report(cells: Cell[], checks: string[], peaks: Record<string, number | null>, lookups: Record<string, string>, names: string[], loadBefore: number[]) {
  const at = (way: string, c: number) => cells.find((cell) => cell.way === way && cell.concurrency === c)!;
  const first = names[0]!;
  const last = names.at(-1)!;
  const command = `npm run bench:cache${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const lines = [
    "# The cached journey (`npm run bench:cache`)",
    "",
    `Command: \`${command}\`. Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on the demo graph; ${machineLine(loadBefore)}. ` +
      `The journey asked by one reader again and again (all but the first answered from the response cache, Neo4j's bookmark read first); ` +
      `${rounds} rounds, each a batch of ${batchSizes[1]} requests at concurrency 1 and ${batchSizes[10]} at concurrency 10 of every gateway in turn, the order rotating. ` +
      "Each gateway is its own process over the same three subgraph processes and Neo4j.",
    "",
    "## Checks",
    "",
    ...checks.map((line) => `- ${line}`),
    "",
    "## Latency",
    "",
    ...cellTable(cells, "cached journey", [...names, versionWay], first),
    "",
    `The last row is the floor of a hit: the read of Neo4j's bookmark that every cached answer waits for (one in flight, the requests arriving meanwhile sharing the next), asked from the benchmark's own process by the same clients.`,
    "",
    ...(names.length > 1
      ? [
          `After vs before: c1 p50 ${(at(last, 1).p50 / at(first, 1).p50).toFixed(2)}×, c10 p50 ${(at(last, 10).p50 / at(first, 10).p50).toFixed(2)}×, c10 p95 ${(at(last, 10).p95 / at(first, 10).p95).toFixed(2)}×, c10 requests a second ${(at(last, 10).requestsPerSecond / at(first, 10).requestsPerSecond).toFixed(2)}×.`,
          "",
        ]
      : []),
    "## Cache lookups (each gateway's /metrics after the run)",
    "",
    ...Object.entries(lookups).map(([name, counts]) => `- ${name}: ${counts}`),
    "",
    "## Peak resident memory (VmHWM, MB, over the whole run)",
    "",
    ...peakMemoryTable(peaks),
    "",
  ];
  writeBenchmarkPage("cache", lines, { command, rounds, batchSizes, loadBefore, checks, cells, peaks, lookups });
}

runStoppingAll(main, async () => ownNeo4j?.stop());
