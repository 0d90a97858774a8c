/**
 * `npm start` as its users run it: the whole stack as processes. When one of them dies (a crash, the
 * kernel's OOM killer) it must say which and exit non-zero, not hang with Neo4j and the rest still up.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../platform/paths.js";
import { freePort } from "../bench/processes.js";
import { testNeo4jEnvironment } from "../test/helpers.js";

/** The children of a process, with their command lines. */
function childrenOf(pid: number): { pid: number; args: string }[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const [, childPid, args] = /^\s*(\d+)\s+(.*)$/.exec(line)!;
      return { pid: Number(childPid), args: args! };
    });
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm start, when one of its processes dies", () => {
  let start: ChildProcess;
  let output = "";
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let subgraphPorts: number[] = [];

  beforeAll(async () => {
    const [people, organisations, services, gateway, identity] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    subgraphPorts = [people, organisations, services];
    start = spawn(process.execPath, ["--import", "tsx", resolve(repoRoot, "scripts/start.ts")], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...testNeo4jEnvironment(),
        LOG_LEVEL: "warn",
        PEOPLE_PORT: String(people),
        ORGANISATIONS_PORT: String(organisations),
        SERVICES_PORT: String(services),
        GATEWAY_PORT: String(gateway),
        IDENTITY_PROVIDER_PORT: String(identity),
      },
      stdio: ["ignore", "pipe", "pipe"],
      // A group of its own, so that a failed test can stop npm start and every server it started at once.
      detached: true,
    });
    start.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    start.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    exit = new Promise((resolveExit) => start.once("exit", (code, signal) => resolveExit({ code, signal })));
    const deadline = Date.now() + 100_000;
    while (!output.includes("Service Graph is running")) {
      if (start.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(() => {
    try {
      process.kill(-start.pid!, "SIGKILL");
    } catch {
      // the group has gone: npm start stopped everything, as it should
    }
  });

  it("says it is running once every subgraph is ready", async () => {
    for (const port of subgraphPorts) {
      const readiness = await fetch(`http://127.0.0.1:${port}/readiness`);
      expect(await readiness.json()).toMatchObject({ status: "ready" });
    }
  });

  it("names the process, stops the others and exits non-zero", async () => {
    // The servers, not tsx's esbuild service beside them.
    const children = childrenOf(start.pid!).filter((child) => /(subgraphs\/\w+|gateway|identity-provider)\/index\.ts/.test(child.args));
    const people = children.find((child) => child.args.includes("subgraphs/people/index.ts"));
    expect(people, `children: ${JSON.stringify(children)}`).toBeDefined();
    expect(children).toHaveLength(5);

    process.kill(people!.pid, "SIGKILL");
    const timeout = new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000));
    const result = await Promise.race([exit, timeout]);

    expect(result).toEqual({ code: 1, signal: null });
    expect(output).toContain("The people process stopped (killed by SIGKILL); stopping the stack.");
    expect(children.filter((child) => isAlive(child.pid))).toEqual([]);
  }, 60_000);
});
