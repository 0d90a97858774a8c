/**
 * How many nodes one request may make a subgraph produce when ten arrive at once, within its
 * 160 MB heap (platform/server-process.ts): the organisations subgraph, started as `npm start` starts it,
 * is sent ten copies at a time of a nested fan-out of growing size, until it fails or dies.
 */
import { randomBytes } from "node:crypto";
import { signGatewayToken, gatewayTokenHeader } from "../../platform/caller.js";
import { freePort, peakMemoryMB, startNode, stopAll, waitUntilOk } from "../processes.js";

const secret = randomBytes(32).toString("hex");
const port = await freePort();
const child = startNode("organisations", "subgraphs/organisations/index.ts", {
  ORGANISATIONS_PORT: String(port),
  SUBGRAPH_SECRET: secret,
  LOG_LEVEL: "warn",
  NEO4J_URI: process.env["NEO4J_URI"] ?? "bolt://127.0.0.1:7687",
  NEO4J_PASSWORD: process.env["NEO4J_PASSWORD"] ?? "service-graph-local",
});
const url = `http://127.0.0.1:${port}/graphql`;
const token = await signGatewayToken(undefined, secret);
const post = async (query: string) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", [gatewayTokenHeader]: token },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
};
try {
  await waitUntilOk("organisations", async () => (await post("{ __typename }")).status === 200, child);
  const concurrency = Number(process.argv[2] ?? 10);
  for (const outer of (process.argv[3] ?? "10,25,50,100,200,400").split(",").map(Number)) {
    const query = `{ organisations(limit: ${outer}) { parents(limit: 1) { children { parents(limit: 1) { children { id } } } } } }`;
    const started = Date.now();
    const answers = await Promise.allSettled(Array.from({ length: concurrency }, () => post(query)));
    const ms = Date.now() - started;
    const ok = answers.filter((a) => a.status === "fulfilled" && a.value.status === 200 && !a.value.text.includes('"errors"'));
    const nodes = ok.length > 0 ? ((ok[0] as PromiseFulfilledResult<{ text: string }>).value.text.match(/"id"/g)?.length ?? 0) : 0;
    const errors = answers.map((a) => (a.status === "rejected" ? String(a.reason) : (/"code":"(\w+)"/.exec(a.value.text)?.[1] ?? a.value.status)));
    console.log(
      JSON.stringify({
        outer,
        concurrency,
        nodesPerRequest: nodes,
        ok: ok.length,
        ms,
        alive: child.exitCode === null && child.signalCode === null,
        peakMB: peakMemoryMB(child.pid),
        errors: [...new Set(errors)],
      }),
    );
    if (child.exitCode !== null || child.signalCode !== null) break;
  }
} finally {
  await stopAll();
}
