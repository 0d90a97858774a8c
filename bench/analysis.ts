/**
 * npm run bench [-- --quick] [--graph demo|10k|civil-service] [--as-at]: the analysis operations'
 * latency on the 10,000-person graph and on the civil-service-scale graph, five ways side by side: our
 * gateway (Hive Gateway runtime), @apollo/gateway over the same subgraph processes, the owning subgraph
 * called directly, the floor (one Cypher query through neo4j-driver) and, for the generated-fields
 * journey, the single-server peer (one @neo4j/graphql server over the three schemas, no federation:
 * bench/single-server.ts), whose answer is first compared with our gateway's. The questions asked as on a
 * past date (`asAt`) are measured interleaved with today's, each way in rounds (bench/side-by-side.ts),
 * so that a busy machine slows both alike. Each graph lives on a Neo4j of its own (ports 7691, 7690 and,
 * for the demo data alone, 7692; data in .neo4j/bench-analysis-10k, .neo4j/bench-analysis and
 * .neo4j/bench-analysis-demo), built once and reused while its stamp matches. `--graph` runs one graph,
 * `--as-at` only the past-date questions and today's. Writes docs/benchmarks/analysis.json and
 * docs/benchmarks.md when both standard graphs ran in full, and docs/benchmarks/as-at.md and
 * as-at.json on every run (as-at-<graph> for one graph). Stops everything it started, also on failure.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import type { ChildProcess } from "node:child_process";
import neo4j, { type Driver } from "neo4j-driver";
import type { Scale } from "../data/generate/generate.js";
import { parseConfig, subgraphNames, type SubgraphName } from "../platform/config.js";
import { cacheDir, startLocalNeo4j, type LocalNeo4j } from "../graph/local-neo4j.js";
import { migrate } from "../graph/migrate.js";
import { createDriver } from "../graph/neo4j.js";
import { repoRoot } from "../platform/paths.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../platform/caller.js";
import { keysForThisRun } from "../platform/demo-tokens.js";
import { seedDemoData } from "../data/seed/seed.js";
import { graphqlRequest, runCell, type CellResult, type LoadBudget, type Request } from "./load.js";
import { operations, pastDate, pickSubjects, type Operation, type Subjects } from "./operations.js";
import { answer, measureInterleaved, sameness } from "./side-by-side.js";
import { writeAsAtReport } from "./as-at-report.js";
import { exited, freePort, peakMemoryMB, startNode, stopAll, subgraphPorts, waitUntilOk } from "./processes.js";
import { writeReport } from "./report.js";

export const ways = ["floor", "subgraph", "our gateway", "@apollo/gateway", "single server"] as const;
export type Way = (typeof ways)[number];

interface GraphSpec {
  name: string;
  label: string;
  port: number;
  /** The generator's scale; `demo` for the demo data alone (its history, no generated people). */
  scale: Scale | "demo";
  ways: readonly Way[];
}

export interface Cell extends CellResult {
  operation: string;
  way: Way;
}
export interface GraphResult {
  name: string;
  label: string;
  scale: Scale | "demo";
  people: number;
  neo4jVersion: string;
  subjects: Subjects;
  cells: Cell[];
  peakMemoryMB: Record<string, number | null>;
  incidents: string[];
  /** For each operation the single-server peer answers: how its answer compares with our gateway's. */
  sameAnswers: string[];
}

const quick = process.argv.includes("--quick");
const budgets: LoadBudget[] = quick
  ? [
      { concurrency: 1, requests: 10, seconds: 1, warmup: 1 },
      { concurrency: 10, requests: 30, seconds: 2, warmup: 1 },
    ]
  : [
      { concurrency: 1, requests: 60, seconds: 5, warmup: 3 },
      { concurrency: 10, requests: 200, seconds: 8, warmup: 3 },
    ];
