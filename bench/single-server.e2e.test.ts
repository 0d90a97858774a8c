/**
 * The benchmark's single-server peer (bench/single-server.ts) as its own process, beside the gateway
 * over the three subgraphs: the generated-fields journey is answered the same by both, and the caller
 * reaches @neo4j/graphql's rules (people's names for readers only) as it does through federation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../platform/paths.js";
import { serverNodeArgs } from "../platform/server-process.js";
import { gatewayTokenHeader } from "../platform/caller.js";
import { freePort } from "./processes.js";
import { headersFor, postGraphQL, stackForSuite, testAuth, testNeo4jEnvironment, testReader } from "../test/helpers.js";

const journeyTrace = readFileSync(resolve(repoRoot, "gateway/examples/journey-trace.graphql"), "utf8");

async function ask(url: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: journeyTrace, variables: { serviceId: "starting-a-business" } }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string }[] } };
}

describe("the single-server peer", () => {
  const stack = stackForSuite();
  let peer: ChildProcess;
  let url = "";
  let output = "";

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/graphql`;
    peer = spawn(process.execPath, serverNodeArgs(resolve(repoRoot, "bench/single-server.ts")), {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...testNeo4jEnvironment(),
        SUBGRAPH_SECRET: testAuth.subgraphSecret,
        GATEWAY_PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    peer.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    peer.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    for (const started = Date.now(); ;) {
      if (peer.exitCode !== null) throw new Error(`The single-server peer exited while starting:\n${output}`);
      const up = await ask(url, {}).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() - started > 90_000) throw new Error(`The single-server peer was not listening within 90 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  afterAll(() => {
    peer?.kill("SIGTERM");
  });

  it("answers the generated-fields journey as the gateway over the three subgraphs does, byte for byte", async () => {
    const throughGateway = await postGraphQL(stack.gateway.url, journeyTrace, { serviceId: "starting-a-business" }, testReader);
    const fromPeer = await ask(url, await headersFor(testReader));
    expect(throughGateway.body.errors).toBeUndefined();
    expect(fromPeer.body.errors).toBeUndefined();
    const stages = (throughGateway.body.data as { services: { stages: unknown[] }[] }).services[0]?.stages;
    expect(stages?.length).toBeGreaterThan(0);
    expect(JSON.stringify(fromPeer.body.data)).toBe(JSON.stringify(throughGateway.body.data));
  });

  it("refuses people's names to an anonymous caller, and a token the gateway did not sign", async () => {
    const anonymous = await ask(url, {});
    expect(anonymous.body.errors?.[0]?.message).toMatch(/Unauthenticated/);
    const forged = await ask(url, { [gatewayTokenHeader]: "not.a.token" });
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0]?.message).toMatch(/not signed by this deployment's gateway/);
  });
});
