/**
 * npm run bench:abuse [-- --before <checkout> | --only <checkout>] [-- --scale 1] [-- --neo4j-port 7698] [-- --attacks 11,12]
 *
 * The attacks of issue "Nobody takes it down", at the rates they were first seen at, against the
 * whole stack as `npm start` runs it (each server its own process with its bounded heap, on loopback,
 * over the demo graph on a Neo4j of its own, port 7698, data in .neo4j/bench-abuse). Every attacker
 * is one anonymous client (its own X-Forwarded-For address behind one trusted proxy), inside the rate
 * limit; beside each attack a bystander asks a small query every 250 ms from an address of its own.
 *
 * For each attack it reports what the attacker got back, whether every process is still up, each
 * process's peak resident memory (VmHWM), the bystander's latency and failures, and whether the
 * graph is unchanged. `--attacks` runs only the attacks numbered (and every probe), into a page of its own. With `--before <dir>` (a checkout of an earlier commit, with node_modules) the
 * same attacks run against that checkout's servers first, on the same Neo4j, so both columns come
 * from one run. Writes docs/benchmarks/abuse.md (with --attacks, abuse-<numbers>.md). Stops everything it started, also on failure.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Driver } from "neo4j-driver";
import type { LocalNeo4j } from "../graph/local-neo4j.js";
import { repoRoot } from "../platform/paths.js";
import { serverNodeFlags } from "../platform/server-process.js";
import { signClientToken } from "../platform/demo-tokens.js";
import { percentile } from "./load.js";
import { graphChecksum } from "../graph/checksum.js";
import { deepFilterBody, distinctFieldsDocument, distinctIdsDocument, fanOutDocument } from "./abuse/gateway-attacks.js";
import { retriedSubgraphErrors } from "./abuse/http-attacks.js";
import { deleteAudit, forgedRequestId, partialCommit, type MutationAttackTokens } from "./abuse/mutation-attacks.js";
import { peakMemoryMB, type ProcessStack, startDemoNeo4j, startProcessStack, stopAll } from "./processes.js";

const { values: args } = parseArgs({
  options: {
    before: { type: "string" },
    /** Only the given checkout's servers, not this one's (to look at an earlier commit alone). */
    only: { type: "string" },
    scale: { type: "string", default: "1" },
    "neo4j-port": { type: "string", default: "7698" },
    /** Only the attacks with these numbers (1a, 11, …), comma-separated. */
    attacks: { type: "string" },
  },
});
const scale = Number(args.scale);
if (!(scale > 0)) throw new Error("--scale: a number above 0 (1 sends each attack's full count)");
const neo4jPort = Number(args["neo4j-port"]);
const password = "service-graph-abuse";
const subgraphTimeoutMs = 5_000;
const log = (line: string) => console.error(line);

// ── Attacks ────────────────────────────────────────────────────────────────────────────────────────

interface AttackRequest {
  body?: string;
  headers?: Record<string, string>;
  /** A GET of this path of the gateway instead of a POST to /graphql. */
  get?: string;
  /** The client's own address, for an attack from many clients; otherwise the attack's one address. */
  address?: string;
}

interface Attack {
  name: string;
  /** Requests sent in all, at `perSecond` (or `concurrency` at a time, each round once the last has been answered). */
  count: number;
  perSecond?: number;
  concurrency?: number;
  request(i: number, run: string): AttackRequest;
  /** Reads what the requests need from the graph, once before the attack. */
  prepare?(driver: Driver): Promise<void>;
}

const json = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, ...(variables ? { variables } : {}) });

/** The widest departmentMatrix the gateway lets through: 100 organisations, the departments first, then the most staffed. */
let widestMatrixIds: string[] = [];
const widestMatrix = `query ($ids: [ID!]!) {
  departmentMatrix(organisationIds: $ids, evidencePerKind: 4) {
    organisations { id }
    links { from { id } organisation { id } strength evidence { kind id } }
  }
}`;

