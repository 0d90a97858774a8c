/**
 * npm start: the whole stack on this machine. The dashboard's bundle, Neo4j (local unless NEO4J_URI
 * is set), the demo sign-in provider and the three subgraphs (each its own process, building its
 * schema) at once; then the schema migration, once for the stack, and the demo data when the graph
 * is empty, after which the subgraphs are told to serve; the gateway as soon as the bundle is built.
 * Ready when every subgraph says it is. Ends with how long each step took. Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { configuredSubgraphPorts, loadConfig, neo4jUri, subgraphNames, type Config } from "../platform/config.js";
import { buildDashboard } from "../dashboard/build.js";
import { ensureNeo4j } from "../graph/local-neo4j.js";
import { graphPreparedByParent, graphPreparedMessage, serverNodeArgs } from "../platform/server-process.js";
import { assertNeo4jReady, createDriver, Neo4jUnavailableError } from "../graph/neo4j.js";
import { migrate } from "../graph/migrate.js";
import { repoRoot } from "../platform/paths.js";
import { apiAudience, demoProviderSettings, signDemoToken } from "../identity-provider/demo.js";
import type { DemoUser } from "../identity-provider/provider.js";
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

/** Starts a server process; with `ipc`, a channel to it as well (the subgraphs hear on it when the graph is prepared). */
function startProcess(label: string, entry: string, env: NodeJS.ProcessEnv, { ipc = false } = {}): ChildProcess {
  const child = spawn(process.execPath, serverNodeArgs(resolve(repoRoot, entry)), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", ...(ipc ? ["ipc" as const] : [])],
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

/** Checks and migrates the graph, and loads the demo data when it is empty: once for the stack, the subgraphs told when it is done. */
async function prepareGraph(uri: string, settings: Config): Promise<void> {
  const driver = createDriver(settings, uri);
  try {
    const neoSchema = new Neo4jGraphQL({ typeDefs: subgraphTypeDefs("organisations"), driver });
    await assertNeo4jReady(driver, uri, neoSchema);
    const empty = await graphIsEmpty(driver, settings.NEO4J_DATABASE);
    await migrate(driver, settings.NEO4J_DATABASE);
    if (empty) {
      console.log("The graph is empty: loading the demo data…");
      const started = performance.now();
      const summary = await seedDemoData(driver, settings.NEO4J_DATABASE);
      console.log(`Loaded ${describeSeed(summary, (performance.now() - started) / 1000)}.`);
    }
  } finally {
    await driver.close();
  }
}

const demoRoles: Record<string, string> = {
  reader: "reader, Amara Example (sees names, and her own contact details)",
  editor: "editor for Companies House (changes its people and responsibilities)",
  admin: "admin (changes anything, reads contact details and the audit trail)",
};

/** How to sign in as this run's demo users, and their tokens for the IDE; empty when the deployment has keys of its own. */
function demoUsersText(users: { user: DemoUser; token: string }[]): string {
  if (users.length === 0) return "";
  const lines = users
    .map(({ user, token }) => `  ${demoRoles[user.username]}\n    username ${user.username}, password ${user.password}\n    token ${token}`)
    .join("\n");
  return `
Without signing in you see public facts and counts only. The dashboard's "Sign in" goes to this run's
demo OpenID provider; its users (passwords made for this run), with a token each (1 hour) to send as
"Authorization: Bearer <token>" from the IDE's Headers tab:
${lines}
`;
}

/** How long each step took, for the line `npm start` ends with (bench/start.ts reads it). */
const started = performance.now();
const stepTimes: string[] = [];
async function timed<T>(step: string, run: () => Promise<T>): Promise<T> {
  const from = performance.now();
  const result = await run();
  stepTimes.push(`${step} ${((performance.now() - from) / 1000).toFixed(1)} s (done at ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

try {
  // What needs nothing else runs at once: the dashboard's bundle, Neo4j, the demo provider, the
  // subgraphs (their schemas built while Neo4j starts; they serve once told the graph is prepared
  // here), the gateway once the dashboard is built (it serves the bundle).
  const dashboard = timed("dashboard built", () => buildDashboard());
  const graph = timed("Neo4j started", () => ensureNeo4j(config, console.log, { prepareClassArchive: true }));
  const env: Record<string, string> = { NEO4J_URI: neo4jUri(config), SUBGRAPH_SECRET: config.SUBGRAPH_SECRET ?? randomBytes(32).toString("hex") };
  const demoUsers: { user: DemoUser; token: string }[] = [];
  let identity: Promise<void> = Promise.resolve();
  if (!config.AUTH_JWT_SECRET && !config.AUTH_JWKS_FILE && !config.AUTH_JWKS_URL) {
    // No identity provider configured: this run's own, on this machine, and the gateway and dashboard pointed at it.
    const dashboardUrls = [`http://localhost:${config.GATEWAY_PORT}/dashboard`, `http://127.0.0.1:${config.GATEWAY_PORT}/dashboard`];
    const provider = { ...(await demoProviderSettings(config.IDENTITY_PROVIDER_PORT, dashboardUrls[0]!)), redirectUris: dashboardUrls };
    startProcess("identity", "identity-provider/index.ts", { DEMO_IDENTITY_PROVIDER: JSON.stringify(provider) });
    identity = timed("identity provider up", () =>
      waitForHealth("The demo identity provider", `http://127.0.0.1:${config.IDENTITY_PROVIDER_PORT}/.well-known/openid-configuration`),
    );
    Object.assign(env, {
      AUTH_JWKS_URL: `http://127.0.0.1:${config.IDENTITY_PROVIDER_PORT}/jwks`,
      AUTH_ISSUER: provider.issuer,
      AUTH_AUDIENCE: apiAudience,
      DASHBOARD_OIDC_ISSUER: provider.issuer,
      DASHBOARD_OIDC_CLIENT_ID: provider.clientId,
      DASHBOARD_OIDC_SCOPE: "openid profile roles",
      DASHBOARD_OIDC_RESOURCE: apiAudience,
    });
    for (const user of provider.users) demoUsers.push({ user, token: await signDemoToken(provider.signingKey, provider.issuer, user, "1h") });
  }
  const subgraphs = subgraphNames.map((name) => startProcess(name, `subgraphs/${name}/index.ts`, { ...env, [graphPreparedByParent]: "1" }, { ipc: true }));
  const gateway = dashboard.then(async () => {
    startProcess("gateway", "gateway/index.ts", env);
    await timed("gateway ready", () => waitForHealth("The gateway", `http://127.0.0.1:${config.GATEWAY_PORT}/readiness`, 120_000));
  });
  // Each is awaited below; a failure while another step is awaited is reported there, not as an unhandled rejection.
  for (const step of [identity, gateway]) step.catch(() => undefined);
  const neo4j = await graph;
  stopNeo4j = () => neo4j.stop();
  void neo4j.exited?.then(() => {
    if (!shuttingDown) {
      console.error("The local Neo4j stopped; stopping the stack.");
      void shutdown(1);
    }
  });
  await timed("graph checked and migrated", () => prepareGraph(neo4j.uri, config));
  for (const subgraph of subgraphs) subgraph.send(graphPreparedMessage);
  const ports = configuredSubgraphPorts(config);
  const subgraphsReady = timed("subgraphs ready", () =>
    Promise.all(subgraphNames.map((name) => waitForHealth(`The ${name} subgraph`, `http://127.0.0.1:${ports[name]}/readiness`, 120_000))),
  );
  await Promise.all([identity, gateway, subgraphsReady]);

  console.log(`
Service Graph is running.
  Dashboard:            http://localhost:${config.GATEWAY_PORT}/dashboard
  GraphQL IDE and API:  http://localhost:${config.GATEWAY_PORT}/graphql
  Neo4j (Bolt):         ${neo4j.uri}
${demoUsersText(demoUsers)}Press Ctrl-C to stop.`);
  console.log(`Ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${stepTimes.join("; ")}`);
} catch (error) {
  if (!shuttingDown) {
    console.error(error instanceof Neo4jUnavailableError ? error.message : (error as Error).message);
    await shutdown(1);
  }
}
