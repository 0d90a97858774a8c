/**
 * The attacks of issue 11 on the gateway's limits (items 1 to 3), as functions of the gateway's
 * /graphql address: each sends what an anonymous outsider sent and returns what came back. The
 * tests (gateway/cost-and-memory.e2e.test.ts) run them small; the abuse benchmark at the rates.
 */

export interface Refusal {
  status: number;
  code: string | undefined;
  message: string | undefined;
}

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(url: string, body: string, timeoutMs = 30_000): Promise<{ status: number; json: Answer }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as Answer };
  } catch {
    return { status: response.status, json: {} };
  }
}

const refusalOf = (answer: Awaited<ReturnType<typeof post>>): Refusal => ({
  status: answer.status,
  code: answer.json.errors?.[0]?.extensions?.code,
  message: answer.json.errors?.[0]?.message,
});

/** `{ f<n>x0 f<n>x1 … f<n>x988 }`: 990 tokens, a fresh name each time, so no two are the same document. */
export const distinctFieldsDocument = (n: number | string, fields = 989): string => `{ ${Array.from({ length: fields }, (_, i) => `f${n}x${i}`).join(" ")} }`;

/** A valid one: an organisation by any of 975 ids, fresh each time. */
export const distinctIdsDocument = (n: number | string, ids = 975): string =>
  `{ organisations(limit: 1, where: { id: { in: [${Array.from({ length: ids }, (_, i) => `"r${n}-${i}"`).join(",")}] } }) { id } }`;

export interface FloodResult {
  sent: number;
  statuses: number[];
  /** A normal query sent every 20 documents: how many were answered with data. */
  otherClients: number;
  otherClientsAnswered: number;
  ms: number;
}

/**
 * Attack 1: distinct large documents, half invalid (`{ f1x0 … }`) and half valid (975 ids), `concurrency`
 * at a time. Before the caches were bounded in bytes, 75 at 8 a second took a 160 MB gateway down.
 * `perSecond`: at most that many a second (the rate is 8); unset, as fast as answered.
 */
export async function runCacheFlood(gatewayUrl: string, options: { documents?: number; concurrency?: number; perSecond?: number } = {}): Promise<FloodResult> {
  const documents = options.documents ?? 600;
  const concurrency = options.concurrency ?? 8;
  const started = Date.now();
  const statuses: number[] = [];
  let otherClients = 0;
  let otherClientsAnswered = 0;
  const salt = Math.floor(Math.random() * 1e9);
  let next = 0;
  const worker = async () => {
    while (next < documents) {
      const n = next++;
      if (options.perSecond) {
        const due = started + (n / options.perSecond) * 1000;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      const query = n % 2 === 0 ? distinctFieldsDocument(salt + n) : distinctIdsDocument(salt + n);
      statuses.push((await post(gatewayUrl, JSON.stringify({ query }))).status);
      if (n % 20 === 0) {
        otherClients++;
        const normal = await post(
          gatewayUrl,
          JSON.stringify({ query: '{ organisations(where: { id: { eq: "companies-house" } }, limit: 1) { name } }' }),
          10_000,
        );
        if (normal.status === 200 && normal.json.data) otherClientsAnswered++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent: documents, statuses, otherClients, otherClientsAnswered, ms: Date.now() - started };
}

/** The nested fan-out: 1.37 million nodes for one request with `limit: 1000`; `limit: 0` asked for no bound at all. */
export const fanOutDocument = (limit: number): string =>
  `{ organisations(limit: ${limit}) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }`;

/**
 * A request body whose `OrganisationWhere` variable nests `AND` `depth` deep. Written out by hand:
 * JSON.stringify itself overflows the stack at 10,000.
 */
export const deepFilterBody = (depth: number): string =>
  `{"query":"query ($where: OrganisationWhere) { organisations(limit: 1, where: $where) { id } }","variables":{"where":${'{"AND":['.repeat(depth)}{}${"]}".repeat(depth)}}}`;

/** The fan-out (1.37 million nodes for one request) and the suite's 45 MB one with `limit: 0`. */
export const fanOutDocuments = [
  "{ organisations(limit: 1000) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }",
  "{ organisations(limit: 0) { parents { children(limit: 0) { parents { children(limit: 0) { id } } } } } }",
];

/** Attack 2: each fan-out `concurrency` times at once. Before: ten at once ended the organisations subgraph (SIGABRT). */
export async function runFanOut(gatewayUrl: string, options: { concurrency?: number } = {}): Promise<Refusal[]> {
  const concurrency = options.concurrency ?? 10;
  const sends = fanOutDocuments.flatMap((query) => Array.from({ length: concurrency }, () => post(gatewayUrl, JSON.stringify({ query }))));
  return (await Promise.all(sends)).map(refusalOf);
}

/** Negative sizes, literal and as variables. Before: DATABASE_UNAVAILABLE (logged as an error) or INTERNAL_SERVER_ERROR. */
export async function runNegativeSizes(gatewayUrl: string): Promise<Refusal[]> {
  const bodies = [
    { query: "{ organisations(limit: -1) { id } }" },
    { query: "query ($n: Int) { organisations(limit: $n) { id } }", variables: { n: -10 } },
    { query: "{ organisationsConnection(first: -5) { edges { node { id } } } }" },
    { query: "{ organisations(limit: 1) { children(limit: -1) { id } } }" },
  ];
  return (await Promise.all(bodies.map((body) => post(gatewayUrl, JSON.stringify(body))))).map(refusalOf);
}

/** Variables nested 5,000 deep, then 6,000 ids. Before: a stack overflow, masked, retried three times, then 504. */
export async function runDeepVariables(gatewayUrl: string, depth = 5000): Promise<Refusal[]> {
  const query = "query ($where: OrganisationWhere) { organisations(where: $where, limit: 1) { id } }";
  // Written out: JSON.stringify itself overflows on such nesting.
  const deep = `{"query":${JSON.stringify(query)},"variables":{"where":${'{"AND":['.repeat(depth)}{}${"]}".repeat(depth)}}}`;
  const many = JSON.stringify({ query, variables: { where: { id: { in: Array.from({ length: 6000 }, (_, i) => String(i)) } } } });
  return [refusalOf(await post(gatewayUrl, deep)), refusalOf(await post(gatewayUrl, many))];
}
