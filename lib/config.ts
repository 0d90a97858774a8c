/**
 * Configuration from environment variables, validated once per process: every problem is reported
 * together, then the process exits, rather than failing later on first use.
 */
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);

const neo4jUriSchema = z
  .string()
  .regex(/^(bolt|bolt\+s|bolt\+ssc|neo4j|neo4j\+s|neo4j\+ssc):\/\/[^\s]+$/, "must be a bolt://, neo4j:// or neo4j+s:// URI");

const schema = z.object({
  /** Unset: `npm start` and the tests run a local Neo4j (lib/local-neo4j.ts). */
  NEO4J_URI: neo4jUriSchema.optional(),
  NEO4J_USERNAME: z.string().min(1).default("neo4j"),
  /** The local Neo4j's password too. */
  NEO4J_PASSWORD: z.string().min(8, "must be at least 8 characters (Neo4j's minimum)").default("service-graph-local"),
  NEO4J_DATABASE: z.string().min(1).optional(),
  /** Port of the local Neo4j when NEO4J_URI is unset. */
  NEO4J_LOCAL_PORT: port.default(7687),
  /** The address servers listen on: loopback by default, 0.0.0.0 in a container. */
  HOST: z.string().min(1).default("127.0.0.1"),
  PEOPLE_PORT: port.default(4001),
  ORGANISATIONS_PORT: port.default(4002),
  SERVICES_PORT: port.default(4003),
  GATEWAY_PORT: port.default(4000),
  /** Where the gateway finds each subgraph; defaults follow the ports above. */
  PEOPLE_URL: z.string().url().optional(),
  ORGANISATIONS_URL: z.string().url().optional(),
  SERVICES_URL: z.string().url().optional(),
  /** The longest the gateway waits for one subgraph call. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment; throws one ConfigError listing every invalid variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
}

/** The config of this process, or a clear message and exit 1. */
export function loadConfig(): Config {
  try {
    return parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export function subgraphUrls(config: Config): Record<SubgraphName, string> {
  return {
    people: config.PEOPLE_URL ?? `http://127.0.0.1:${config.PEOPLE_PORT}/graphql`,
    organisations: config.ORGANISATIONS_URL ?? `http://127.0.0.1:${config.ORGANISATIONS_PORT}/graphql`,
    services: config.SERVICES_URL ?? `http://127.0.0.1:${config.SERVICES_PORT}/graphql`,
  };
}

export const subgraphNames = ["people", "organisations", "services"] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** The Neo4j to use: NEO4J_URI, or the local one that `npm start` runs. */
export function neo4jUri(config: Config): string {
  return config.NEO4J_URI ?? `bolt://127.0.0.1:${config.NEO4J_LOCAL_PORT}`;
}
