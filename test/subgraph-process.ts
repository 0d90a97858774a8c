/**
 * One subgraph as a real child process, as `npm start` runs it (platform/server-process.ts: bounded heap,
 * tsx), on a free port over the given Neo4j: for attacks that must show the process stays up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import type { SubgraphName } from "../platform/config.js";
import { serverNodeArgs } from "../platform/server-process.js";

const repoRoot = resolve(import.meta.dirname, "..");

export interface SubgraphProcess {
  url: string;
  secret: string;
  child: ChildProcess;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it is still running. */
  alive(): boolean;
  /** Peak resident size so far, in MB, from /proc (Linux only; undefined elsewhere). */
  peakRssMb(): number | undefined;
  /** The last 20 kB it wrote. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export async function spawnSubgraph(
  name: SubgraphName,
  neo4j: { uri: string; username: string; password: string; database?: string | undefined },
  env: NodeJS.ProcessEnv = {},
): Promise<SubgraphProcess> {
  const port = await freePort();
  const secret = randomBytes(32).toString("hex");
  const portVariable = `${name.toUpperCase()}_PORT`;
  const child = spawn(process.execPath, serverNodeArgs(resolve(repoRoot, `subgraphs/${name}/index.ts`)), {
    cwd: repoRoot,
    env: {
      ...process.env,
      NEO4J_URI: neo4j.uri,
      NEO4J_USERNAME: neo4j.username,
      NEO4J_PASSWORD: neo4j.password,
      ...(neo4j.database ? { NEO4J_DATABASE: neo4j.database } : {}),
      SUBGRAPH_SECRET: secret,
      [portVariable]: String(port),
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once("exit", (code, signal) => resolveExit({ code, signal })),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let waited = 0; ; waited += 200) {
    if (ended) throw new Error(`The ${name} subgraph process ended while starting:\n${output}`);
    const ready = await fetch(url.replace("/graphql", "/readiness")).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (waited > 60_000) throw new Error(`The ${name} subgraph process was not ready within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    secret,
    child,
    exited,
    alive: () => !ended,
    peakRssMb() {
      try {
        const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        return kb ? Math.round(Number(kb) / 1024) : undefined;
      } catch {
        return undefined;
      }
    },
    output: () => output,
    async stop() {
      if (ended) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
