/**
 * A closed-loop load generator: `concurrency` workers each send one request after another until the
 * cell's request count or time budget runs out, after a few warm-up requests that are not measured.
 */

export interface LoadBudget {
  concurrency: number;
  /** Measured requests at most. */
  requests: number;
  /** Seconds at most; requests in flight when it runs out are still awaited and counted. */
  seconds: number;
  warmup: number;
}

export interface CellResult {
  concurrency: number;
  requests: number;
  errors: number;
  /** The first error met, to tell a broken query from a slow one. */
  firstError: string | null;
  p50: number;
  p95: number;
  p99: number;
  requestsPerSecond: number;
}

/** One request: resolves with an error message when the answer is wrong, null when it is right. */
export type Request = () => Promise<string | null>;

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** What one closed-loop batch measured: each request's latency, how long the batch took, what went wrong. */
export interface Batch {
  latencies: number[];
  seconds: number;
  errors: number;
  firstError: string | null;
}

/** `concurrency` workers send requests one after another until `requests` have started or `seconds` have passed. */
export async function runBatch(request: Request, concurrency: number, requests: number, seconds: number): Promise<Batch> {
  const batch: Batch = { latencies: [], seconds: 0, errors: 0, firstError: null };
  let started = 0;
  const begin = performance.now();
  const deadline = begin + seconds * 1000;
  const worker = async () => {
    while (started < requests && performance.now() < deadline) {
      started++;
      const t0 = performance.now();
      let error: string | null;
      try {
        error = await request();
      } catch (thrown) {
        error = (thrown as Error).message;
      }
      batch.latencies.push(performance.now() - t0);
      if (error !== null) {
        batch.errors++;
        batch.firstError ??= error.slice(0, 300);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  batch.seconds = (performance.now() - begin) / 1000;
  return batch;
}

/** One cell's figures from its batches (one, or several interleaved with other cells'). */
export function summarise(concurrency: number, batches: readonly Batch[]): CellResult {
  const sorted = batches.flatMap((b) => b.latencies).sort((a, b) => a - b);
  const seconds = batches.reduce((sum, b) => sum + b.seconds, 0);
  return {
    concurrency,
    requests: sorted.length,
    errors: batches.reduce((sum, b) => sum + b.errors, 0),
    firstError: batches.find((b) => b.firstError !== null)?.firstError ?? null,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    requestsPerSecond: round(sorted.length / seconds),
  };
}

export async function runCell(request: Request, budget: LoadBudget): Promise<CellResult> {
  await runBatch(request, 1, budget.warmup, Number.POSITIVE_INFINITY);
  return summarise(budget.concurrency, [await runBatch(request, budget.concurrency, budget.requests, budget.seconds)]);
}

/** A GraphQL POST that counts as an error a non-200 status, a body with `errors`, or no data. */
export function graphqlRequest(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Request {
  const body = JSON.stringify({ query, variables });
  return async () => {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const text = await response.text();
    if (!response.ok) return `HTTP ${response.status}: ${text}`;
    const json = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
    if (json.errors?.length) return JSON.stringify(json.errors);
    if (!json.data || Object.values(json.data).some((v) => v === null)) return `no data: ${text}`;
    return null;
  };
}
