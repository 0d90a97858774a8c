/**
 * The attacks of issue 11 that aim at the subgraphs, as functions of the addresses they are sent to:
 * each returns what it observed. `gateway` is the public API; a subgraph's address with its secret
 * (SUBGRAPH_SECRET) calls it directly, as the gateway would for an anonymous caller.
 */
import { gatewayTokenHeader, signGatewayToken, type Viewer } from "../../platform/caller.js";

export interface AttackTargets {
  /** The gateway's /graphql. */
  gateway?: string;
  /** A subgraph's /graphql with the secret to call it directly. */
  organisations?: { url: string; secret: string };
}

export interface Answer {
  status: number;
  ms: number;
  codes: string[];
  // The answer's data as the query shapes it, for the assertions of the e2e tests that send it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON whose shape the caller's query decides
  data?: Record<string, any> | null;
  bytes: number;
}

/** One POST of a GraphQL document to the gateway, or to a subgraph as the gateway (for an anonymous caller unless a viewer is given). */
export async function send(
  target: string | { url: string; secret: string; viewer?: Viewer },
  query: string,
  variables: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<Answer> {
  const started = performance.now();
  const url = typeof target === "string" ? target : target.url;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (typeof target !== "string") headers[gatewayTokenHeader] = await signGatewayToken(target.viewer, target.secret);
  try {
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      /* not JSON: the status says enough */
    }
    return {
      status: response.status,
      ms: Math.round(performance.now() - started),
      codes: (body.errors ?? []).map((e) => e.extensions?.code ?? "none"),
      data: body.data,
      bytes: text.length,
    };
  } catch (error) {
    return {
      status: 0,
      ms: Math.round(performance.now() - started),
      codes: [(error as Error).name === "TimeoutError" ? "CLIENT_TIMEOUT" : "NO_ANSWER"],
      bytes: 0,
    };
  }
}

function targetOf(targets: AttackTargets): string | { url: string; secret: string } {
  const target = targets.organisations ?? targets.gateway;
  if (!target) throw new Error("give the gateway's or the organisations subgraph's address");
  return target;
}

/** Attack 3: `limit: 0` and `first: 0` read as no limit; negative values and forged cursors as database failures. */
export async function zeroAndNegativeLimits(targets: AttackTargets) {
  const target = targetOf(targets);
  const zero = await send(target, "{ organisations(limit: 0) { id } }");
  const firstZero = await send(target, "{ organisationsConnection(first: 0) { edges { cursor } } }");
  const refusals = await Promise.all(
    [
      "{ organisations(limit: -1) { id } }",
      "{ organisationsConnection(first: -1) { totalCount } }",
      '{ organisationsConnection(after: "forged") { totalCount } }',
      "{ organisations(limit: 1) { childrenConnection(first: -1) { totalCount } } }",
    ].map(async (query) => ({ query, codes: (await send(target, query)).codes })),
  );
  const organisations = zero.data?.["organisations"] as unknown[] | null | undefined;
  const connection = firstZero.data?.["organisationsConnection"] as { edges?: unknown[] | null } | null | undefined;
  return { limitZeroItems: organisations?.length ?? null, firstZeroEdges: connection?.edges?.length ?? null, refusals };
}

/** Attack 4: walks organisationsConnection by endCursor with no `first`, and with first: 2000, and compares with totalCount. */
export async function pagingWalk(targets: AttackTargets) {
  const target = targetOf(targets);
  const walk = async (first: number | null) => {
    let after: string | null = null;
    let items = 0;
    let totalCount = 0;
    for (let pages = 0; pages < 50; pages++) {
      const answer = await send(
        target,
        "query ($first: Int, $after: String) { organisationsConnection(first: $first, after: $after) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }",
        { first, after },
      );
      const connection = answer.data?.["organisationsConnection"] as
        { totalCount: number; edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null | undefined;
      if (!connection) return { items, totalCount, error: answer.codes };
      totalCount = connection.totalCount;
      items += connection.edges.length;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    return { items, totalCount };
  };
  return { noFirst: await walk(null), first2000: await walk(2000) };
}

/** Attack 10: dates that do not exist, in a filter. */
export async function invalidDates(targets: AttackTargets) {
  const target = targetOf(targets);
  return Promise.all(
    ["2024-02-30", "-0001-01-01"].map(async (date) => ({
      date,
      codes: (await send(target, `{ organisations(where: { closedAt: { gt: "${date}" } }, limit: 1) { id } }`)).codes,
    })),
  );
}

export const fanOutQuery = "{ organisations(limit: 1000) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }";

/**
 * Attack 2: the fan-out (about 1.37 million nodes on the civil-service graph) `concurrency` at once,
 * while another client asks a simple query every half second: what each got, and how long the simple
 * queries took. `alive`, when given, says whether the subgraph's process is still running.
 */
export async function fanOut(targets: AttackTargets, options: { concurrency?: number; timeoutMs?: number; alive?: () => boolean } = {}) {
  const target = targetOf(targets);
  const { concurrency = 10, timeoutMs = 30_000 } = options;
  const simple: Answer[] = [];
  let attacking = true;
  const prober = (async () => {
    while (attacking) {
      simple.push(await send(target, '{ organisations(where: { id: { eq: "cabinet-office" } }) { id name } }', {}, timeoutMs));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const attacks = await Promise.all(Array.from({ length: concurrency }, () => send(target, fanOutQuery, {}, timeoutMs)));
  attacking = false;
  await prober;
  const after = await send(target, '{ organisations(where: { id: { eq: "cabinet-office" } }) { id name } }', {}, timeoutMs);
  const count = (codes: string[]) => codes.reduce<Record<string, number>>((n, code) => ({ ...n, [code]: (n[code] ?? 0) + 1 }), {});
  return {
    attacks: {
      codes: count(attacks.flatMap((a) => (a.codes.length > 0 ? a.codes : [a.status === 200 ? "OK" : `HTTP_${a.status}`]))),
      maxMs: Math.max(...attacks.map((a) => a.ms)),
      maxBytes: Math.max(...attacks.map((a) => a.bytes)),
    },
    simpleQueries: {
      count: simple.length,
      answered: simple.filter((s) => s.status === 200 && s.codes.length === 0).length,
      maxMs: Math.max(0, ...simple.map((s) => s.ms)),
      codes: count(simple.flatMap((s) => s.codes)),
    },
    afterwards: { answered: after.status === 200 && after.codes.length === 0, ms: after.ms },
    ...(options.alive ? { alive: options.alive() } : {}),
  };
}