const graphSpecs: Record<string, GraphSpec> = {
  "10k": { name: "bench-analysis-10k", label: "10,000-person graph", port: 7691, scale: "small", ways: ["floor", "our gateway"] },
  "civil-service": { name: "bench-analysis", label: "civil-service graph", port: 7690, scale: "civil-service", ways },
  demo: { name: "bench-analysis-demo", label: "demo graph", port: 7692, scale: "demo", ways: ["floor", "subgraph", "our gateway", "single server"] },
};
const graphArgument = process.argv.indexOf("--graph");
const graphName = graphArgument >= 0 ? process.argv[graphArgument + 1] : undefined;
if (graphName !== undefined && !(graphName in graphSpecs)) {
  console.error(`--graph must be one of ${Object.keys(graphSpecs).join(", ")}; it was ${graphName}.`);
  process.exit(1);
}
const graphs: GraphSpec[] = graphName ? [graphSpecs[graphName]!] : [graphSpecs["10k"]!, graphSpecs["civil-service"]!];
/** Only the questions asked as on a past date, and today's. */
const asAtOnly = process.argv.includes("--as-at");
/** The interleaved pairs' rounds: each way's batches add up to the budget's requests. */
const rounds = quick ? 2 : 5;
const generatorSeed = 2026;
// The longest either gateway waits for a subgraph: long enough that a slow operation is measured, not cut off.
const subgraphTimeoutMs = 60_000;
const password = parseConfig({ NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "" }).NEO4J_PASSWORD;
const log = (line: string) => console.error(line);

