/**
 * npm run bench:start [-- --before <checkout>] [-- --rounds 3] [-- --warm]
 *
 * A warm `npm start` (issue 17's goal: ready in at most 30 s): `npm start` run in this checkout (and,
 * with `--before <dir>`, in that checkout, with node_modules, the two taking turns, the order
 * rotating), each on free ports with the local Neo4j of its own checkout (.neo4j/data), timed from
 * the command to "Service Graph is running.", then stopped with Ctrl-C (SIGINT) and waited for. A
 * first run of each checkout, not timed, makes its Neo4j warm (its data there and seeded; `--warm`:
 * they are, from an earlier run, and this one is left out). The
 * lines `npm start` prints are kept with the time they came, so the steps' times are in the report;
 * a checkout whose start.ts says its steps' times ("Ready in …") has them listed too.
 *
 * Writes docs/benchmarks/start.md and start.json.
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../platform/paths.js";
import { machineLine, writeBenchmarkPage } from "./side-by-side.js";
import { freePort } from "./processes.js";

const args = parseArgs({ options: { before: { type: "string" }, rounds: { type: "string", default: "3" }, warm: { type: "boolean", default: false } } }).values;
const rounds = Number(args.rounds);
const log = (line: string) => console.error(line);
const readyLine = "Service Graph is running.";

interface StartRun {
  seconds: number;
  /** What start.ts said its steps took, when it says ("Ready in …"). */
  steps: string | undefined;
  /** When each marked line came, seconds after the command. */
  marks: Record<string, number>;
}

/** Lines whose time tells a step's end. */
const markers: [string, RegExp][] = [
  ["dashboard built", /^Built .*dashboard\.js/],
  ["Neo4j starting", /Starting the local Neo4j/],
];

async function startOnce(root: string): Promise<StartRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEO4J_LOCAL_PORT: String(await freePort()),
    PEOPLE_PORT: String(await freePort()),
    ORGANISATIONS_PORT: String(await freePort()),
    SERVICES_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    IDENTITY_PROVIDER_PORT: String(await freePort()),
    LOG_LEVEL: "silent",
  };
  delete env["NEO4J_URI"];
  const started = performance.now();
  // Its own process group: Ctrl-C reaches npm, start.ts and every process it starts, as in a terminal.
  const child = spawn("npm", ["start"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  const marks: Record<string, number> = {};
  let output = "";
  let steps: string | undefined;
  try {
    await new Promise<void>((resolveReady, rejectReady) => {
      const timer = setTimeout(
        () => rejectReady(new Error(`npm start in ${root} was not ready within 300 s; its output ends:\n${output.slice(-3000)}`)),
        300_000,
      );
      const onData = (chunk: Buffer) => {
        const at = (performance.now() - started) / 1000;
        for (const line of chunk.toString().split("\n")) {
          output += line + "\n";
          for (const [name, pattern] of markers) if (pattern.test(line) && marks[name] === undefined) marks[name] = at;
          const ready = /^Ready in (.*)$/.exec(line.trim());
          if (ready) steps = ready[1];
          if (line.includes(readyLine)) {
            marks["ready"] = at;
            clearTimeout(timer);
            resolveReady();
          }
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      void exited.then(() => rejectReady(new Error(`npm start in ${root} stopped before it was ready; its output ends:\n${output.slice(-3000)}`)));
    });
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGINT");
    // Long enough for the first stop to make Neo4j's class archive (graph/local-neo4j.ts).
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 300_000);
    await exited;
    clearTimeout(timer);
  }
  return { seconds: marks["ready"]!, steps, marks };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const checkouts = [
    ...(args.before ? [{ name: `before (${basename(resolve(args.before))})`, root: resolve(args.before) }] : []),
    { name: "after", root: repoRoot },
  ];
  for (const { name, root } of args.warm ? [] : checkouts) {
    log(`${name}: a first start, not timed, to make its Neo4j warm`);
    await startOnce(root);
  }
  const runs: Record<string, StartRun[]> = Object.fromEntries(checkouts.map(({ name }) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = checkouts.map((_, i) => checkouts[(i + round) % checkouts.length]!);
    for (const { name, root } of order) {
      const run = await startOnce(root);
      runs[name]!.push(run);
      log(`round ${round + 1}, ${name}: ready in ${run.seconds.toFixed(1)} s${run.steps ? ` (${run.steps})` : ""}`);
    }
  }
  const first = checkouts[0]!.name;
  const command = `npm run bench:start${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const lines = [
    "# A warm `npm start` (`npm run bench:start`)",
    "",
    `Command: \`${command}\`. Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; ${machineLine(loadBefore)}. ` +
      `Each checkout's \`npm start\` (its dashboard build, its local Neo4j, warm: started before, not timed) on free ports, timed from the command to "${readyLine}", then stopped with Ctrl-C; ${rounds} rounds, the order rotating.`,
    "",
    "| checkout | median s | runs s | median vs " + first + " | dashboard built at (median s) |",
    "| --- | ---: | --- | ---: | ---: |",
    ...checkouts.map(({ name }) => {
      const each = runs[name]!;
      const seconds = median(each.map((run) => run.seconds));
      const built = each.map((run) => run.marks["dashboard built"]).filter((at): at is number => at !== undefined);
      return `| ${name} | ${seconds.toFixed(1)} | ${each.map((run) => run.seconds.toFixed(1)).join(", ")} | ${(seconds / median(runs[first]!.map((run) => run.seconds))).toFixed(2)}× | ${built.length ? median(built).toFixed(1) : "–"} |`;
    }),
    "",
    ...checkouts.flatMap(({ name }) => {
      const said = runs[name]!.map((run) => run.steps).filter(Boolean);
      return said.length ? [`Steps as ${name}'s start.ts tells them, each run:`, "", ...said.map((steps) => `- ${steps}`), ""] : [];
    }),
  ];
  writeBenchmarkPage("start", lines, { command, rounds, loadBefore, runs });
}

await main();
