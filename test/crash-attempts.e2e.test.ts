/**
 * Issue 11's crash attempts against the real processes: the three subgraphs and the gateway each
 * spawned as `npm start` runs them (platform/server-process.ts: a 160 MB old space), in production mode,
 * on loopback over the test Neo4j. Each attack is bounded in count (a few requests in flight, sent as
 * fast as the stack answers) and, for each, the test asserts that every process is still running,
 * that a bystander asking for one organisation every 250 ms from an address of its own got every
 * answer with data within the gateway's subgraph timeout, and that the graph's checksum is unchanged.
 *
 * The gateway trusts one proxy (GATEWAY_TRUSTED_PROXIES=1), so each X-Forwarded-For address is a
 * client of its own and the per-client rate limit applies to the attacker and the bystander as it
 * would to real clients. Each attack comes from an address of its own so that one attack's spent
 * budget does not blunt the next.
 *
 * CRASH_ATTEMPTS_ROOT=<checkout> runs another checkout's servers instead (an earlier commit, to see
 * the attacks take it down).
 */
import { resolve } from "node:path";
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deepFilterBody, distinctFieldsDocument, distinctIdsDocument, fanOutDocument } from "../bench/abuse/gateway-attacks.js";
import { peakMemoryMB, startProcessStack, stopAll, type ProcessStack } from "../bench/processes.js";
import { repoRoot } from "../platform/paths.js";
import { graphChecksum, testDriver, testNeo4j } from "./helpers.js";

const subgraphTimeoutMs = 5_000;
const bystanderAddress = "203.0.113.7";
const bystanderQuery = JSON.stringify({ query: '{ organisations(limit: 1, where: { id: { eq: "hm-revenue-customs" } }) { id name } }' });
const root = resolve(process.env["CRASH_ATTEMPTS_ROOT"] ?? repoRoot);

let stack: ProcessStack;
let driver: Driver;
const database = testNeo4j().database;
/** The bystander's slowest answer in any attack, for the report at the end. */
let bystanderWorstMs = 0;

interface Answer {
  /** `<status> <first error code, or "data">`, or why there was none. */
  outcome: string;
  /** The first error's message, if any. */
  message?: string;
  ms: number;
}

