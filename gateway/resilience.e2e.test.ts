/**
 * The gateway's behaviour around its subgraphs and its own lifetime: queries retried within the
 * subgraph timeout (mutations never), the request id from client to subgraph and back, the log line
 * and metrics of each request, and a stop that lets requests in flight finish, in-process and as
 * `gateway/index.ts` receiving SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../platform/config.js";
import { freePort } from "../bench/processes.js";
import { repoRoot, supergraphPath } from "../platform/paths.js";
import { postGraphQL, startStack, testAdmin, testAuth, testReader, tokenFor, type TestCaller, type TestStack } from "../test/helpers.js";
import { createTokenVerifier } from "./auth.js";
import { createGateway, listenGateway, type RunningGateway } from "./gateway.js";
import { publicApiSettings } from "./public-api.js";

/**
 * In front of a subgraph: fails the next calls (503 with no GraphQL body, a reset connection, or an
 * answer of its own), delays them, or is down altogether, and notes each call's request id.
 */
class FlakyProxy {
  failNext = 0;
  resetNext = 0;
  /** Answers given in place of the subgraph's, as a subgraph would send them. */
  readonly answerNext: { status: number; body: unknown }[] = [];
  delayMs = 0;
  readonly requestIds: (string | undefined)[] = [];
  target = "";
  private port = 0;
  private readonly server: Server = createServer((req, res) => {
    this.requestIds.push(req.headers["x-request-id"] as string | undefined);
    if (this.resetNext > 0) {
      this.resetNext--;
      req.socket.destroy();
      return;
    }
    if (this.failNext > 0) {
      this.failNext--;
      res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      return;
    }
    const answer = this.answerNext.shift();
    if (answer) {
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      return;
    }
    setTimeout(() => {
      const target = new URL(this.target);
      const upstream = forward({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      // The gateway gave up on the call (its drain timeout): so does the proxy.
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    }, this.delayMs);
  });

  async listen(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(this.port, "127.0.0.1", () => done()));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  /** Stops listening, as a subgraph whose process has died: connections are refused. */
  async down(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

const organisationsQuery = `query Orgs { organisations(where: { id: { eq: "companies-house" } }) { name } }`;

describe("the gateway around its subgraphs", () => {
  const proxy = new FlakyProxy();
  const peopleProxy = new FlakyProxy();
  let stack: TestStack;
  let urls: Record<"people" | "organisations" | "services", string>;
  const logLines: Record<string, unknown>[] = [];

  /** A gateway over the stack's subgraphs (organisations and people behind proxies), logging into logLines. */
  const startGateway = (drainTimeoutMs?: number): Promise<RunningGateway> =>
    listenGateway(
      createGateway({
        supergraphSdl: readFileSync(supergraphPath, "utf8"),
        subgraphUrls: urls,
        subgraphTimeoutMs: 5000,
        auth: {
          verify: createTokenVerifier({ jwtSecret: testAuth.secret, issuer: testAuth.issuer, audience: testAuth.audience }),
          subgraphSecret: testAuth.subgraphSecret,
        },
        publicApi: publicApiSettings(parseConfig({ GATEWAY_RATE_LIMIT_PER_SECOND: "0" })),
        logger: pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) }),
      }),
      0,
      "127.0.0.1",
      drainTimeoutMs,
    );

  beforeAll(async () => {
    const proxyUrl = await proxy.listen();
    const peopleProxyUrl = await peopleProxy.listen();
    stack = await startStack({ urlOverrides: { organisations: proxyUrl, people: peopleProxyUrl } });
    proxy.target = stack.subgraphs.organisations.running.url;
    peopleProxy.target = stack.subgraphs.people.running.url;
    urls = { people: peopleProxyUrl, organisations: proxyUrl, services: stack.subgraphs.services.running.url };
  });

  afterAll(async () => {
    await stack?.close();
    proxy.close();
    peopleProxy.close();
  });

  beforeEach(() => {
    for (const each of [proxy, peopleProxy]) {
      each.failNext = 0;
      each.resetNext = 0;
      each.answerNext.length = 0;
      each.delayMs = 0;
      each.requestIds.length = 0;
    }
  });

  describe("retries and request ids", () => {
    let gateway: RunningGateway;

    beforeAll(async () => {
      gateway = await startGateway();
    });

    afterAll(async () => {
      await gateway.close();
    });

    it("retries a query the subgraph could not answer, with the gateway's request id on every call", async () => {
      proxy.failNext = 2;
      const response = await fetch(gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "retry-probe-1" },
        body: JSON.stringify({ query: organisationsQuery }),
      });
      expect(await response.json()).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
      // The gateway's own id, not the client's (which any client may choose): subgraph-kit/mutations/audit.ts records it.
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(proxy.requestIds).toEqual([id, id, id]);
    });

    it("gives up after two retries, well within the subgraph timeout, and says part of the graph is unavailable", async () => {
      proxy.failNext = 10;
      const started = Date.now();
      const { body } = await postGraphQL(gateway.url, organisationsQuery);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(proxy.requestIds).toHaveLength(3);
      expect(body.errors).toEqual([
        {
          message: "Part of the graph is unavailable right now; the rest of the answer is complete.",
          path: ["organisations"],
          extensions: { code: "SUBGRAPH_UNAVAILABLE" },
        },
      ]);
      // The subgraph's own words ("Service Unavailable") do not reach the client.
      expect(JSON.stringify(body)).not.toContain("Service Unavailable");
    });

    it("retries a query whose connection was reset", async () => {
      proxy.resetNext = 1;
      const { body } = await postGraphQL(gateway.url, organisationsQuery);
      expect(body).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
      expect(proxy.requestIds).toHaveLength(2);
    });

    it("retries a query while its subgraph is down, and answers once it is back within the retries", async () => {
      await proxy.down();
      // The retries come 100 and 300 ms after the first call: back after 150 ms, the second one is answered.
      const answer = postGraphQL(gateway.url, organisationsQuery);
      await new Promise((r) => setTimeout(r, 150));
      await proxy.listen();
      expect((await answer).body).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
      expect(proxy.requestIds).toHaveLength(1);
    });

    /** Runs the query once under a request id of its own and gives the answer and how many times the people subgraph was called. */
    const callsFor = async (query: string, as: TestCaller | null, requestId: string) => {
      const response = await fetch(gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": requestId, ...(as ? { authorization: `Bearer ${await tokenFor(as)}` } : {}) },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      // The id the gateway answers with is the one it sends each subgraph call.
      const id = response.headers.get("x-request-id");
      return { codes: body.errors?.map((error) => error.extensions?.code), calls: peopleProxy.requestIds.filter((each) => each === id).length };
    };
    const auditQuery = (args = "") => `query AuditProbe { auditTrail${args} { edges { node { at } } } }`;

    it("runs a query the subgraph refused (FORBIDDEN, UNAUTHENTICATED, BAD_USER_INPUT) exactly once", async () => {
      expect(await callsFor(auditQuery(), testReader, "no-retry-forbidden")).toEqual({ codes: ["FORBIDDEN"], calls: 1 });
      expect(await callsFor(`query NamesProbe { people(limit: 1) { name } }`, null, "no-retry-anonymous")).toEqual({ codes: ["UNAUTHENTICATED"], calls: 1 });
      expect(await callsFor(auditQuery('(after: "forged")'), testAdmin, "no-retry-bad-input")).toEqual({ codes: ["BAD_USER_INPUT"], calls: 1 });
    });

    it("runs a query that failed inside the subgraph exactly once, whatever the status of its GraphQL answer", async () => {
      // As the subgraphs mask an unexpected error (subgraph-kit/server.ts), with 200 and with 500; and a 503 that carries GraphQL.
      const internal = { data: null, errors: [{ message: "Unexpected error.", path: ["auditTrail"], extensions: { code: "INTERNAL_SERVER_ERROR" } }] };
      for (const [status, id] of [
        [200, "no-retry-internal-200"],
        [500, "no-retry-internal-500"],
        [503, "no-retry-graphql-503"],
      ] as const) {
        peopleProxy.answerNext.push({ status, body: internal });
        expect(await callsFor(auditQuery(), testAdmin, id)).toEqual({ codes: ["INTERNAL_SERVER_ERROR"], calls: 1 });
      }
    });

    it("never retries a mutation", async () => {
      proxy.failNext = 1;
      const { body } = await postGraphQL(gateway.url, `mutation { deleteOrganisations(where: { id: { eq: "test-no-such-organisation" } }) { nodesDeleted } }`);
      expect(proxy.requestIds).toHaveLength(1);
      expect(body.errors?.[0]?.extensions?.["code"]).toBe("SUBGRAPH_UNAVAILABLE");
    });

    it("replaces a request id that is not short and plain, and sends its own to the subgraph", async () => {
      const response = await fetch(gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "<script>alert(1)</script>" },
        body: JSON.stringify({ query: organisationsQuery }),
      });
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(proxy.requestIds).toEqual([id]);
    });

    it("logs one JSON line per request: id, operation, status, time and errors", async () => {
      logLines.length = 0;
      await fetch(gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "log-probe-1" },
        body: JSON.stringify({ query: organisationsQuery }),
      });
      await fetch(gateway.url, { method: "POST", headers: { "content-type": "text/plain", "x-request-id": "log-probe-2" }, body: "{}" });
      expect(logLines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: "request",
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          clientRequestId: "log-probe-1",
          operationName: "Orgs",
          status: 200,
          errors: 0,
          ms: expect.any(Number),
        }),
        expect.objectContaining({
          level: 30,
          msg: "request",
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          clientRequestId: "log-probe-2",
          status: 415,
          errors: 1,
          ms: expect.any(Number),
        }),
      ]);
    });

    it("serves Prometheus metrics per operation and per subgraph, and each subgraph its own", async () => {
      await postGraphQL(gateway.url, organisationsQuery);
      const metrics = await (await fetch(gateway.url.replace(/graphql$/, "metrics"))).text();
      expect(metrics).toMatch(/^graphql_envelop_request\{operationName="Orgs",operationType="query"\} \d+$/m);
      expect(metrics).toMatch(/^graphql_envelop_request_duration_count\{operationName="Orgs",operationType="query"\} \d+$/m);
      expect(metrics).toMatch(
        /^graphql_gateway_subgraph_execute_duration_count\{subgraphName="organisations",operationName="Orgs",operationType="query"\} \d+$/m,
      );
      expect(metrics).toMatch(
        /^graphql_gateway_subgraph_execute_errors\{subgraphName="organisations",operationName="Anonymous",operationType="mutation"\} \d+$/m,
      );
      expect(metrics).toMatch(/^graphql_gateway_http_responses_total\{status="415"\} \d+$/m);
      // No subgraph address in the gateway's metrics.
      expect(metrics).not.toContain("127.0.0.1");
      const subgraph = await (await fetch(stack.subgraphs.organisations.running.url.replace(/graphql$/, "metrics"))).text();
      expect(subgraph).toMatch(/^subgraph_requests_total\{operationName="Orgs",subgraph="organisations"\} \d+$/m);
      expect(subgraph).toMatch(/^subgraph_request_duration_seconds_count\{(?=[^}]*operationName="Orgs")(?=[^}]*subgraph="organisations")[^}]*\} \d+$/m);
    });

    it("asks for a token for /metrics when one is configured", async () => {
      const guarded = await listenGateway(
        createGateway({
          supergraphSdl: readFileSync(supergraphPath, "utf8"),
          subgraphUrls: urls,
          subgraphTimeoutMs: 5000,
          auth: { verify: createTokenVerifier({}), subgraphSecret: testAuth.subgraphSecret },
          publicApi: publicApiSettings(parseConfig({ METRICS_TOKEN: "metrics-token-for-tests" })),
        }),
        0,
      );
      try {
        const metricsUrl = guarded.url.replace(/graphql$/, "metrics");
        expect((await fetch(metricsUrl)).status).toBe(401);
        expect((await fetch(metricsUrl, { headers: { authorization: "Bearer wrong-token-of-some-length" } })).status).toBe(401);
        const allowed = await fetch(metricsUrl, { headers: { authorization: "Bearer metrics-token-for-tests" } });
        expect(allowed.status).toBe(200);
        expect(await allowed.text()).toContain("graphql_gateway_http_responses_total");
      } finally {
        await guarded.close();
      }
    });
  });

  describe("stopping", () => {
    it("lets a request in flight finish, refusing new connections meanwhile", async () => {
      const gateway = await startGateway(5000);
      proxy.delayMs = 1500;
      const inFlight = postGraphQL(gateway.url, organisationsQuery);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const closing = gateway.close();
      await expect(fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).rejects.toThrow();
      expect((await inFlight).body).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
      await closing;
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it("closes what is still in flight once the drain timeout has passed", async () => {
      const gateway = await startGateway(300);
      proxy.delayMs = 4000;
      const inFlight = postGraphQL(gateway.url, organisationsQuery).then(
        () => "answered",
        () => "connection closed",
      );
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await gateway.close();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await inFlight).toBe("connection closed");
    });

    it("as a process: on SIGTERM, finishes the request in flight, logs it, and exits 0", async () => {
      const port = await freePort();
      const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", resolve(repoRoot, "gateway/index.ts")], {
        env: {
          ...process.env,
          HOST: "127.0.0.1",
          GATEWAY_PORT: String(port),
          LOG_LEVEL: "info",
          SUBGRAPH_SECRET: testAuth.subgraphSecret,
          AUTH_JWT_SECRET: testAuth.secret,
          AUTH_ISSUER: testAuth.issuer,
          AUTH_AUDIENCE: testAuth.audience,
          PEOPLE_URL: urls.people,
          ORGANISATIONS_URL: urls.organisations,
          SERVICES_URL: urls.services,
          GATEWAY_DRAIN_TIMEOUT_MS: "5000",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      try {
        const deadline = Date.now() + 60_000;
        while (!output.includes('"msg":"gateway listening"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        expect(output).toContain('"msg":"gateway listening"');

        proxy.delayMs = 1500;
        const inFlight = fetch(`http://127.0.0.1:${port}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": "sigterm-probe", authorization: `Bearer ${await tokenFor(testReader)}` },
          body: JSON.stringify({ query: organisationsQuery }),
        });
        await new Promise((r) => setTimeout(r, 400));
        child.kill("SIGTERM");
        const response = await inFlight;
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ data: { organisations: [{ name: "Companies House" }] } });
        expect(await exited).toBe(0);
        const lines = output
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines).toContainEqual(
          expect.objectContaining({ name: "gateway", msg: "request", clientRequestId: "sigterm-probe", operationName: "Orgs", status: 200, errors: 0 }),
        );
        expect(lines.at(-1)).toMatchObject({ msg: "gateway stopped" });
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    });
  });
});
