/**
 * npm start: the whole stack on this machine. Neo4j (local unless NEO4J_URI is set), the schema
 * migration, the demo data when the graph is empty, then the three subgraphs and the gateway, each
 * as its own process. Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { configuredSubgraphPorts, loadConfig, subgraphNames, type Config } from "../platform/config.js";
import { ensureNeo4j } from "../graph/local-neo4j.js";
import { serverNodeArgs } from "../platform/server-process.js";
import { createDriver, Neo4jUnavailableError } from "../graph/neo4j.js";
import { checkAndMigrate } from "../graph/migrate.js";
import { repoRoot } from "../platform/paths.js";
import { keysForThisRun, type DemoToken } from "../platform/demo-tokens.js";
import { subgraphTypeDefs } from "../subgraph-kit/type-defs.js";
import { describeSeed, graphIsEmpty, seedDemoData } from "../data/seed/seed.js";

const config = loadConfig();
/** Each child with a promise of its exit, made when it is spawned: an `exit` event that has fired does not fire again. */
const children: { label: string; child: ChildProcess; exited: Promise<void> }[] = [];
let stopNeo4j: () => Promise<void> = async () => {};
let shuttingDown: Promise<never> | undefined;

/** Stops every child still running, then Neo4j if this run started it, then exits; once, whoever asks first. */
function shutdown(code: number): Promise<never> {
  shuttingDown ??= (async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await Promise.all(children.map(({ exited }) => exited));
    await stopNeo4j();
    process.exit(code);
  })();
  return shuttingDown;
}
process.once("SIGINT", () => void shutdown(0));
process.once("SIGTERM", () => void shutdown(0));

function startProcess(label: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, serverNodeArgs(resolve(repoRoot, entry)), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (line: string) => (line.trim() ? `${label.padEnd(13)} | ${line}\n` : "");
  child.stdout?.on("data", (chunk: Buffer) => {
    if (process.env["LOG_LEVEL"] !== "silent") process.stdout.write(chunk.toString().split("\n").map(prefix).join(""));
  });
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk.toString().split("\n").map(prefix).join("")));
  const exited = new Promise<void>((resolveExit) => {
    child.once("exit", (code, signal) => {
      resolveExit();
      // A child that stops on its own (a crash, the kernel's OOM killer) takes the stack down with a reason, never a hang.
      if (!shuttingDown) {
        console.error(`The ${label} process stopped (${signal ? `killed by ${signal}` : `exit code ${code}`}); stopping the stack.`);
        void shutdown(1);
      }
    });
  });
  children.push({ label, child, exited });
  return child;
}

async function waitForHealth(label: string, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${label} did not become healthy at ${url} within ${timeoutMs / 1000} s`);
}

async function prepareGraph(uri: string, settings: Config): Promise<void> {
  const driver = createDriver(settings, uri);
  try {
    const neoSchema = new Neo4jGraphQL({ typeDefs: subgraphTypeDefs("organisations"), driver });
    await checkAndMigrate(driver, uri, settings.NEO4J_DATABASE, { neoSchema });
    if (await graphIsEmpty(driver, settings.NEO4J_DATABASE)) {
      console.log("The graph is empty: loading the demo data…");
      const started = performance.now();
      const summary = await seedDemoData(driver, settings.NEO4J_DATABASE);
      console.log(`Loaded ${describeSeed(summary, (performance.now() - started) / 1000)}.`);
    }
  } finally {
    await driver.close();
  }
}

/** How to use this run's demo tokens; empty when the deployment has keys of its own. */
function demoTokensText(tokens: DemoToken[]): string {
  if (tokens.length === 0) return "";
  const lines = tokens.map((t) => `  ${t.description}:\n    ${t.token}`).join("\n");
  return `
Without a token you see public facts and counts only. Demo tokens for this run (12 hours), to send as
"Authorization: Bearer <token>" from the IDE's Headers tab, or to paste into the dashboard's "Sign in":
${lines}
`;
}

try {
  const neo4j = await ensureNeo4j(config);
  stopNeo4j = () => neo4j.stop();
  void neo4j.exited?.then(() => {
    if (!shuttingDown) {
      console.error("The local Neo4j stopped; stopping the stack.");
      void shutdown(1);
    }
  });
  await prepareGraph(neo4j.uri, config);

  const keys = await keysForThisRun(config);
  const env = { NEO4J_URI: neo4j.uri, ...keys.env };
  const ports = configuredSubgraphPorts(config);
  for (const name of subgraphNames) startProcess(name, `subgraphs/${name}/index.ts`, env);
  await Promise.all(subgraphNames.map((name) => waitForHealth(`The ${name} subgraph`, `http://127.0.0.1:${ports[name]}/healthcheck`)));
  startProcess("gateway", "gateway/index.ts", env);
  await waitForHealth("The gateway", `http://127.0.0.1:${config.GATEWAY_PORT}/readiness`);

  console.log(`
Service Graph is running.
  Dashboard:            http://localhost:${config.GATEWAY_PORT}/dashboard
  GraphQL IDE and API:  http://localhost:${config.GATEWAY_PORT}/graphql
  Neo4j (Bolt):         ${neo4j.uri}
${demoTokensText(keys.tokens)}Press Ctrl-C to stop.`);
} catch (error) {
  if (!shuttingDown) {
    console.error(error instanceof Neo4jUnavailableError ? error.message : (error as Error).message);
    await shutdown(1);
  }
}
