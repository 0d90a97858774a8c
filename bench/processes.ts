/** The processes a benchmark starts: each on a free loopback port, stopped by `stopAll` whatever happens. */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { subgraphNames, type SubgraphName, subgraphPortEnvironment } from "../platform/config.js";
import { startLocalNeo4j } from "../graph/local-neo4j.js";
import { migrate } from "../graph/migrate.js";
import { createDriver } from "../graph/neo4j.js";
import { repoRoot } from "../platform/paths.js";
import { seedDemoData } from "../data/seed/seed.js";
import { serverNodeArgs } from "../platform/server-process.js";

const started: ChildProcess[] = [];
let stopping = false;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once("error", rejectPort);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Runs a TypeScript entry point as its own process; its output is kept only to explain a failure.
 * `root`: the checkout to run it from (another one's, to measure a change side by side).
 */
export function startNode(label: string, entry: string, env: NodeJS.ProcessEnv, args: string[] = [], root = repoRoot): ChildProcess {
  const child = spawn(process.execPath, [...serverNodeArgs(resolve(root, entry), root), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("exit", (code, signal) => {
    if (!stopping && (code !== 0 || signal !== null)) console.error(`${label} stopped (${signal ?? `exit code ${code}`}); its output ends:\n${tail}`);
  });
  started.push(child);
  return child;
}

/** Resolves once the process exits; rejects with its exit code when that is not 0. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit, rejectExit) => {
    if (child.exitCode !== null) return child.exitCode === 0 ? resolveExit() : rejectExit(new Error(`exit code ${child.exitCode}`));
    child.once("exit", (code) => (code === 0 ? resolveExit() : rejectExit(new Error(`exit code ${code}`))));
  });
}

export async function waitUntilOk(label: string, check: () => Promise<boolean>, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited with code ${child.exitCode} before it was ready`);
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${label} was not ready within ${timeoutMs / 1000} s`);
}

/** Peak resident memory (VmHWM) of a running process, in MB; null once it has gone. */
export function peakMemoryMB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export async function stopAll(): Promise<void> {
  stopping = true;
  const running = started.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
  const gone = running.map((child) => new Promise((r) => child.once("exit", r)));
  for (const child of running) child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }, 10_000);
  await Promise.all(gone);
  clearTimeout(timer);
  stopping = false;
}

/** Free loopback ports for the three subgraphs, their URLs, and the environment every process of a stack shares. */
export async function subgraphPorts(neo4jUri: string, password: string) {
  const ports = Object.fromEntries(await Promise.all(subgraphNames.map(async (name) => [name, await freePort()]))) as Record<SubgraphName, number>;
  const subgraphUrls = Object.fromEntries(subgraphNames.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<SubgraphName, string>;
  const env = {
    NEO4J_URI: neo4jUri,
    NEO4J_PASSWORD: password,
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...subgraphPortEnvironment(ports),
    PEOPLE_URL: subgraphUrls.people,
    ORGANISATIONS_URL: subgraphUrls.organisations,
    SERVICES_URL: subgraphUrls.services,
  };
  return { ports, subgraphUrls, env };
}

/** A Neo4j of the benchmark's own (data in .neo4j/<name>), migrated and holding the demo data, with a driver to it. */
export async function startDemoNeo4j(options: { name: string; port: number; password: string; log: (line: string) => void }) {
  options.log(`Starting a Neo4j of its own on 127.0.0.1:${options.port} (data in .neo4j/${options.name})…`);
  const server = await startLocalNeo4j(options);
  const driver = createDriver({ NEO4J_URI: server.uri, NEO4J_USERNAME: "neo4j", NEO4J_PASSWORD: options.password });
  try {
    await migrate(driver);
    await seedDemoData(driver);
    const version = await driver.executeQuery("CALL dbms.components() YIELD versions, edition RETURN 'Neo4j ' + versions[0] + ' ' + edition AS version");
    return { server, driver, neo4jVersion: String(version.records[0]?.get("version")) };
  } catch (error) {
    await driver.close();
    await server.stop();
    throw error;
  }
}

export interface StackMember {
  name: string;
  child: ChildProcess;
}

export interface ProcessStack {
  gatewayUrl: string;
  members: StackMember[];
  auth: { secret: string; issuer: string; audience: string; subgraphSecret: string };
  subgraphUrls: Record<SubgraphName, string>;
}

/**
 * The three subgraphs and the gateway, each its own process on a free loopback port, as `npm start`
 * runs them, over the given Neo4j; resolves once every one is ready. `env` adds to or overrides the
 * settings (limits, production mode); `root` runs another checkout's servers; `profileDir` runs each
 * under `node --cpu-prof`, writing its threads' profiles to <profileDir>/<name> (`services-subgraph`,
 * `gateway`…) when it stops (mainThreadProfile finds the main thread's).
 */
export async function startProcessStack(options: {
  neo4jUri: string;
  password: string;
  env?: NodeJS.ProcessEnv;
  root?: string;
  label?: string;
  profileDir?: string;
}): Promise<ProcessStack> {
  const auth = {
    secret: randomBytes(32).toString("hex"),
    issuer: "https://auth.bench.invalid",
    audience: "service-graph",
    subgraphSecret: randomBytes(32).toString("hex"),
  };
  const { ports, subgraphUrls, env: shared } = await subgraphPorts(options.neo4jUri, options.password);
  const gatewayPort = await freePort();
  const env = {
    ...shared,
    GATEWAY_PORT: String(gatewayPort),
    AUTH_JWT_SECRET: auth.secret,
    AUTH_ISSUER: auth.issuer,
    AUTH_AUDIENCE: auth.audience,
    SUBGRAPH_SECRET: auth.subgraphSecret,
    ...options.env,
  };
  const label = options.label ? `${options.label}: ` : "";
  const profiled = (name: string): NodeJS.ProcessEnv =>
    options.profileDir ? { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(options.profileDir, name.replaceAll(" ", "-"))}` } : env;
  const members: StackMember[] = subgraphNames.map((name) => ({
    name: `${name} subgraph`,
    child: startNode(`${label}The ${name} subgraph`, `subgraphs/${name}/index.ts`, profiled(`${name} subgraph`), [], options.root),
  }));
  members.push({ name: "gateway", child: startNode(`${label}The gateway`, "gateway/index.ts", profiled("gateway"), [], options.root) });
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  await Promise.all([
    ...subgraphNames.map((name, i) =>
      waitUntilOk(`The ${name} subgraph`, async () => (await fetch(`http://127.0.0.1:${ports[name]}/readiness`)).ok, members[i]!.child, 120_000),
    ),
    waitUntilOk("The gateway", async () => (await fetch(gatewayUrl.replace("/graphql", "/readiness"))).ok, members[3]!.child, 120_000),
  ]);
  return { gatewayUrl, members, auth, subgraphUrls };
}

/** The main thread's profile in a directory `node --cpu-prof` wrote (CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile, thread 0). */
export function mainThreadProfile(dir: string): string {
  const main = readdirSync(dir).find((file) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(file));
  if (!main) throw new Error(`No main-thread CPU profile in ${dir}`);
  return resolve(dir, main);
}

/**
 * Runs a benchmark's main and then stops every process it started and `stopOwn` (its own Neo4j),
 * also when it fails or the benchmark is interrupted.
 */
export function runStoppingAll(main: () => Promise<void>, stopOwn: () => Promise<void>): void {
  const stop = async (code: number) => {
    await stopAll();
    await stopOwn();
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(130));
  process.once("SIGTERM", () => void stop(143));
  main().then(
    () => stop(0),
    async (error: unknown) => {
      console.error(error);
      await stop(1);
    },
  );
}
