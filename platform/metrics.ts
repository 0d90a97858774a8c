/**
 * Prometheus metrics shared by the gateway and the subgraphs (prom-client), each process with a
 * registry of its own. Operation names come from clients: labels keep a bounded number of them.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestHandler } from "express";
import { Counter, Histogram, Registry } from "prom-client";

/** Seconds: from a cached lookup to the gateway's subgraph timeout. */
export const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A label for names a client chooses: the first `max` distinct ones as they are (cut to 100
 * characters), every later one as "other", so that a client inventing names cannot grow the
 * registry without end.
 */
export function boundedLabel(max = 200): (name: string | undefined) => string {
  const known = new Set<string>();
  return (name) => {
    if (!name) return "Anonymous";
    const label = name.slice(0, 100);
    if (known.has(label)) return label;
    if (known.size >= max) return "other";
    known.add(label);
    return label;
  };
}

export interface SubgraphMetrics {
  plugin: ApolloServerPlugin;
  /** GET /metrics, in Prometheus' text format. */
  handler: RequestHandler;
}

/** Requests, errors and latency per operation of one subgraph. */
export function createSubgraphMetrics(subgraph: string): SubgraphMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ subgraph });
  const labelNames = ["operationName"] as const;
  const requests = new Counter({ name: "subgraph_requests_total", help: "GraphQL requests answered", labelNames, registers: [registry] });
  const errors = new Counter({ name: "subgraph_request_errors_total", help: "Errors in the answers", labelNames, registers: [registry] });
  const duration = new Histogram({
    name: "subgraph_request_duration_seconds",
    help: "Time to answer a request",
    labelNames,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const operationLabel = boundedLabel();
  return {
    plugin: {
      async requestDidStart() {
        const started = performance.now();
        return {
          async willSendResponse({ response, operationName }) {
            const labels = { operationName: operationLabel(operationName ?? undefined) };
            requests.inc(labels);
            const errorCount = response.body.kind === "single" ? (response.body.singleResult.errors?.length ?? 0) : 0;
            if (errorCount > 0) errors.inc(labels, errorCount);
            duration.observe(labels, (performance.now() - started) / 1000);
          },
        };
      },
    },
    handler: (_req, res, next) => {
      registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
    },
  };
}
