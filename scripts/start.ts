/**
 * npm start: the whole stack on this machine. The dashboard's bundle, Neo4j (local unless NEO4J_URI
 * is set) and the demo sign-in provider at once; then the schema migration and the demo data when
 * the graph is empty; the three subgraphs, each as its own process, as soon as Neo4j answers with
 * data in it (during the migration) or once the demo data is in; the gateway as soon as the bundle
 * is built. Ends with how long each step took. Ctrl-C stops everything it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { configuredSubgraphPorts, loadConfig, neo4jUri, subgraphNames, type Config } from "../platform/config.js";
import { buildDashboard } from "../dashboard/build.js";
import { ensureNeo4j } from "../graph/local-neo4j.js";
import { serverNodeArgs } from "../platform/server-process.js";
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

/**
 * Checks and migrates the graph, and loads the demo data when it is empty. `whenServable` is called
 * as soon as the subgraphs may start: at once for a graph with data (each subgraph checks and
 * migrates it too, with the same idempotent statements), after the demo data for an empty one.
 */
async function prepareGraph(uri: string, settings: Config, whenServable: () => void): Promise<void> {
  const driver = createDriver(settings, uri);
  try {
    const neoSchema = new Neo4jGraphQL({ typeDefs: subgraphTypeDefs("organisations"), driver });
    await assertNeo4jReady(driver, uri, neoSchema);
    const empty = await graphIsEmpty(driver, settings.NEO4J_DATABASE);
    if (!empty) whenServable();
    await migrate(driver, settings.NEO4J_DATABASE);
    if (empty) {
      console.log("The graph is empty: loading the demo data…");
      const started = performance.now();
      const summary = await seedDemoData(driver, settings.NEO4J_DATABASE);
      console.log(`Loaded ${describeSeed(summary, (performance.now() - started) / 1000)}.`);
      whenServable();
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
  // What needs nothing else runs at once: the dashboard's bundle, Neo4j, the demo provider. The
  // subgraphs start once Neo4j answers (each checks it and migrates, as the migration here does:
  // the statements are idempotent), the gateway once the dashboard is built (it serves the bundle).
  const dashboard = timed("dashboard built", () => buildDashboard());
  const graph = timed("Neo4j started", () => ensureNeo4j(config));
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
  const ports = configuredSubgraphPorts(config);
  let subgraphs: Promise<unknown> | undefined;
  const startSubgraphs = () => {
    for (const name of subgraphNames) startProcess(name, `subgraphs/${name}/index.ts`, env);
    subgraphs = timed("subgraphs up", () =>
      Promise.all(subgraphNames.map((name) => waitForHealth(`The ${name} subgraph`, `http://127.0.0.1:${ports[name]}/healthcheck`, 120_000))),
    );
    subgraphs.catch(() => undefined);
  };
  await timed("graph checked and migrated", () => prepareGraph(neo4j.uri, config, startSubgraphs));
  await Promise.all([identity, gateway, subgraphs]);

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