const allAttacks: Attack[] = [
  {
    name: "1a. distinct 990-field documents, 8 a second",
    count: 120,
    perSecond: 8,
    request: (i, run) => ({ body: json(distinctFieldsDocument(`${run}${i}`, 990)) }),
  },
  {
    name: "1b. distinct valid documents with 975 ids, 8 a second",
    count: 320,
    perSecond: 8,
    request: (i, run) => ({ body: json(distinctIdsDocument(`${run}-${i}`, 975)) }),
  },
  { name: "2. nested fan-out (1.37 million nodes), ten at once", count: 20, concurrency: 10, request: () => ({ body: json(fanOutDocument(1000)) }) },
  { name: "3. the same fan-out with limit: 0, ten at once", count: 20, concurrency: 10, request: () => ({ body: json(fanOutDocument(0)) }) },
  {
    name: "10. a filter variable nested 5,000 deep (within the body limit)",
    count: 10,
    concurrency: 2,
    request: () => ({ body: deepFilterBody(5_000) }),
  },
  {
    // 100 + 4,950 pairs + 4 kinds × 4 examples of each: 84,250 list items, under the 100,000 allowed.
    name: "11. the widest departmentMatrix allowed (100 organisations), ten clients at once",
    count: 20,
    concurrency: 10,
    async prepare(driver) {
      const { records } = await driver.executeQuery(
        `MATCH (o:Organisation) WHERE o.status = "LIVE" OPTIONAL MATCH (o)<-[w:WORKS_FOR]-()
         WITH o, count(w) AS staff
         RETURN o.id AS id ORDER BY o.type IN ["MINISTERIAL_DEPARTMENT", "NON_MINISTERIAL_DEPARTMENT"] DESC, staff DESC LIMIT 100`,
      );
      widestMatrixIds = records.map((r) => r.get("id") as string);
    },
    request: (i) => ({ body: json(widestMatrix, { ids: widestMatrixIds }), address: `198.51.101.${i % 10}` }),
  },
  {
    name: "12. GET /export/graphml, ten clients at once",
    count: 20,
    concurrency: 10,
    request: (i) => ({ get: "/export/graphml", address: `198.51.102.${i % 10}` }),
  },
];
const chosen = args.attacks?.split(",").map((n) => n.trim());
const attacks = chosen ? allAttacks.filter((attack) => chosen.includes(attack.name.split(".")[0]!)) : allAttacks;
if (chosen && attacks.length !== chosen.length)
  throw new Error(`--attacks: the attacks are numbered ${allAttacks.map((a) => a.name.split(".")[0]).join(", ")}`);

interface AttackResult {
  answers: Record<string, number>;
  stopped: string[];
  peakMB: Record<string, number | null>;
  bystander: { requests: number; failures: number; p50: number; p95: number; max: number; firstFailure: string | null };
  graphUnchanged: boolean;
}

/** How an answer is summed up: its status and its first error code. */
async function outcome(response: Response): Promise<string> {
  const text = await response.text();
  let code: string;
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    code = body.errors?.[0]?.extensions?.code ?? (body.errors?.length ? "error" : "data");
  } catch {
    // An export's file, or something that should have been JSON.
    code = response.headers.get("content-type")?.startsWith("application/json") ? "not JSON" : `file (${response.headers.get("content-type")?.split(";")[0]})`;
  }
  return `${response.status} ${code}`;
}

