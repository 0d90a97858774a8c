/**
 * A local Neo4j 5.26 Community server with APOC core, without Docker: the libraries come from Maven
 * Central (graph/launcher/pom.xml), are cached in `.neo4j/` and run by graph/launcher/EmbeddedNeo4j.java.
 * Used by `npm start` and the test set-up when NEO4J_URI is not set.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, copyFileSync, renameSync, rmSync, writeFileSync, openSync } from "node:fs";
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
/** The launcher as a jar: a class-data-sharing archive takes classes from jars only, not from a directory. */
const launcherJar = join(cacheDir, "launcher.jar");
/** The classes a Neo4j start loaded, in order (`-XX:DumpLoadedClassList`), and the archive made of them (`-Xshare:dump`). */
const classListFile = join(cacheDir, "neo4j-classes.lst");
const classArchiveFile = join(cacheDir, "neo4j-classes.jsa");

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

const packLauncher = () => run("jar", ["cf", launcherJar, "-C", classesDir, "."], root);

/** Resolves Neo4j and APOC from Maven Central once and compiles the launcher; a no-op when cached. */
export function installNeo4j(log: (line: string) => void = console.log): void {
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === installStamp()) {
    // An install from before the launcher was a jar.
    if (!existsSync(launcherJar)) packLauncher();
    return;
  }
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
  packLauncher();
  // Made of the classes just replaced: made again from the next start's.
  for (const file of [classListFile, classArchiveFile]) rmSync(file, { force: true });
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
  /**
   * When the install has no class archive yet: record the classes this start loads, and when it stops
   * make the archive of them (once, about 30 s of CPU), which every later start maps instead of loading
   * and verifying some 16,000 classes (a start took 0.6× the time with it here). For `npm start`.
   */
  prepareClassArchive?: boolean;
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

  const classpath = launcherClasspath();
  const out = openSync(join(home, "server.log"), "a");
  const archived = existsSync(classArchiveFile);
  const recording = !archived && options.prepareClassArchive === true;
  const child = spawn(
    "java",
    [
      `-Xmx${options.heap ?? "1g"}`,
      "-XX:+UseG1GC",
      // An archive from another JVM or of other jars is refused by the JVM, which then loads the classes itself.
      ...(archived ? [`-XX:SharedArchiveFile=${classArchiveFile}`, "-Xlog:cds=off"] : []),
      ...(recording ? [`-XX:DumpLoadedClassList=${classListFile}`] : []),
      "-cp",
      classpath,
      "EmbeddedNeo4j",
      home,
      "127.0.0.1",
      String(options.port),
      options.password,
    ],
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
      if (recording) await makeClassArchive(log);
    },
  };
}

/** The same for every instance (the plugins from the install, not an instance's copies), as the class archive requires. */
function launcherClasspath(): string {
  const plugins = readdirSync(pluginsDir).map((jar) => join(pluginsDir, jar));
  return [launcherJar, readFileSync(classpathFile, "utf8").trim(), ...plugins].join(":");
}

/**
 * Makes the class archive from the recorded list; a failure leaves starts as they were. Lines the dump
 * cannot read (lambda proxies of more than 4,096 characters) are left out: those classes load as before.
 */
async function makeClassArchive(log: (line: string) => void): Promise<void> {
  if (!existsSync(classListFile)) return;
  log("Making a class archive of Neo4j for faster starts (once, about 30 s)…");
  const readable = join(cacheDir, "neo4j-classes.readable.lst");
  const partial = `${classArchiveFile}.partial`;
  writeFileSync(
    readable,
    readFileSync(classListFile, "utf8")
      .split("\n")
      .filter((line) => line.length < 4096)
      .join("\n"),
  );
  const dump = spawn("java", ["-Xshare:dump", `-XX:SharedClassListFile=${readable}`, `-XX:SharedArchiveFile=${partial}`, "-cp", launcherClasspath()], {
    stdio: "ignore",
  });
  const code = await new Promise<number | null>((resolveDump) => dump.once("exit", resolveDump));
  if (code === 0 && existsSync(partial)) renameSync(partial, classArchiveFile);
  else log(`Neo4j's class archive could not be made (java -Xshare:dump exited with ${code}); Neo4j starts without it.`);
  for (const file of [readable, classListFile, partial]) rmSync(file, { force: true });
}

/**
 * The Neo4j a command should use: NEO4J_URI when set; otherwise the local one, started here unless
 * it already runs (then `stop` leaves it running).
 */
export async function ensureNeo4j(
  config: { NEO4J_URI?: string | undefined; NEO4J_LOCAL_PORT: number; NEO4J_PASSWORD: string },
  log: (line: string) => void = console.log,
  { prepareClassArchive = false }: Pick<LocalNeo4jOptions, "prepareClassArchive"> = {},
): Promise<{ uri: string; local: boolean; stop(): Promise<void>; exited?: Promise<void> }> {
  if (config.NEO4J_URI) return { uri: config.NEO4J_URI, local: false, stop: async () => {} };
  if (await portInUse(config.NEO4J_LOCAL_PORT)) {
    return { uri: `bolt://127.0.0.1:${config.NEO4J_LOCAL_PORT}`, local: true, stop: async () => {} };
  }
  log(`Starting the local Neo4j on 127.0.0.1:${config.NEO4J_LOCAL_PORT} (data in .neo4j/data)…`);
  const neo4j = await startLocalNeo4j({ name: "data", port: config.NEO4J_LOCAL_PORT, password: config.NEO4J_PASSWORD, log, prepareClassArchive });
  return { uri: neo4j.uri, local: true, stop: () => neo4j.stop(), exited: neo4j.exited };
}
