/** What the integration and end-to-end tests share: the test Neo4j, unique ids and a running stack. */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, inject } from "vitest";
import pino from "pino";
import type { Driver } from "neo4j-driver";
import { parseConfig, subgraphNames, type SubgraphName } from "../platform/config.js";
import { createDriver } from "../graph/neo4j.js";
import { supergraphPath } from "../platform/paths.js";
import type { RunningServer, SubgraphServer } from "../subgraph-kit/server.js";
import { createGateway, listenGateway, type GatewayOptions, type RunningGateway } from "../gateway/gateway.js";
import { graphVersionOf } from "../gateway/graph-version.js";
import { publicApiSettings, type PublicApiSettings } from "../gateway/public-api.js";
import { createTokenVerifier, type TokenSettings } from "../gateway/auth.js";
import type { DashboardSignIn } from "../platform/config.js";
import { gatewayTokenHeader, signGatewayToken, viewerFromClaims } from "../platform/caller.js";
import { signClientToken } from "../platform/demo-tokens.js";
import { createPeopleSubgraph } from "../subgraphs/people/server.js";
import { createOrganisationsSubgraph } from "../subgraphs/organisations/server.js";
import { createServicesSubgraph } from "../subgraphs/services/server.js";

export const silentLogger = pino({ level: "silent" });

export function testNeo4j() {
  const settings = inject("neo4j");
  return { ...settings, database: settings.database ?? undefined };
}

/** The test Neo4j as a process started by a test reads it from its environment (platform/config.ts). */
export function testNeo4jEnvironment(): Record<string, string> {
  const { uri, username, password, database } = testNeo4j();
  return { NEO4J_URI: uri, NEO4J_USERNAME: username, NEO4J_PASSWORD: password, ...(database ? { NEO4J_DATABASE: database } : {}) };
}

/** A driver to the test Neo4j; `await using driver = testDriver()` closes it at the end of the block. */
export function testDriver(): Driver {
  const { uri, username, password } = testNeo4j();
  return createDriver({ NEO4J_URI: uri, NEO4J_USERNAME: username, NEO4J_PASSWORD: password });
}

/** An id no other test uses, so tests share one database without seeing each other's data. */
export const uniqueId = (prefix: string): string => `test-${prefix}-${randomUUID().slice(0, 8)}`;

/** This test run's keys: the gateway's client tokens and the gateway-to-subgraph secret. */
export const testAuth = {
  secret: randomBytes(32).toString("hex"),
  issuer: "https://auth.service-graph.test",
  audience: "service-graph",
  subgraphSecret: randomBytes(32).toString("hex"),
};

/** Who a test request is from: the claims of its token, or null for an anonymous request. */
export interface TestCaller {
  sub?: string;
  roles: string[];
  organisations?: string[];
}

export const testAdmin: TestCaller = { sub: "test-admin", roles: ["admin"] };
export const testReader: TestCaller = { sub: "test-reader", roles: ["reader"] };

/** A client token for the caller, signed with this run's key unless the test changes something. */
export async function tokenFor(caller: TestCaller, options: { secret?: string; issuer?: string; audience?: string; expiresAt?: number } = {}): Promise<string> {
  return signClientToken(options.secret ?? testAuth.secret, {
    ...caller,
    issuer: options.issuer ?? testAuth.issuer,
    audience: options.audience ?? testAuth.audience,
    expiresAt: options.expiresAt ?? "10m",
  });
}

/**
 * The headers a request from the caller carries: its client token, for the gateway, and the token
 * the gateway would sign for it, for a subgraph called directly (the gateway replaces that one).
 */
export async function headersFor(caller: TestCaller | null): Promise<Record<string, string>> {
  const gatewayToken = await signGatewayToken(caller ? viewerFromClaims({ ...caller }) : undefined, testAuth.subgraphSecret);
  return { [gatewayTokenHeader]: gatewayToken, ...(caller ? { authorization: `Bearer ${await tokenFor(caller)}` } : {}) };
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  body: { data?: TData | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of any shape, and their assertions check it
export async function postGraphQL<TData = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  /** Tests that are not about permissions ask as an admin. */
  as: TestCaller | null = testAdmin,
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...(await headersFor(as)) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<TData>["body"] };
}

/** A change through a subgraph's API, as an admin, that must succeed; one stopped at its timeout on a busy machine stored nothing (all or nothing) and is asked again. */
export async function mutateThrough(url: string, source: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { body } = await postGraphQL(url, source);
    if (attempt < 3 && body.errors?.[0]?.extensions?.["code"] === "QUERY_TIMEOUT") continue;
    expect(body.errors).toBeUndefined();
    return;
  }
}

const factories: Record<SubgraphName, typeof createPeopleSubgraph> = {
  people: createPeopleSubgraph,
  organisations: createOrganisationsSubgraph,
  services: createServicesSubgraph,
};

/**
 * One subgraph, built and listening on a free port, over the test Neo4j. `await using` closes it at
 * the end of the block; a suite that shares it closes `running` in its afterAll.
 */
export async function startSubgraph(
  name: SubgraphName,
  driver: Driver,
  port = 0,
): Promise<{ server: SubgraphServer; running: RunningServer } & AsyncDisposable> {
  const server = await factories[name]({ driver, logger: silentLogger, database: testNeo4j().database, gatewaySecret: testAuth.subgraphSecret });
  const running = await server.listen(port);
  // Tests time their requests (the gateway's timeout among them): start them on compiled queries.
  await running.warmedUp;
  const started = { server, running, [Symbol.asyncDispose]: () => started.running.close() };
  return started;
}