/** A POST of the body to /graphql, or with `get` a GET of that path; the answer summed up. */
async function send(
  url: string,
  address: string,
  body: string | undefined,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
  get?: string,
): Promise<string> {
  try {
    const response = await fetch(get ? new URL(get, url) : url, {
      method: get ? "GET" : "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", "x-forwarded-for": address, ...headers },
      ...(get ? {} : { body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return await outcome(response);
  } catch (error) {
    return `no answer (${(error as Error).name === "TimeoutError" ? `none within ${timeoutMs / 1000} s` : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message)})`;
  }
}

async function runAttack(stack: ProcessStack, attack: Attack, index: number, driver: Driver, run: string): Promise<AttackResult> {
  await attack.prepare?.(driver);
  const before = await graphChecksum(driver);
  const answers: Record<string, number> = {};
  const count = Math.max(1, Math.round(attack.count * scale));
  const address = `198.51.100.${10 + index}`;
  let attacking = true;
  const bystanderMs: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const bystander = (async () => {
    const body = json(`{ organisations(limit: 1, where: { id: { eq: "hm-revenue-customs" } }) { id name } }`);
    while (attacking) {
      const started = performance.now();
      const result = await send(stack.gatewayUrl, "203.0.113.7", body, {}, subgraphTimeoutMs * 2);
      bystanderMs.push(performance.now() - started);
      if (result !== "200 data") {
        failures++;
        firstFailure ??= result;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const tally = (result: string) => {
    answers[result] = (answers[result] ?? 0) + 1;
  };
  const one = (i: number) => {
    const request = attack.request(i, run);
    return send(stack.gatewayUrl, request.address ?? address, request.body, request.headers, 30_000, request.get).then(tally);
  };
  if (attack.perSecond) {
    const inFlight: Promise<void>[] = [];
    const begin = performance.now();
    for (let i = 0; i < count; i++) {
      const due = begin + (i * 1000) / attack.perSecond;
      if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      inFlight.push(one(i));
      if (stack.members.some((m) => m.child.exitCode !== null || m.child.signalCode !== null)) break;
    }
    await Promise.all(inFlight);
  } else {
    const concurrency = attack.concurrency ?? 1;
    for (let i = 0; i < count; i += concurrency) {
      await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, k) => one(i + k)));
      if (stack.members.some((m) => m.child.exitCode !== null || m.child.signalCode !== null)) break;
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  attacking = false;
  await bystander;
  const sorted = [...bystanderMs].sort((a, b) => a - b);
  return {
    answers,
    stopped: stack.members
      .filter((m) => m.child.exitCode !== null || m.child.signalCode !== null)
      .map((m) => `${m.name} (${m.child.signalCode ?? `exit ${m.child.exitCode}`})`),
    peakMB: Object.fromEntries(stack.members.map((m) => [m.name, peakMemoryMB(m.child.pid)])),
    bystander: { requests: sorted.length, failures, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? Number.NaN, firstFailure },
    graphUnchanged: before === (await graphChecksum(driver)),
  };
}

/** One stack per attack, so that a crash or a heap grown by one attack does not decide the next. */
async function runAll(label: string, root: string, neo4jUri: string, driver: Driver): Promise<AttackResult[]> {
  const results: AttackResult[] = [];
  for (const [index, attack] of attacks.entries()) {
    log(`${label}: ${attack.name}…`);
    const stack = await startProcessStack({
      neo4jUri,
      password,
      root,
      label,
      env: { SUBGRAPH_TIMEOUT_MS: String(subgraphTimeoutMs), GATEWAY_TRUSTED_PROXIES: "1", SERVICE_GRAPH_ENV: "production" },
    });
    try {
      results.push(await runAttack(stack, attack, index, driver, `${label.replace(/\W/g, "")}${Date.now().toString(36)}`));
    } finally {
      await stopAll();
    }
  }
  return results;
}

// ── Probes: one request each, what it got back ───────────────────────────────────────────────────────

interface Probe {
  name: string;
  /** What the answer shows, in a few words. */
  run(stack: ProcessStack): Promise<string>;
}

const gatewayPost = (stack: ProcessStack, body: string, headers: Record<string, string> = {}) =>
  fetch(stack.gatewayUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

/** The Companies House editor's and an admin's tokens for the stack's keys. */
async function mutationTokens(stack: ProcessStack): Promise<MutationAttackTokens> {
  const { secret, issuer, audience } = stack.auth;
  const sign = (sub: string, roles: string[], organisations?: string[]) =>
    signClientToken(secret, { sub, roles, organisations, issuer, audience, expiresAt: "1h" });
  return { editor: await sign("bench-abuse-editor", ["editor"], ["companies-house"]), admin: await sign("bench-abuse-admin", ["admin"]) };
}

const probes: Probe[] = [
  {
    name: "3. `{ organisations(limit: 0) { id } }`: items returned",
    async run(stack) {
      const body = (await (await gatewayPost(stack, json("{ organisations(limit: 0) { id } }"))).json()) as {
        data?: { organisations?: unknown[] };
        errors?: { extensions?: { code?: string } }[];
      };
      return body.data?.organisations ? `${body.data.organisations.length} items` : `refused: ${body.errors?.[0]?.extensions?.code}`;
    },
  },
  {
    name: "3. `organisations(limit: -1)`",
    async run(stack) {
      const body = (await (await gatewayPost(stack, json("{ organisations(limit: -1) { id } }"))).json()) as { errors?: { extensions?: { code?: string } }[] };
      return body.errors?.[0]?.extensions?.code ?? "answered";
    },
  },
  {
    name: "4. `organisationsConnection` walked page by page: edges seen / totalCount",
    async run(stack) {
      let after: string | null = null;
      let seen = 0;
      let total = 0;
      for (let page = 0; page < 100; page++) {
        const response = await gatewayPost(
          stack,
          json("query ($after: String) { organisationsConnection(after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }", {
            after,
          }),
        );
        const body = (await response.json()) as {
          data?: { organisationsConnection: { totalCount: number; edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        };
        const connection = body.data?.organisationsConnection;
        if (!connection) return `page ${page + 1} failed`;
        total = connection.totalCount;
        seen += connection.edges.length;
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      return `${seen} / ${total}`;
    },
  },
  {
    name: "5. one FORBIDDEN read: times the subgraph ran it",
    async run(stack) {
      const result = await retriedSubgraphErrors(stack.gatewayUrl, { peopleSubgraphUrl: stack.subgraphUrls.people });
      return `${result.subgraphExecutions} (${result.codes?.join(", ")})`;
    },
  },
  {
    name: "6. the editor's createPeople beside a refused updatePeople",
    async run(stack) {
      const result = await partialCommit(stack.gatewayUrl, await mutationTokens(stack));
      return `HTTP ${result.status} ${result.codes.join(", ")}; person ${result.created ? "**stored**" : "not stored"}, ${result.auditEvents} audit events`;
    },
  },
  {
    name: "7. an organisation with 4 links deleted: links recorded",
    async run(stack) {
      const result = await deleteAudit(stack.gatewayUrl, await mutationTokens(stack));
      return `${result.recorded.length} of ${result.relationshipsDeleted} (${result.recorded.map((r) => r.split(" ")[0]).join(", ")})`;
    },
  },
  {
    name: "7. the admin's request id sent by the editor: the editor's event's request id",
    async run(stack) {
      const result = await forgedRequestId(stack.gatewayUrl, await mutationTokens(stack));
      return result.groupedWithAdmin
        ? "**the admin's** (grouped with the admin's change)"
        : `the gateway's own${result.editorEventClientRequestId ? "; the forged one as clientRequestId" : ""}`;
    },
  },
  {
    name: "8. CORS for `Origin: https://evil.example`",
    async run(stack) {
      const response = await gatewayPost(stack, json("{ __typename }"), { origin: "https://evil.example" });
      return `allow-origin: ${response.headers.get("access-control-allow-origin") ?? "none"}, credentials: ${response.headers.get("access-control-allow-credentials") ?? "none"}`;
    },
  },
  {
    name: "8. headers of /dashboard",
    async run(stack) {
      const response = await fetch(stack.gatewayUrl.replace("/graphql", "/dashboard"));
      const names = ["content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"];
      return names.map((name) => `${name}: ${response.headers.get(name) ? "yes" : "no"}`).join(", ");
    },
  },
  {
    name: "8. /metrics in production without a token",
    async run(stack) {
      return `HTTP ${(await fetch(stack.gatewayUrl.replace("/graphql", "/metrics"))).status}`;
    },
  },
  {
    name: "8. `Content-Type: APPLICATION/JSON`",
    async run(stack) {
      return `HTTP ${(await fetch(stack.gatewayUrl, { method: "POST", headers: { "content-type": "APPLICATION/JSON" }, body: json("{ __typename }") })).status}`;
    },
  },
  {
    name: "10. malformed JSON with `Accept: application/json`",
    async run(stack) {
      return `HTTP ${(await fetch(stack.gatewayUrl, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: "{ not json" })).status}`;
    },
  },
  {
    name: "10. a token that expires in the year 3000",
    async run(stack) {
      const { auth } = stack;
      const token = await signClientToken(auth.secret, {
        sub: "bench-abuse",
        roles: ["reader"],
        issuer: auth.issuer,
        audience: auth.audience,
        expiresAt: Date.UTC(3000, 0, 1) / 1000,
      });
      return `HTTP ${(await gatewayPost(stack, json("{ __typename }"), { authorization: `Bearer ${token}` })).status}`;
    },
  },
  {
    name: '10. `asAt: "2024-02-30"` on the journey',
    async run(stack) {
      const body = (await (await gatewayPost(stack, json(`{ journey(serviceId: "starting-a-business", asAt: "2024-02-30") { service { id } } }`))).json()) as {
        errors?: { extensions?: { code?: string } }[];
      };
      return body.errors?.[0]?.extensions?.code ?? "answered";
    },
  },
];

async function runProbes(label: string, root: string, neo4jUri: string): Promise<string[]> {
  log(`${label}: probes…`);
  const stack = await startProcessStack({ neo4jUri, password, root, label, env: { SERVICE_GRAPH_ENV: "production", GATEWAY_RATE_LIMIT_PER_SECOND: "0" } });
  try {
    const results: string[] = [];
    for (const probe of probes) results.push(await probe.run(stack).catch((error: unknown) => `failed: ${(error as Error).message}`));
    return results;
  } finally {
    await stopAll();
  }
}

// ── Report ─────────────────────────────────────────────────────────────────────────────────────────

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-GB") : "–");

function attackCell(result: AttackResult): string {
  const answers = Object.entries(result.answers)
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${n}× ${what}`)
    .join("; ");
  const peaks = Object.entries(result.peakMB)
    .map(([name, mb]) => `${name.replace(" subgraph", "")} ${mb ?? "gone"}`)
    .join(", ");
  const bystander = result.bystander;
  return [
    `**${result.stopped.length ? `stopped: ${result.stopped.join(", ")}` : "all up"}**`,
    `answers: ${answers}`,
    `peak MB: ${peaks}`,
    `bystander: ${bystander.failures}/${bystander.requests} failed, p50 ${fmt(bystander.p50)} ms, p95 ${fmt(bystander.p95)} ms, max ${fmt(bystander.max)} ms${bystander.firstFailure ? ` (first: ${bystander.firstFailure})` : ""}`,
    `graph ${result.graphUnchanged ? "unchanged" : "**changed**"}`,
  ].join("<br>");
}

function report(
  after: { attacks: AttackResult[]; probes: string[] },
  before: { attacks: AttackResult[]; probes: string[] } | undefined,
  neo4jVersion: string,
): string {
  const columns = before ? ["before", "after"] : ["now"];
  const head = `| attack | ${columns.join(" | ")} |\n| --- | ${columns.map(() => "---").join(" | ")} |`;
  const attackRows = attacks.map(
    (attack, i) =>
      `| ${attack.name} (${Math.round(attack.count * scale)} requests) | ${[...(before ? [before.attacks[i]!] : []), after.attacks[i]!].map(attackCell).join(" | ")} |`,
  );
  const probeRows = probes.map((probe, i) => `| ${probe.name} | ${[...(before ? [before.probes[i]!] : []), after.probes[i]!].join(" | ")} |`);
  return `# Abuse: the attacks that took the stack down, run again

Measured by \`npm run bench:abuse${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\` on ${new Date().toISOString().slice(0, 10)}: the three subgraphs and the gateway each their
own process (as \`npm start\` starts them, ${serverNodeFlags.join(" ")}), production mode, default limits, on loopback over the demo graph
on a local ${neo4jVersion}; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB. A fresh stack for each attack. Each attacker is one anonymous
client with an address of its own, inside the rate limit; a bystander asks for one organisation every 250 ms meanwhile,
from another address. Peak memory is each process's VmHWM at the end of the attack.${before ? ` "before" ran the servers of \`${args.before}\`, "after" this checkout's, in the same run on the same Neo4j.` : ""}

${head}
${attackRows.join("\n")}

## One request each

${head.replace("attack", "probe")}
${probeRows.join("\n")}
`;
}

// ── Run ────────────────────────────────────────────────────────────────────────────────────────────

let neo4jServer: LocalNeo4j | undefined;
try {
  const neo4j = await startDemoNeo4j({ name: "bench-abuse", port: neo4jPort, password, log });
  neo4jServer = neo4j.server;
  const { driver, neo4jVersion } = neo4j;
  try {
    const before = args.before
      ? {
          attacks: await runAll("before", resolve(args.before), neo4j.server.uri, driver),
          probes: await runProbes("before", resolve(args.before), neo4j.server.uri),
        }
      : undefined;
    const root = args.only ? resolve(args.only) : repoRoot;
    const label = args.only ? basename(root) : "after";
    const after = { attacks: await runAll(label, root, neo4j.server.uri, driver), probes: await runProbes(label, root, neo4j.server.uri) };
    const markdown = report(after, before, neo4jVersion);
    mkdirSync(resolve(repoRoot, "docs/benchmarks"), { recursive: true });
    // A run of some attacks only has a page of its own, beside the full one.
    const page = `docs/benchmarks/abuse${chosen ? `-${chosen.join("-")}` : ""}.md`;
    writeFileSync(resolve(repoRoot, page), markdown);
    console.log(markdown);
    log(`Wrote ${page}`);
  } finally {
    await driver.close();
  }
} catch (error) {
  console.error((error as Error).stack ?? (error as Error).message);
  process.exitCode = 1;
} finally {
  await stopAll();
  await neo4jServer?.stop();
}
