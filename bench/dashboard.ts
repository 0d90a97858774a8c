/**
 * npm run bench:dashboard [-- --url http://localhost:4000] [-- --neo4j bolt://127.0.0.1:7690] [-- --runs 5]
 *
 * How soon the dashboard's first useful view (the journey map of Starting a Business, or of the first
 * service when the graph lacks it) is on the page, in Debian's Chromium with no internet access and a
 * cold browser cache each run, and what it asked the API for on the way. Against a running stack
 * (--url, `npm start`'s by default), or against a Neo4j of your choosing (--neo4j, e.g. the
 * benchmark's civil-service graph), for which it starts the three subgraphs and a gateway of its own
 * on free ports and stops them afterwards. Writes docs/benchmarks/dashboard.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig, subgraphNames, subgraphPortEnvironment, type SubgraphName } from "../platform/config.js";
import { keysForThisRun } from "../platform/demo-tokens.js";
import { repoRoot } from "../platform/paths.js";
import { launchChromium, offlineContext } from "../dashboard/browser.js";

const { values: args } = parseArgs({
  // --token: a reader's, for a running stack (npm start prints one); with --neo4j the bench makes its own.
  options: { url: { type: "string" }, neo4j: { type: "string" }, runs: { type: "string", default: "5" }, token: { type: "string" } },
});
const runs = Number(args.runs);

interface Run {
  firstUsefulViewMs: number;
  domContentLoadedMs: number;
  requests: { operation: string; ms: number; bytes: number }[];
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.once("error", reject);
  });
}

async function waitUntilOk(url: string, children: ChildProcess[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (children.some((c) => c.exitCode !== null)) throw new Error("A process of the stack stopped before it was ready (its error is above).");
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** The subgraphs and a gateway over the given Neo4j, as `npm start` runs them, on free ports. */
async function startStack(neo4jUri: string): Promise<{ url: string; keys: Awaited<ReturnType<typeof keysForThisRun>>; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const keys = await keysForThisRun(parseConfig({}));
  const start = (entry: string, env: Record<string, string>) => {
    const child = spawn(process.execPath, ["--import", "tsx", resolve(repoRoot, entry)], {
      env: { ...process.env, NEO4J_URI: neo4jUri, LOG_LEVEL: "warn", ...keys.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
  };
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(children.filter((c) => c.exitCode === null).map((c) => new Promise((r) => c.once("exit", r))));
  };
  try {
    const ports = Object.fromEntries(await Promise.all(subgraphNames.map(async (n) => [n, await freePort()] as const)));
    const portEnv = subgraphPortEnvironment(ports as Record<SubgraphName, number>);
    for (const name of subgraphNames) start(`subgraphs/${name}/index.ts`, portEnv);
    await Promise.all(subgraphNames.map((n) => waitUntilOk(`http://127.0.0.1:${ports[n]}/readiness`, children)));
    const gatewayPort = await freePort();
    start("gateway/index.ts", { ...portEnv, GATEWAY_PORT: String(gatewayPort) });
    await waitUntilOk(`http://127.0.0.1:${gatewayPort}/readiness`, children);
    return { url: `http://127.0.0.1:${gatewayPort}`, keys, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Each run is a reader's, signed in as the Sign in view would be: the journey map then names people, as most users see it. */
async function measure(baseUrl: string, token: string | undefined): Promise<Run[]> {
  const browser = await launchChromium();
  try {
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) {
      // A new context each run: nothing cached from the run before.
      const { context, blocked } = await offlineContext(browser);
      if (token) await context.addInitScript((signedIn) => sessionStorage.setItem("service-graph-token", signedIn), token);
      const page = await context.newPage();
      const requests: Run["requests"] = [];
      page.on("requestfinished", async (request) => {
        if (!request.url().endsWith("/graphql") || request.method() !== "POST") return;
        const timing = request.timing();
        const sizes = await request.sizes();
        requests.push({
          operation: /query (\w+)/.exec(request.postData() ?? "")?.[1] ?? "?",
          ms: Math.round(timing.responseEnd - timing.requestStart),
          bytes: sizes.responseBodySize,
        });
      });
      await page.goto(`${baseUrl}/dashboard`);
      await page.locator("#journey-map-table").waitFor({ timeout: 60_000 });
      const timings = await page.evaluate(() => ({
        firstUsefulViewMs: performance.getEntriesByName("journey-map-rendered")[0]!.startTime,
        domContentLoadedMs: (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd,
      }));
      await page.waitForLoadState("networkidle");
      if (blocked.length) throw new Error(`The dashboard asked the internet for ${blocked.join(", ")}`);
      results.push({ firstUsefulViewMs: Math.round(timings.firstUsefulViewMs), domContentLoadedMs: Math.round(timings.domContentLoadedMs), requests });
      await context.close();
    }
    return results;
  } finally {
    await browser.close();
  }
}

/** How big the graph behind the gateway is, counted through the API. */
async function graphSize(baseUrl: string, token: string | undefined): Promise<string> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({
      query: "{ peopleConnection(first: 1) { totalCount } servicesConnection(first: 1) { totalCount } organisationsConnection(first: 1) { totalCount } }",
    }),
  });
  const { data } = (await response.json()) as { data: Record<string, { totalCount: number }> };
  const count = (field: string) => data[field]!.totalCount.toLocaleString("en-GB");
  return `${count("peopleConnection")} people, ${count("servicesConnection")} services, ${count("organisationsConnection")} organisations`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const stack = args.neo4j ? await startStack(args.neo4j) : undefined;
try {
  const baseUrl = stack?.url ?? (args.url ?? "http://localhost:4000").replace(/\/$/, "");
  const target = args.neo4j ? `a stack of its own over ${args.neo4j}` : baseUrl;
  const token = args.token ?? stack?.keys.tokens.find((t) => t.role === "reader")?.token;
  const size = await graphSize(baseUrl, token);
  const results = await measure(baseUrl, token);
  const views = results.map((r) => r.firstUsefulViewMs);
  const lines = [
    "# Dashboard: time to the first useful view",
    "",
    `Measured by \`npm run bench:dashboard\` against ${target} (a graph of ${size}), ${new Date().toISOString().slice(0, 10)}: Debian's Chromium, headless,`,
    "no internet access, a cold cache each run. The first useful view is the journey map on the page (a performance mark the",
    "dashboard sets after rendering it), counted from the start of navigation.",
    "",
    `First useful view: first run ${views[0]} ms, median ${median(views)} ms, slowest ${Math.max(...views)} ms over ${runs} runs.`,
    "",
    "| run | first useful view (ms) | DOMContentLoaded (ms) | requests to /graphql (operation: ms, response bytes) |",
    "| --- | ---: | ---: | --- |",
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${r.firstUsefulViewMs} | ${r.domContentLoadedMs} | ${r.requests.map((q) => `${q.operation}: ${q.ms} ms, ${q.bytes} B`).join("; ")} |`,
    ),
    "",
  ];
  console.log(lines.join("\n"));
  mkdirSync(resolve(repoRoot, "docs/benchmarks"), { recursive: true });
  const file = resolve(repoRoot, "docs/benchmarks/dashboard.md");
  writeFileSync(file, lines.join("\n"));
  console.log(`Wrote ${file}`);
} finally {
  await stack?.stop();
}
