/**
 * What one subgraph process lets its generated queries read and hold, whatever the gateway let through.
 *
 * A small document can fan out over nested lists to millions of nodes (issue 11: 1.37 million for
 * five levels of organisations); @neo4j/graphql collects every record of its query before answering,
 * so ten of them at once took the process past its 160 MB heap. Here the driver it is given counts
 * the values of each record as it arrives and stops the query (rolling its transaction back, so Neo4j
 * stops too) once the request has read more than its share, or once all requests together hold more
 * than the process's; and at most a few generated queries run at once, with a short queue, so other
 * clients are still answered. A request's values are held until its answer has been sent.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import type { RequestHandler } from "express";
import { GraphQLError } from "graphql";
import type { Config } from "../platform/config.js";
import type { Driver, QueryResult, Result, Session, ManagedTransaction, Record as Neo4jRecord, ResultSummary } from "neo4j-driver";

export interface OperationBoundsOptions {
  /** Values (each map entry, list item and scalar) one request's generated queries may read. */
  maxValuesPerRequest: number;
  /** Values all requests in flight may hold at once. */
  maxValuesInFlight: number;
  /** Generated queries running at once; more wait in the queue. */
  maxConcurrentQueries: number;
  /** Queries waiting; one more is refused at once. */
  maxQueuedQueries: number;
  /** The longest a query waits in the queue before it is refused. */
  maxQueueWaitMs: number;
  /** Records Neo4j sends per batch. */
  fetchSize: number;
}

/**
 * Measured with ten fan-outs at once against the organisations process on two cores
 * (bench/abuse/subgraph-attacks.ts): a value read costs roughly 100 bytes of heap until the answer is
 * sent; the largest dashboard and example answers read under 20,000; two queries at once keep both
 * cores busy, and a fan-out is stopped within about a second. Waiting costs nothing held, so the queue
 * is long enough for ten fan-outs at once and other clients' queries beside them: with eight, ten
 * fan-outs filled it and a bystander's small query was refused SUBGRAPH_BUSY; queued, it runs first.
 */
/** How long a request stopped as too large sends its like to the back of the queue. */
const tooLargeMemoryMs = 30_000;

export const defaultOperationBounds: OperationBoundsOptions = {
  maxValuesPerRequest: 150_000,
  maxValuesInFlight: 400_000,
  maxConcurrentQueries: 2,
  maxQueuedQueries: 16,
  maxQueueWaitMs: 3_000,
  fetchSize: 10,
};

/** The bounds a subgraph process runs with: the SUBGRAPH_MAX_* variables (platform/config.ts), the rest as measured above. */
export function operationBoundsFromConfig(
  config: Pick<Config, "SUBGRAPH_MAX_RESULT_VALUES" | "SUBGRAPH_MAX_HELD_VALUES" | "SUBGRAPH_MAX_CONCURRENT_QUERIES" | "SUBGRAPH_MAX_QUEUED_QUERIES">,
): OperationBoundsOptions {
  return {
    ...defaultOperationBounds,
    maxValuesPerRequest: config.SUBGRAPH_MAX_RESULT_VALUES,
    maxValuesInFlight: config.SUBGRAPH_MAX_HELD_VALUES,
    maxConcurrentQueries: config.SUBGRAPH_MAX_CONCURRENT_QUERIES,
    maxQueuedQueries: config.SUBGRAPH_MAX_QUEUED_QUERIES,
  };
}

/** A request that asked the graph for more than its share: it must ask for less. */
export class ResultTooLargeError extends GraphQLError {
  constructor(max: number) {
    super(
      `This request asked the graph for more than ${max.toLocaleString("en-GB")} values, and was stopped: ask for less (smaller limits, fewer nested lists).`,
      { extensions: { code: "RESULT_TOO_LARGE" } },
    );
    this.name = "ResultTooLargeError";
  }
}

/** The subgraph is at its limit for other requests: the same request may succeed shortly. */
export class SubgraphBusyError extends GraphQLError {
  constructor(reason: string) {
    super(`The subgraph is busy (${reason}); try again shortly.`, { extensions: { code: "SUBGRAPH_BUSY" } });
    this.name = "SubgraphBusyError";
  }
}

