/**
 * A local Neo4j 5.26 Community server with APOC core, without Docker: the libraries come from Maven
 * Central (graph/launcher/pom.xml), are cached in `.neo4j/` and run by graph/launcher/EmbeddedNeo4j.java.
 * Used by `npm start` and the test set-up when NEO4J_URI is not set.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, copyFileSync, rmSync, writeFileSync, openSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { createConnection } from "node:net";

const root = resolve(import.meta.dirname, "..");
export const cacheDir = join(root, ".neo4j");
const pom = join(root, "graph", "launcher", "pom.xml");
const launcherSource = join(root, "graph", "launcher", "EmbeddedNeo4j.java");
const classpathFile = join(cacheDir, "classpath.txt");
const classesDir = join(cacheDir, "classes");
const pluginsDir = join(cacheDir, "plugins");
const stampFile = join(cacheDir, "installed.stamp");

function run(command: string, args: string[], cwd: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    const output = `${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`.split("\n").slice(-30).join("\n");
    throw new Error(`${command} ${args.join(" ")} failed:\n${output || e.message}`, { cause: error });
  }
}

/** The install is keyed on the pom and launcher, so changing either reinstalls. */
function installStamp(): string {
  return readFileSync(pom, "utf8") + readFileSync(launcherSource, "utf8");
}

/** Resolves Neo4j and APOC from Maven Central once and compiles the launcher; a no-op when cached. */
export function installNeo4j(log: (line: string) => void = console.log): void {
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === installStamp()) return;
  log("Fetching Neo4j 5.26 Community and APOC core from Maven Central (first run only, about 200 MB)…");
  mkdirSync(cacheDir, { recursive: true });
  const mvn = ["-q", "-B", "-f", pom];
  run("mvn", [...mvn, "dependency:build-classpath", `-Dmdep.outputFile=${classpathFile}`], root);
  const apocDownloads = join(cacheDir, "apoc-download");
  rmSync(apocDownloads, { recursive: true, force: true });
  run("mvn", [...mvn, "-P", "plugins", "dependency:copy-dependencies", `-DoutputDirectory=${apocDownloads}`], root);
  // Only APOC's own jars go to the plugins folder: the rest are Neo4j's, already on the classpath.
  const neo4jJars = new Set(
    readFileSync(classpathFile, "utf8")
      .split(":")
      .map((p) => basename(p)),
  );
  rmSync(pluginsDir, { recursive: true, force: true });
  mkdirSync(pluginsDir, { recursive: true });
  for (const jar of readdirSync(apocDownloads)) {
    if (!neo4jJars.has(jar)) copyFileSync(join(apocDownloads, jar), join(pluginsDir, jar));
  }
  rmSync(apocDownloads, { recursive: true, force: true });
  run("javac", ["-d", classesDir, "-cp", readFileSync(classpathFile, "utf8").trim(), launcherSource], root);
  writeFileSync(stampFile, installStamp());
}

const startTimeoutMs = 180_000;

export interface LocalNeo4j {
  uri: string;
  process: ChildProcess;
  /** Settles when the server process exits, whoever stopped it. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface LocalNeo4jOptions {
  /** A name for the instance; its data lives in `.neo4j/<name>`. */
  name: string;
  port: number;
  password: string;
  /** Java heap, for example `1g`. */
  heap?: string;
  log?: (line: string) => void;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once("error", () => resolvePort(false));
  });
}

/** Starts a local Neo4j and resolves once Bolt accepts connections. */
export async function startLocalNeo4j(options: LocalNeo4jOptions): Promise<LocalNeo4j> {
  const log = options.log ?? console.log;
  installNeo4j(log);
  if (await portInUse(options.port)) {
    throw new Error(
      `Port ${options.port} is already in use, so the local Neo4j cannot start there. ` +
        `Stop whatever listens on it, or set NEO4J_URI to use a running Neo4j.`,
    );
  }
  const home = join(cacheDir, options.name);
  mkdirSync(home, { recursive: true });
  rmSync(join(home, "plugins"), { recursive: true, force: true });
  mkdirSync(join(home, "plugins"));
  for (const jar of readdirSync(pluginsDir)) copyFileSync(join(pluginsDir, jar), join(home, "plugins", jar));

  const classpath = [classesDir, readFileSync(classpathFile, "utf8").trim(), join(home, "plugins", "*")].join(":");
  const out = openSync(join(home, "server.log"), "a");
  const child = spawn(
    "java",
    [`-Xmx${options.heap ?? "1g"}`, "-XX:+UseG1GC", "-cp", classpath, "EmbeddedNeo4j", home, "127.0.0.1", String(options.port), options.password],
    // stdin stays open while we live: the launcher stops Neo4j when it closes.
    { stdio: ["pipe", "pipe", out] },
  );
  const uri = `bolt://127.0.0.1:${options.port}`;
  await new Promise<void>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectReady(new Error(`The local Neo4j was not ready within ${startTimeoutMs / 1000} s; see ${join(home, "server.log")}`));
    }, startTimeoutMs);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("READY")) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      const tail = readFileSync(join(home, "server.log"), "utf8").split("\n").slice(-15).join("\n");
      rejectReady(new Error(`The local Neo4j exited with code ${code} before it was ready. Its log (${join(home, "server.log")}) ends:\n${tail}`));
    });
  });
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  return {
    uri,
    process: child,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * The Neo4j a command should use: NEO4J_URI when set; otherwise the local one, started here unless
 * it already runs (then `stop` leaves it running).
 */
export async function ensureNeo4j(
  config: { NEO4J_URI?: string | undefined; NEO4J_LOCAL_PORT: number; NEO4J_PASSWORD: string },
  log: (line: string) => void = console.log,
): Promise<{ uri: string; local: boolean; stop(): Promise<void>; exited?: Promise<void> }> {
  if (config.NEO4J_URI) return { uri: config.NEO4J_URI, local: false, stop: async () => {} };
  if (await portInUse(config.NEO4J_LOCAL_PORT)) {
    return { uri: `bolt://127.0.0.1:${config.NEO4J_LOCAL_PORT}`, local: true, stop: async () => {} };
  }
  log(`Starting the local Neo4j on 127.0.0.1:${config.NEO4J_LOCAL_PORT} (data in .neo4j/data)…`);
  const neo4j = await startLocalNeo4j({ name: "data", port: config.NEO4J_LOCAL_PORT, password: config.NEO4J_PASSWORD, log });
  return { uri: neo4j.uri, local: true, stop: () => neo4j.stop(), exited: neo4j.exited };
}