/** `await using stack = await startStack()` closes it at the end of the block, as `close()` does. */
export interface TestStack extends AsyncDisposable {
  gateway: RunningGateway;
  subgraphs: Record<SubgraphName, { server: SubgraphServer; running: RunningServer }>;
  /** Stops one subgraph's HTTP server, as if its process had died. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts it again on the same port. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  /** Another gateway over the same subgraphs, with other settings (production mode, limits); closed with the stack. */
  startGateway(publicApi: PublicApiSettings, analysisCsv?: GatewayOptions["analysisCsv"]): Promise<RunningGateway>;
  close(): Promise<void>;
}

/** The public API's settings where nothing is set (development's), with this rate limit instead. */
export function withRateLimit(rateLimit: { burst: number; perSecond: number }): PublicApiSettings {
  const settings = publicApiSettings(parseConfig({}));
  return { ...settings, limits: { ...settings.limits, rateLimit } };
}

/**
 * These settings with no rate limit: a test stack's default. One test client sends a whole suite's
 * load from one address, and on a fast machine faster than the 10 a second a client is allowed; the
 * tests of the limit itself start a gateway with `withRateLimit`.
 */
export function withoutRateLimit(settings: PublicApiSettings = publicApiSettings(parseConfig({}))): PublicApiSettings {
  return { ...settings, limits: { ...settings.limits, rateLimit: undefined } };
}

/** The three subgraphs and the gateway in this process, on free ports, as `npm start` runs them. */
export async function startStack(
  options: {
    subgraphTimeoutMs?: number;
    urlOverrides?: Partial<Record<SubgraphName, string>>;
    /** The gateway's settings; development's with no rate limit unless set (`withoutRateLimit`). */
    publicApi?: PublicApiSettings;
    /** How client tokens are verified; this run's HS256 key unless set. */
    tokens?: TokenSettings;
    /** The dashboard's identity provider, and the port its address (the redirect URI) names. */
    dashboardSignIn?: DashboardSignIn;
    gatewayPort?: number;
    /** On: the gateway caches read answers, reading the graph's version from the test Neo4j (gateway/response-cache.ts). */
    responseCache?: boolean;
    /** The CSV downloads' row limit and page size (gateway/analysis-csv-route.ts). */
    analysisCsv?: GatewayOptions["analysisCsv"];
  } = {},
): Promise<TestStack> {
  const driver = testDriver();
  const entries = await Promise.all(
    subgraphNames.map(async (name) => {
      const { server, running } = await startSubgraph(name, driver);
      return [name, { server, running }] as const;
    }),
  );
  const subgraphs = Object.fromEntries(entries) as TestStack["subgraphs"];
  const urls = Object.fromEntries(subgraphNames.map((name) => [name, options.urlOverrides?.[name] ?? subgraphs[name].running.url])) as Record<
    SubgraphName,
    string
  >;
  const startGateway = (publicApi = options.publicApi ?? withoutRateLimit(), port = 0, analysisCsv = options.analysisCsv) =>
    listenGateway(
      createGateway({
        supergraphSdl: readFileSync(supergraphPath, "utf8"),
        subgraphUrls: urls,
        subgraphTimeoutMs: options.subgraphTimeoutMs ?? 5000,
        auth: {
          verify: createTokenVerifier(options.tokens ?? { jwtSecret: testAuth.secret, issuer: testAuth.issuer, audience: testAuth.audience }),
          subgraphSecret: testAuth.subgraphSecret,
        },
        publicApi,
        ...(options.responseCache ? { graphVersion: graphVersionOf(driver, testNeo4j().database) } : {}),
        ...(analysisCsv ? { analysisCsv } : {}),
      }),
      port,
      "127.0.0.1",
      10_000,
      options.dashboardSignIn,
    );
  const gateway = await startGateway(undefined, options.gatewayPort ?? 0);
  const otherGateways: RunningGateway[] = [];
  const stopped = new Set<SubgraphName>();
  const stack: TestStack = {
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
    async startGateway(publicApi, analysisCsv) {
      otherGateways.push(await startGateway(publicApi, 0, analysisCsv));
      return otherGateways.at(-1)!;
    },
    async close() {
      await Promise.all([gateway, ...otherGateways].map((g) => g.close()));
      await Promise.all(subgraphNames.filter((n) => !stopped.has(n)).map((n) => subgraphs[n].running.close()));
      await driver.close();
    },
    [Symbol.asyncDispose]: () => stack.close(),
  };
  return stack;
}

/**
 * The stack of a suite (a describe block or a file): started before its first test and closed after
 * its last. It exists from the suite's beforeAll on: read it in tests and hooks, not while the suite is declared.
 */
export function stackForSuite(options?: Parameters<typeof startStack>[0]): TestStack {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterAll(async () => {
    await stack?.close();
  });
  return new Proxy({} as TestStack, {
    get(_, key) {
      if (!stack) throw new Error("the suite's stack starts in its beforeAll: read it in a test or a hook");
      return Reflect.get(stack, key) as unknown;
    },
  });
}

export { graphChecksum } from "../graph/checksum.js";