async function send(address: string, body: string, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(stack.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json", "x-forwarded-for": address },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let code: string;
    let message: string | undefined;
    try {
      const json = JSON.parse(text) as { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
      code = json.errors?.length ? (json.errors[0]?.extensions?.code ?? "error") : json.data ? "data" : "empty";
      message = json.errors?.[0]?.message;
    } catch {
      code = "not JSON";
    }
    return { outcome: `${response.status} ${code}`, ...(message ? { message } : {}), ms: performance.now() - started };
  } catch (error) {
    const reason =
      (error as Error).name === "TimeoutError"
        ? `none within ${timeoutMs} ms`
        : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
    return { outcome: `no answer (${reason})`, ms: performance.now() - started };
  }
}

const stopped = () =>
  stack.members
    .filter((m) => m.child.exitCode !== null || m.child.signalCode !== null)
    .map((m) => `${m.name} (${m.child.signalCode ?? `exit code ${m.child.exitCode}`})`);

interface AttackOutcome {
  /** How many answers of each kind the attacker got. */
  answers: Record<string, number>;
  sent: number;
  stopped: string[];
  bystander: Answer[];
  checksumBefore: string;
  checksumAfter: string;
}

/**
 * Sends `count` requests from `address`, `concurrency` at a time, each as soon as one is answered
 * (or `count` in rounds of `concurrency` when `rounds`, all of a round at once); meanwhile a
 * bystander polls every 250 ms. Stops sending as soon as a process has gone.
 */
async function underAttack(options: {
  address: string;
  count: number;
  concurrency: number;
  rounds?: boolean;
  body(i: number): string;
}): Promise<AttackOutcome> {
  const checksumBefore = await graphChecksum(driver, database);
  const answers: Record<string, number> = {};
  const messages = new Map<string, string>();
  const bystander: Answer[] = [];
  let attacking = true;
  const polling = (async () => {
    while (attacking) {
      bystander.push(await send(bystanderAddress, bystanderQuery, subgraphTimeoutMs));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  let sent = 0;
  const one = async () => {
    const i = sent++;
    const answer = await send(options.address, options.body(i), 60_000);
    answers[answer.outcome] = (answers[answer.outcome] ?? 0) + 1;
    if (answer.message && !messages.has(answer.outcome)) messages.set(answer.outcome, answer.message.slice(0, 160));
  };
  if (options.rounds) {
    while (sent < options.count && stopped().length === 0) {
      await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count - sent) }, one));
    }
  } else {
    const worker = async () => {
      while (sent < options.count && stopped().length === 0) await one();
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  }
  // A process that dies of what it was sent may take a moment to go.
  await new Promise((r) => setTimeout(r, 1000));
  attacking = false;
  await polling;
  const checksumAfter = await graphChecksum(driver, database);
  bystanderWorstMs = Math.max(bystanderWorstMs, ...bystander.map((a) => a.ms));
  console.log(
    `  answers: ${JSON.stringify(answers)} (${[...messages].map(([k, m]) => `${k}: "${m}"`).join("; ")}); bystander: ${bystander.length} requests, slowest ${Math.round(Math.max(...bystander.map((a) => a.ms)))} ms`,
  );
  return { answers, sent, stopped: stopped(), bystander, checksumBefore, checksumAfter };
}

/** What every attack must leave behind: every process up, every bystander answer with data in time, the graph as it was. */
function expectSurvived(outcome: AttackOutcome, minimumBystanderRequests = 3) {
  expect(outcome.stopped, "processes that stopped").toEqual([]);
  for (const member of stack.members) {
    expect(member.child.exitCode, `${member.name}'s exit code`).toBeNull();
    expect(member.child.signalCode, `${member.name}'s signal`).toBeNull();
  }
  // The bystander polled throughout, not once before the attack began.
  expect(outcome.bystander.length).toBeGreaterThanOrEqual(minimumBystanderRequests);
  const late = outcome.bystander.filter((a) => a.outcome !== "200 data" || a.ms >= subgraphTimeoutMs).map((a) => `${a.outcome} after ${Math.round(a.ms)} ms`);
  expect(late, "bystander answers without data or later than the subgraph timeout").toEqual([]);
  expect(outcome.checksumAfter, "the graph's checksum").toBe(outcome.checksumBefore);
}

describe("crash attempts against the real processes with their production heap (issue 11)", () => {
  beforeAll(async () => {
    const neo4j = testNeo4j();
    driver = testDriver();
    const starting = performance.now();
    stack = await startProcessStack({
      neo4jUri: neo4j.uri,
      password: neo4j.password,
      root,
      label: "crash attempts",
      env: {
        NEO4J_USERNAME: neo4j.username,
        ...(neo4j.database ? { NEO4J_DATABASE: neo4j.database } : {}),
        SUBGRAPH_TIMEOUT_MS: String(subgraphTimeoutMs),
        GATEWAY_TRUSTED_PROXIES: "1",
        SERVICE_GRAPH_ENV: "production",
      },
    });
    // The bystander's first answer is not slowed by compiling its query.
    await send(bystanderAddress, bystanderQuery, 30_000);
    console.log(`The stack (${root}) was ready in ${Math.round((performance.now() - starting) / 1000)} s`);
  }, 150_000);

  afterAll(async () => {
    if (stack) {
      const peaks = stack.members.map((m) => `${m.name} ${peakMemoryMB(m.child.pid) ?? "gone"} MB`).join(", ");
      console.log(
        `Peak resident memory (VmHWM) after the crash attempts${root === repoRoot ? "" : ` (servers of ${root})`}: ${peaks}; the bystander's slowest answer ${Math.round(bystanderWorstMs)} ms`,
      );
    }
    await stopAll();
    await driver?.close();
  }, 30_000);

  it("1a. 150 distinct 990-field documents (a 160 MB gateway died at about 75)", async () => {
    const salt = Date.now().toString(36);
    const outcome = await underAttack({
      address: "198.51.100.11",
      count: 150,
      concurrency: 4,
      body: (i) => JSON.stringify({ query: distinctFieldsDocument(`${salt}${i}`, 990) }),
    });
    expectSurvived(outcome);
    expect(outcome.sent).toBe(150);
    // Every one was answered (refused as invalid, or rate-limited), none left hanging.
    expect(Object.keys(outcome.answers).filter((k) => k.startsWith("no answer"))).toEqual([]);
  }, 60_000);

  it("1b. 300 distinct valid documents with 975 fresh ids each (a 160 MB gateway died at about 277)", async () => {
    const salt = Date.now().toString(36);
    const outcome = await underAttack({
      address: "198.51.100.12",
      count: 300,
      concurrency: 4,
      body: (i) => JSON.stringify({ query: distinctIdsDocument(`${salt}-${i}`, 975) }),
    });
    expectSurvived(outcome);
    expect(outcome.sent).toBe(300);
    expect(Object.keys(outcome.answers).filter((k) => k.startsWith("no answer"))).toEqual([]);
  }, 60_000);

  it("2. the nested fan-out, ten at once, twice; then the same with limit: 0", async () => {
    const outcome = await underAttack({
      address: "198.51.100.13",
      count: 40,
      concurrency: 10,
      rounds: true,
      body: (i) => JSON.stringify({ query: fanOutDocument(i < 20 ? 1000 : 0) }),
    });
    expectSurvived(outcome);
    expect(outcome.sent).toBe(40);
    expect(Object.keys(outcome.answers).filter((k) => k.startsWith("no answer"))).toEqual([]);
    // None of them got the 1.37 million nodes.
    expect(outcome.answers["200 data"] ?? 0).toBe(0);
  }, 60_000);

  it("10. a filter variable nested 5,000 deep, within the body limit", async () => {
    const body = deepFilterBody(5_000);
    const outcome = await underAttack({ address: "198.51.100.14", count: 10, concurrency: 2, body: () => body });
    expectSurvived(outcome);
    expect(outcome.sent).toBe(10);
    // Refused, each one, by the cap on variables' depth (not by the body limit, nor by a crash or a timeout).
    expect(Object.keys(outcome.answers)).toEqual(["400 BAD_USER_INPUT"]);
  }, 60_000);
});
