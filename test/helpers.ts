/** What the integration and end-to-end tests share: the test Neo4j, unique ids and a running stack. */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { inject } from "vitest";
import pino from "pino";
import type { Driver } from "neo4j-driver";
import { subgraphNames, type SubgraphName } from "../lib/config.js";
import { createDriver } from "../lib/neo4j.js";
import { supergraphPath } from "../lib/paths.js";
import type { RunningServer, SubgraphServer } from "../lib/subgraph-server.js";
import { createGateway, listenGateway, type RunningGateway } from "../gateway/gateway.js";
import { createPeopleSubgraph } from "../subgraphs/people/server.js";
import { createOrganisationsSubgraph } from "../subgraphs/organisations/server.js";
import { createServicesSubgraph } from "../subgraphs/services/server.js";

export const silentLogger = pino({ level: "silent" });

export function testNeo4j() {
  const settings = inject("neo4j");
  return { ...settings, database: settings.database ?? undefined };
}

export function testDriver(): Driver {
  const { uri, username, password } = testNeo4j();
  return createDriver({ NEO4J_URI: uri, NEO4J_USERNAME: username, NEO4J_PASSWORD: password });
}

/** An id no other test uses, so tests share one database without seeing each other's data. */
export const uniqueId = (prefix: string): string => `test-${prefix}-${randomUUID().slice(0, 8)}`;

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  body: { data?: TData | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export async function postGraphQL<TData = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<TData>["body"] };
}

const factories: Record<SubgraphName, typeof createPeopleSubgraph> = {
  people: createPeopleSubgraph,
  organisations: createOrganisationsSubgraph,
  services: createServicesSubgraph,
};

/** One subgraph, built and listening on a free port, over the test Neo4j. */
export async function startSubgraph(name: SubgraphName, driver: Driver, port = 0): Promise<{ server: SubgraphServer; running: RunningServer }> {
  const server = await factories[name]({ driver, logger: silentLogger, database: testNeo4j().database });
  const running = await server.listen(port);
  // Tests time their requests (the gateway's timeout among them): start them on compiled queries.
  await running.warmedUp;
  return { server, running };
}

export interface TestStack {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, { server: SubgraphServer; running: RunningServer }>;
  /** Stops one subgraph's HTTP server, as if its process had died. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts it again on the same port. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  close(): Promise<void>;
}

/** The three subgraphs and the gateway in this process, on free ports, as `npm start` runs them. */
export async function startStack(options: { subgraphTimeoutMs?: number; urlOverrides?: Partial<Record<SubgraphName, string>> } = {}): Promise<TestStack> {
  const driver = testDriver();
  const entries = await Promise.all(subgraphNames.map(async (name) => [name, await startSubgraph(name, driver)] as const));
  const subgraphs = Object.fromEntries(entries) as TestStack["subgraphs"];
  const urls = Object.fromEntries(subgraphNames.map((name) => [name, options.urlOverrides?.[name] ?? subgraphs[name].running.url])) as Record<SubgraphName, string>;
  const gateway = await listenGateway(
    createGateway({ supergraphSdl: readFileSync(supergraphPath, "utf8"), subgraphUrls: urls, subgraphTimeoutMs: options.subgraphTimeoutMs ?? 5000 }),
    0,
  );
  const stopped = new Set<SubgraphName>();
  return {
    gateway,
    subgraphs,
    async stopSubgraph(name) {
      await subgraphs[name].running.close();
      stopped.add(name);
    },
    async restartSubgraph(name) {
      subgraphs[name].running = await subgraphs[name].server.listen(subgraphs[name].running.port);
      stopped.delete(name);
    },
    async close() {
      await gateway.close();
      await Promise.all(subgraphNames.filter((n) => !stopped.has(n)).map((n) => subgraphs[n].running.close()));
      await driver.close();
    },
  };
}