/** Counts a record's values: each map entry and list item, recursively; driver objects (integers, dates) are one. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const item = stack.pop();
    count++;
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (item !== null && typeof item === "object" && Object.getPrototypeOf(item) === Object.prototype) {
      for (const key in item) stack.push((item as Record<string, unknown>)[key]);
    }
  }
  return count;
}

interface Ledger {
  values: number;
  /** The request's document and variables, once its body is read: the same request sent again has the same shape. */
  shape?: string;
  /** The answer has been sent (or the client has gone): a query still running for it is stopped. */
  closed: boolean;
}

export interface OperationBounds {
  /** The driver to give @neo4j/graphql: its sessions' queries are counted, queued and stopped as above. */
  driver: Driver;
  /** Express middleware before /graphql: opens the request's account, closed when its answer is sent. */
  middleware: RequestHandler;
  /** Express middleware after the body is parsed: notes the request's shape, for the queue's order. */
  shapeMiddleware: RequestHandler;
  /** For tests and metrics: values held and queries running and waiting now. */
  state(): { valuesInFlight: number; running: number; queued: number };
}

/** A member of a proxied object as the object gives it, its methods bound to it. */
function memberOf(target: object, property: string | symbol): unknown {
  const value = Reflect.get(target, property, target) as unknown;
  return typeof value === "function" ? (value.bind(target) as unknown) : value;
}
export function boundOperations(driver: Driver, options: OperationBoundsOptions = defaultOperationBounds): OperationBounds {
  const requests = new AsyncLocalStorage<Ledger>();
  let valuesInFlight = 0;
  let running = 0;
  const queue: { start: () => void; timer: NodeJS.Timeout; ledger: Ledger | undefined }[] = [];
  /** Shapes of requests stopped as too large lately, with when that stops counting; a few hundred at most. */
  const tooLarge = new Map<string, number>();
  const recentlyTooLarge = (ledger: Ledger | undefined) => {
    const until = ledger?.shape === undefined ? undefined : tooLarge.get(ledger.shape);
    if (until !== undefined && until < Date.now()) tooLarge.delete(ledger!.shape!);
    return until !== undefined && until >= Date.now();
  };
  function stoppedAsTooLarge(ledger: Ledger | undefined): void {
    if (ledger?.shape === undefined) return;
    if (tooLarge.size >= 256) tooLarge.delete(tooLarge.keys().next().value!);
    tooLarge.set(ledger.shape, Date.now() + tooLargeMemoryMs);
  }

  async function acquire(): Promise<void> {
    const ledger = requests.getStore();
    if (running < options.maxConcurrentQueries) {
      running++;
      return;
    }
    if (queue.length >= options.maxQueuedQueries) throw new SubgraphBusyError(`${running} queries running and ${queue.length} waiting`);
    await new Promise<void>((resolveStart, rejectStart) => {
      const entry = {
        ledger,
        start: () => {
          clearTimeout(entry.timer);
          running++;
          resolveStart();
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(entry), 1);
          rejectStart(new SubgraphBusyError(`no query slot within ${options.maxQueueWaitMs} ms`));
        }, options.maxQueueWaitMs),
      };
      queue.push(entry);
    });
  }

  /**
   * Frees a slot for the waiting query whose request has read least, the newest of those first: a
   * burst of fan-outs queued together must not hold back a client's small query that came after it.
   * Requests shaped like one just stopped as too large wait behind every other: a flood of the same
   * fan-out queued before a client's small query, and as new as it (none has read anything yet), held
   * it back one fan-out after another until it passed its wait.
   */
  function release(): void {
    running--;
    let next = -1;
    let nextRank: [boolean, number] = [true, Infinity];
    for (let i = queue.length - 1; i >= 0; i--) {
      const rank: [boolean, number] = [recentlyTooLarge(queue[i]!.ledger), queue[i]!.ledger?.values ?? 0];
      if (next < 0 || (!rank[0] && nextRank[0]) || (rank[0] === nextRank[0] && rank[1] < nextRank[1])) [next, nextRank] = [i, rank];
    }
    if (next >= 0) queue.splice(next, 1)[0]!.start();
  }

  /** The query's records, counted as they arrive; rejects (and so stops the query) when a bound is passed. */
  function collect(result: Result): Promise<QueryResult> {
    const ledger = requests.getStore();
    return new Promise((resolveResult, rejectResult) => {
      const records: Neo4jRecord[] = [];
      let stopped = false;
      result.subscribe({
        onNext(record) {
          if (stopped) return;
          if (ledger?.closed) {
            stopped = true;
            records.length = 0;
            rejectResult(new SubgraphBusyError("the request had already ended"));
            return;
          }
          const values = countValues(record.toObject(), options.maxValuesPerRequest);
          if (ledger) {
            ledger.values += values;
            valuesInFlight += values;
          }
          const tooMuch = ledger !== undefined && ledger.values > options.maxValuesPerRequest;
          if (tooMuch) stoppedAsTooLarge(ledger);
          const error = tooMuch
            ? new ResultTooLargeError(options.maxValuesPerRequest)
            : valuesInFlight > options.maxValuesInFlight
              ? new SubgraphBusyError("holding as much as it may for other requests")
              : undefined;
          if (error) {
            stopped = true;
            records.length = 0;
            rejectResult(error);
            return;
          }
          records.push(record);
        },
        onCompleted(summary: ResultSummary) {
          if (!stopped) resolveResult({ records, summary });
        },
        onError(error) {
          if (stopped) return;
          // Neo4j's own bound (db.memory.transaction.max) is transient to the driver, which would run the query again.
          const code = (error as { code?: string }).code ?? "";
          rejectResult(code.includes("MemoryPoolOutOfMemoryError") ? new ResultTooLargeError(options.maxValuesPerRequest) : error);
        },
      });
    });
  }

  const boundTransaction = (tx: ManagedTransaction): ManagedTransaction =>
    new Proxy(tx, {
      get(target, property) {
        if (property === "run") return (query: string, parameters?: Record<string, unknown>) => collect(target.run(query, parameters));
        return memberOf(target, property);
      },
    });

  const boundSession = (session: Session): Session =>
    new Proxy(session, {
      get(target, property) {
        if (property === "executeRead" || property === "executeWrite") {
          const execute = target[property].bind(target);
          return async (work: (tx: ManagedTransaction) => unknown, config?: unknown) => {
            await acquire();
            try {
              return await execute((tx: ManagedTransaction) => work(boundTransaction(tx)), config as never);
            } finally {
              release();
            }
          };
        }
        return memberOf(target, property);
      },
    });

  const bounded = new Proxy(driver, {
    get(target, property) {
      // Small batches: Neo4j computes a whole batch before it reads the rollback, so a stopped query stops within one.
      if (property === "session")
        return (config: Parameters<Driver["session"]>[0] = {}) =>
          boundSession(target.session({ ...config, fetchSize: Math.min(config.fetchSize ?? options.fetchSize, options.fetchSize) }));
      return memberOf(target, property);
    },
  });

  const middleware: RequestHandler = (_req, res, next) => {
    const ledger: Ledger = { values: 0, closed: false };
    res.once("close", () => {
      valuesInFlight -= ledger.values;
      ledger.values = 0;
      ledger.closed = true;
    });
    requests.run(ledger, next);
  };

  const shapeMiddleware: RequestHandler = (req, _res, next) => {
    const ledger = requests.getStore();
    const body = req.body as { query?: unknown; variables?: unknown } | undefined;
    if (ledger && typeof body?.query === "string")
      ledger.shape = createHash("sha256")
        .update(JSON.stringify([body.query, body.variables ?? null]))
        .digest("hex");
    next();
  };

  return { driver: bounded, middleware, shapeMiddleware, state: () => ({ valuesInFlight, running, queued: queue.length }) };
}