/** What a built graph depends on: a change to any of it rebuilds the graph. */
function graphStamp(spec: GraphSpec): string {
  const sources = [
    "data/generate/generate.ts",
    "graph/migrate.ts",
    ...readdirSync(resolve(repoRoot, "data/seed"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `data/seed/${f}`),
  ];
  const hash = createHash("sha256");
  for (const file of sources.sort()) hash.update(readFileSync(resolve(repoRoot, file)));
  return JSON.stringify({ scale: spec.scale, seed: generatorSeed, version: hash.digest("hex").slice(0, 16) });
}

let neo4jRunning: LocalNeo4j | undefined;

/** The graph's Neo4j, started, with the graph built unless the stamp says it is already there. */
async function openGraph(spec: GraphSpec): Promise<{ neo4j: LocalNeo4j; driver: Driver }> {
  const home = join(cacheDir, spec.name);
  const stampFile = join(home, "bench-graph.json");
  const stamp = graphStamp(spec);
  const built = existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
  if (!built) rmSync(home, { recursive: true, force: true });
  neo4jRunning = await startLocalNeo4j({ name: spec.name, port: spec.port, password, heap: "2g", log });
  const driver = createDriver({ NEO4J_URI: neo4jRunning.uri, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: password });
  await migrate(driver);
  if (!built) {
    log(`Building the ${spec.label} (scale ${spec.scale}, seed ${generatorSeed})…`);
    await seedDemoData(driver);
    // In a process of its own, so that the bench process's peak memory is the benchmark's.
    if (spec.scale !== "demo")
      await exited(
        startNode("generate", "bench/import-worker.ts", { NEO4J_URI: neo4jRunning.uri, NEO4J_PASSWORD: password }, ["generate", spec.scale, "10000"]),
      );
    writeFileSync(stampFile, stamp);
  }
  return { neo4j: neo4jRunning, driver };
}

interface Member {
  name: string;
  start(): ChildProcess;
  ready(): Promise<boolean>;
  child: ChildProcess;
  /** The highest VmHWM seen of this member's processes, read before each restart. */
  peakMB: number | null;
}

interface Stack {
  subgraphUrls: Record<SubgraphName, string>;
  gatewayUrls: Partial<Record<Way, string>>;
  members: Member[];
  /** Processes that stopped during the run, and when it was noticed. */
  incidents: string[];
  /** The run's keys: every request is a reader's, who sees the people a journey names. */
  keys: Awaited<ReturnType<typeof keysForThisRun>>;
}

async function launch(member: Omit<Member, "child" | "peakMB">): Promise<Member> {
  const child = member.start();
  await waitUntilOk(member.name, member.ready, child);
  return { ...member, child, peakMB: null };
}

/** The three subgraphs, our gateway and the peers the graph's ways name, each its own process on a free port. */
async function startStack(uri: string, graphWays: readonly Way[]): Promise<Stack> {
  const keys = await keysForThisRun(parseConfig({}));
  const { ports, subgraphUrls, env: shared } = await subgraphPorts(uri, password);
  const env = {
    ...shared,
    SUBGRAPH_TIMEOUT_MS: String(subgraphTimeoutMs),
    // The benchmark is one client asking as fast as the stack answers: the per-client rate limit would measure itself.
    GATEWAY_RATE_LIMIT_PER_SECOND: "0",
    // Each analysis is asked again and again: cached, the gateway would answer the first and measure itself after.
    GATEWAY_RESPONSE_CACHE: "false",
    ...keys.env,
  };
  const subgraphs = await Promise.all(
    subgraphNames.map((name) =>
      launch({
        name: `${name} subgraph`,
        start: () => startNode(`The ${name} subgraph`, `subgraphs/${name}/index.ts`, env),
        ready: async () => (await fetch(`http://127.0.0.1:${ports[name]}/readiness`)).ok,
      }),
    ),
  );
  const entries: Partial<Record<Way, string>> = {
    "our gateway": "gateway/index.ts",
    "@apollo/gateway": "bench/apollo-gateway.ts",
    "single server": "bench/single-server.ts",
  };
  const gateways = graphWays.flatMap((way): [Way, string][] => (entries[way] ? [[way, entries[way]]] : []));
  const gatewayUrls: Partial<Record<Way, string>> = {};
  const gatewayMembers = await Promise.all(
    gateways.map(async ([way, entry]) => {
      const port = await freePort();
      gatewayUrls[way] = `http://127.0.0.1:${port}/graphql`;
      const typename = graphqlRequest(gatewayUrls[way], "{ __typename }", {});
      return launch({ name: way, start: () => startNode(way, entry, { ...env, GATEWAY_PORT: String(port) }), ready: async () => (await typename()) === null });
    }),
  );
  return { subgraphUrls, gatewayUrls, members: [...subgraphs, ...gatewayMembers], incidents: [], keys };
}

/** Restarts any process of the stack that has stopped, so one crash does not spoil every later cell; the crash is reported. */
async function keepRunning(stack: Stack, after: string): Promise<void> {
  for (const [i, member] of stack.members.entries()) {
    if (member.child.exitCode === null && member.child.signalCode === null) continue;
    const incident = `${member.name} stopped (${member.child.signalCode ?? `exit code ${member.child.exitCode}`}) during or just after ${after}; restarted (its peak memory before the stop is lost)`;
    log(`  ${incident}`);
    stack.incidents.push(incident);
    stack.members[i] = { ...(await launch(member)), peakMB: member.peakMB };
  }
}

function peakMemory(stack: Stack): Record<string, number | null> {
  return Object.fromEntries(
    stack.members.map((m) => {
      const now = peakMemoryMB(m.child.pid);
      return [m.name, m.peakMB === null ? now : now === null ? m.peakMB : Math.max(now, m.peakMB)];
    }),
  );
}

/**
 * A reader's headers: the client token for our gateway, and the token a gateway signs for the
 * subgraphs, for the subgraph alone and for @apollo/gateway, which passes it on without checking a
 * client token. That one lives two minutes, less than a slow cell takes (departmentMatrix at c10 on
 * the civil-service graph): each request asks for the headers, signed again once a minute old.
 */
type ReaderHeaders = () => Promise<Record<string, string>>;

function readerHeaders(stack: Stack): ReaderHeaders {
  const reader = stack.keys.tokens.find((t) => t.role === "reader")!;
  let signed: { at: number; headers: Promise<Record<string, string>> } | undefined;
  return () => {
    if (!signed || performance.now() - signed.at > 60_000) {
      const headers = signGatewayToken(viewerFromClaims({ sub: "bench-reader", roles: ["reader"] }), stack.keys.env["SUBGRAPH_SECRET"]!).then(
        (gatewayToken) => ({ authorization: `Bearer ${reader.token}`, [gatewayTokenHeader]: gatewayToken }),
      );
      signed = { at: performance.now(), headers };
    }
    return signed.headers;
  };
}

/** A GraphQL request whose headers are asked for as it is sent. */
const signedRequest =
  (url: string, query: string, variables: Record<string, unknown>, headers: ReaderHeaders): Request =>
  async () =>
    graphqlRequest(url, query, variables, await headers())();

function requestFor(op: Operation, way: Way, stack: Stack, driver: Driver, headers: ReaderHeaders): Request | null {
  if (way === "floor") {
    if ("sameAs" in op.floor) return null;
    const { cypher, parameters } = op.floor;
    return async () => {
      const { records } = await driver.executeQuery(cypher, parameters, { routing: neo4j.routing.READ });
      return records.length > 0 ? null : "the floor query returned no rows";
    };
  }
  if (way === "subgraph") {
    return op.direct ? signedRequest(stack.subgraphUrls[op.direct], op.directQuery ?? op.query, op.variables, headers) : null;
  }
  if (way === "single server" && !op.singleServer) return null;
  const url = stack.gatewayUrls[way];
  return url ? signedRequest(url, op.query, op.variables, headers) : null;
}

/** Whether the single-server peer answers each of its operations as our gateway does, checked before they are measured. */
async function compareAnswers(operations: readonly Operation[], stack: Stack): Promise<string[]> {
  const peer = stack.gatewayUrls["single server"];
  const ours = stack.gatewayUrls["our gateway"];
  if (!peer || !ours) return [];
  const headers = await readerHeaders(stack)();
  const lines: string[] = [];
  for (const op of operations.filter((o) => o.singleServer)) {
    const asked = (url: string) => answer(url, op.query, op.variables, headers).catch((error: Error) => error.message);
    lines.push(`${op.name}: the single server's answer ${sameness(await asked(peer), await asked(ours))} our gateway's`);
    log(`  ${lines.at(-1)!}`);
  }
  return lines;
}

/** Today's question and the same as on the past date, one way, in alternating rounds; cells named by operation. */
async function interleavedPair(today: Operation, past: Operation, way: Way, stack: Stack, driver: Driver): Promise<Cell[]> {
  const headers = readerHeaders(stack);
  const pair = [today, past]
    .map((asked): [string, Request] | null => {
      const request = requestFor(asked, way, stack, driver, headers);
      return request ? [asked.name, request] : null;
    })
    .filter((r) => r !== null);
  if (pair.length < 2) return [];
  const interleaved = await measureInterleaved(way, pair, {
    rounds,
    batchSizes: Object.fromEntries(budgets.map((b) => [b.concurrency, Math.max(1, Math.round(b.requests / rounds))])),
    log,
  });
  await keepRunning(stack, `${today.name} and ${past.name}, ${way}`);
  // measureInterleaved names its cells by the pair's labels: here the operations, for one way.
  return interleaved.map((c) => ({ ...c, operation: c.way, way }));
}

async function benchGraph(spec: GraphSpec): Promise<GraphResult> {
  const { neo4j: server, driver } = await openGraph(spec);
  try {
    const { records } = await driver.executeQuery("MATCH (p:Person) RETURN count(p) AS people");
    const people = Number(records[0]?.get("people"));
    const version = await driver.executeQuery("CALL dbms.components() YIELD versions, edition RETURN versions[0] + ' ' + edition AS version");
    const neo4jVersion = String(version.records[0]?.get("version"));
    const subjects = await pickSubjects(driver);
    log(`${spec.label}: ${people.toLocaleString("en-GB")} people; service ${subjects.serviceId}`);
    const stack = await startStack(server.uri, spec.ways);
    const cells: Cell[] = [];
    const all = operations(subjects);
    const pastOf = new Map(all.filter((op) => op.todayOf).map((op) => [op.todayOf!, op]));
    const measured = asAtOnly ? all.filter((op) => op.todayOf || pastOf.has(op.name)) : all;
    const sameAnswers = await compareAnswers(measured, stack);
    // Neo4j starts with a cold page cache: one pass over every operation first, so the first cells are not the ones that load it.
    for (const op of measured) {
      for (const way of ["floor", "our gateway"] as const) await requestFor(op, way, stack, driver, readerHeaders(stack))?.();
    }
    for (const op of measured) {
      // A past-date question is measured with today's, below.
      if (op.todayOf) continue;
      const past = pastOf.get(op.name);
      for (const way of spec.ways) {
        if (past && way !== "floor") {
          cells.push(...(await interleavedPair(op, past, way, stack, driver)));
          continue;
        }
        const request = requestFor(op, way, stack, driver, readerHeaders(stack));
        const sameAs = "sameAs" in op.floor ? op.floor.sameAs : undefined;
        for (const budget of budgets) {
          let result: CellResult | undefined;
          if (request) {
            result = await runCell(request, budget);
            await keepRunning(stack, `${op.name}, ${way}, concurrency ${budget.concurrency}`);
          } else if (way === "floor" && sameAs) result = cells.find((c) => c.operation === sameAs && c.way === "floor" && c.concurrency === budget.concurrency);
          if (!result) continue;
          cells.push({ ...result, operation: op.name, way });
          log(
            `  ${op.name.padEnd(28)} ${way.padEnd(16)} c${String(budget.concurrency).padEnd(3)} p50 ${String(result.p50).padStart(8)} ms  p95 ${String(result.p95).padStart(8)} ms  ${result.requestsPerSecond} req/s${result.errors ? `  ${result.errors} errors: ${result.firstError}` : ""}`,
          );
        }
      }
    }
    const peak = peakMemory(stack);
    peak["Neo4j (java)"] = peakMemoryMB(server.process.pid);
    peak["bench process"] = peakMemoryMB(process.pid);
    return {
      name: spec.name,
      label: spec.label,
      scale: spec.scale,
      people,
      neo4jVersion,
      subjects,
      cells,
      peakMemoryMB: peak,
      incidents: stack.incidents,
      sameAnswers,
    };
  } finally {
    await stopAll();
    await driver.close();
    await server.stop();
    neo4jRunning = undefined;
  }
}

let stopping = false;
async function stopEverything(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stopAll();
    await neo4jRunning?.stop();
  }
  process.exit(code);
}
process.once("SIGINT", () => void stopEverything(130));
process.once("SIGTERM", () => void stopEverything(143));

const loadBefore = loadavg();
try {
  const results: GraphResult[] = [];
  for (const spec of graphs) results.push(await benchGraph(spec));
  mkdirSync(resolve(repoRoot, "docs/benchmarks"), { recursive: true });
  const flags = [...(quick ? ["--quick"] : []), ...(graphName ? ["--graph", graphName] : []), ...(asAtOnly ? ["--as-at"] : [])];
  writeAsAtReport(
    results,
    { command: `npm run bench${flags.length ? ` -- ${flags.join(" ")}` : ""}`, pastDate, rounds, budgets, loadBefore },
    graphName ? `as-at-${graphName}` : "as-at",
  );
  if (!graphName && !asAtOnly) writeReport(results, { quick, budgets, subgraphTimeoutMs });
} catch (error) {
  console.error(error);
  await stopEverything(1);
}
