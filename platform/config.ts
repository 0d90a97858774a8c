/**
 * Configuration from environment variables, validated once per process: every problem is reported
 * together, then the process exits, rather than failing later on first use.
 */
import { z } from "zod";

const port = z.coerce.number().int().min(0).max(65535);

const neo4jUriSchema = z.string().regex(/^(bolt|bolt\+s|bolt\+ssc|neo4j|neo4j\+s|neo4j\+ssc):\/\/[^\s]+$/, "must be a bolt://, neo4j:// or neo4j+s:// URI");

const schema = z.object({
  /** Unset: `npm start` and the tests run a local Neo4j (graph/local-neo4j.ts). */
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
  /**
   * What each subgraph process lets its generated queries read and hold (subgraph-kit/operation-bounds.ts; the
   * defaults are its defaultOperationBounds, measured on two cores): values one request may read
   * (RESULT_TOO_LARGE past it), values all requests in flight may hold (SUBGRAPH_BUSY past it), queries
   * run at once, and queries waiting for a slot (one more is SUBGRAPH_BUSY).
   */
  SUBGRAPH_MAX_RESULT_VALUES: z.coerce.number().int().positive().default(150_000),
  SUBGRAPH_MAX_HELD_VALUES: z.coerce.number().int().positive().default(400_000),
  SUBGRAPH_MAX_CONCURRENT_QUERIES: z.coerce.number().int().positive().default(2),
  SUBGRAPH_MAX_QUEUED_QUERIES: z.coerce.number().int().nonnegative().default(16),
  /**
   * Client tokens: HS256 with this shared secret, or RS256 with keys from AUTH_JWKS_FILE or AUTH_JWKS_URL
   * (one of the three). Unset: every client is anonymous, and a request with a token is refused.
   */
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters (256 bits for HS256)").optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  AUTH_JWKS_URL: z.string().url().optional(),
  /** The `iss` and `aud` a client token must carry; required once tokens are accepted. */
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** The longest a client token may be valid for (`exp` − `iat`); the demo tokens are valid 12 hours. */
  AUTH_MAX_TOKEN_AGE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 60 * 60),
  /**
   * The dashboard's sign-in (OpenID Connect, authorization code with PKCE): the provider's issuer (its
   * discovery document is at <issuer>/.well-known/openid-configuration), the dashboard's client id there,
   * the scopes to ask for, the API's resource indicator when the provider wants one, and which of the
   * provider's tokens the dashboard sends to the gateway. Unset: the dashboard's Sign in takes a pasted token.
   */
  DASHBOARD_OIDC_ISSUER: z.string().url().optional(),
  DASHBOARD_OIDC_CLIENT_ID: z.string().min(1).optional(),
  DASHBOARD_OIDC_SCOPE: z.string().min(1).default("openid profile"),
  DASHBOARD_OIDC_RESOURCE: z.string().min(1).optional(),
  DASHBOARD_OIDC_SEND: z.enum(["access_token", "id_token"]).default("access_token"),
  /** The port of the demo OpenID provider that `npm start` runs when no client key is configured. */
  IDENTITY_PROVIDER_PORT: port.default(4010),
  /** Shared by the gateway and the subgraphs: subgraphs answer only requests the gateway signed with it. */
  SUBGRAPH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** production: the gateway's IDE and introspection are off unless switched on below. */
  SERVICE_GRAPH_ENV: z.enum(["development", "production"]).default("development"),
  /** Unset: on in development, off in production. */
  GATEWAY_INTROSPECTION: z.stringbool().optional(),
  GATEWAY_GRAPHIQL: z.stringbool().optional(),
  /** On: the gateway runs only the documents of its manifest (the dashboard's), sent by their sha256 id. */
  GATEWAY_TRUSTED_DOCUMENTS: z.stringbool().default(false),
  /** Limits on one request at the gateway (gateway/limits.ts); the defaults pass every example and dashboard operation. */
  GATEWAY_MAX_DEPTH: z.coerce.number().int().positive().default(12),
  GATEWAY_MAX_ALIASES: z.coerce.number().int().nonnegative().default(15),
  GATEWAY_MAX_TOKENS: z.coerce.number().int().positive().default(1000),
  /**
   * A document's cost: its fields weighted by depth (gateway/document-cost.ts). It bounds a document's
   * breadth; what it makes the servers do, sizes written or given as variables alike, the list items below.
   */
  GATEWAY_MAX_COST: z.coerce.number().int().positive().default(10_000),
  /**
   * The most list items a document may make the subgraphs produce at worst (gateway/list-items.ts); the
   * largest dashboard document's worst is 57,400. Measured on two cores: one request of 99,000 nodes
   * takes the organisations subgraph 3.9 s, just inside its 4 s query timeout; ten of 13,000 at once, 4.5 s.
   */
  GATEWAY_MAX_LIST_ITEMS: z.coerce.number().int().positive().default(100_000),
  /** Variables nested deeper than this, or with more values (each list item and object field counts), are refused. */
  GATEWAY_MAX_VARIABLES_DEPTH: z.coerce.number().int().positive().default(16),
  GATEWAY_MAX_VARIABLE_VALUES: z.coerce.number().int().positive().default(5_000),
  /**
   * What the gateway keeps of parsed and validated documents, in estimated bytes of heap (gateway/document-cache.ts);
   * a document larger than a sixteenth of it is never kept.
   */
  GATEWAY_DOCUMENT_CACHE_BYTES: z.coerce.number().int().nonnegative().default(16_000_000),
  /**
   * The gateway's cache of read answers (gateway/response-cache.ts), kept for what each caller may see and
   * dropped by any commit to the graph: on or off, the most answers kept and their estimated bytes of heap.
   */
  GATEWAY_RESPONSE_CACHE: z.stringbool().default(true),
  GATEWAY_RESPONSE_CACHE_ENTRIES: z.coerce.number().int().positive().default(10_000),
  GATEWAY_RESPONSE_CACHE_BYTES: z.coerce.number().int().positive().default(16_000_000),
  GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(65_536),
  /** Operations in one batched request (a JSON array); 0 refuses batches. */
  GATEWAY_MAX_BATCH: z.coerce.number().int().nonnegative().default(0),
  /**
   * Per client (token subject, otherwise address): a bucket of this many tokens, refilled at this many a
   * second; 0 per second: no limit. A request takes one token for every 1,000 list items it may ask for
   * (gateway/list-items.ts), at least one: ordinary requests one each, the largest document allowed 100.
   */
  GATEWAY_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(300),
  GATEWAY_RATE_LIMIT_PER_SECOND: z.coerce.number().nonnegative().default(10),
  /** Reverse proxies in front of the gateway whose X-Forwarded-For is trusted for the client's address. */
  GATEWAY_TRUSTED_PROXIES: z.coerce.number().int().nonnegative().default(0),
  /** Retries of a subgraph query that could not be reached (never of a mutation), all within SUBGRAPH_TIMEOUT_MS. */
  SUBGRAPH_QUERY_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** How long a stopping gateway lets requests in flight finish before it closes their connections. */
  GATEWAY_DRAIN_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(10_000),
  /** The gateway's query planner: Hive Router's, in Rust (@graphql-hive/router-runtime, measured faster: docs/benchmarks/gateway.md), or the runtime's own in JavaScript (stitching). */
  GATEWAY_QUERY_PLANNER: z.enum(["rust", "javascript"]).default("rust"),
  /** Set: the gateway's /metrics answers only `Authorization: Bearer <this>`. Unset: open in development, 404 in production. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /**
   * Other sites' origins (`https://host[:port]`, comma-separated) whose pages may call the API from a
   * browser (CORS, without credentials). Unset: none; the gateway's own pages need no CORS.
   */
  GATEWAY_CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ""),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/,
            "must list origins such as https://dashboard.example.gov.uk (scheme, host and port only, lower case, no path)",
          ),
      ),
    )
    .default([]),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

const checked = schema.superRefine((config, context) => {
  const keySources = [config.AUTH_JWT_SECRET, config.AUTH_JWKS_FILE, config.AUTH_JWKS_URL].filter((v) => v !== undefined);
  if (keySources.length > 1) {
    context.addIssue({ code: "custom", path: ["AUTH_JWT_SECRET"], message: "set only one of AUTH_JWT_SECRET, AUTH_JWKS_FILE and AUTH_JWKS_URL" });
  }
  if (config.DASHBOARD_OIDC_ISSUER && !config.DASHBOARD_OIDC_CLIENT_ID)
    context.addIssue({ code: "custom", path: ["DASHBOARD_OIDC_CLIENT_ID"], message: "is required when DASHBOARD_OIDC_ISSUER is set" });
  if (keySources.length > 0) {
    for (const name of ["AUTH_ISSUER", "AUTH_AUDIENCE"] as const) {
      if (!config[name]) context.addIssue({ code: "custom", path: [name], message: "is required when client tokens are accepted" });
    }
  }
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment; throws one ConfigError listing every invalid variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = checked.safeParse(present);
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

export const subgraphNames = ["people", "organisations", "services"] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** The environment variable that sets each subgraph's port, for a process started on ports of its own. */
export const subgraphPortVariables = { people: "PEOPLE_PORT", organisations: "ORGANISATIONS_PORT", services: "SERVICES_PORT" } as const satisfies Record<
  SubgraphName,
  keyof Config
>;

/** The port each subgraph listens on. */
export function configuredSubgraphPorts(config: Config): Record<SubgraphName, number> {
  return { people: config.PEOPLE_PORT, organisations: config.ORGANISATIONS_PORT, services: config.SERVICES_PORT };
}

/** The environment that starts each subgraph on the port given. */
export function subgraphPortEnvironment(ports: Record<SubgraphName, number>): Record<string, string> {
  return Object.fromEntries(subgraphNames.map((name) => [subgraphPortVariables[name], String(ports[name])]));
}

export function subgraphUrls(config: Config): Record<SubgraphName, string> {
  const ports = configuredSubgraphPorts(config);
  return {
    people: config.PEOPLE_URL ?? `http://127.0.0.1:${ports.people}/graphql`,
    organisations: config.ORGANISATIONS_URL ?? `http://127.0.0.1:${ports.organisations}/graphql`,
    services: config.SERVICES_URL ?? `http://127.0.0.1:${ports.services}/graphql`,
  };
}

/** How the dashboard signs people in, or undefined when it takes a pasted token only. */
export function dashboardSignIn(config: Config): DashboardSignIn | undefined {
  if (!config.DASHBOARD_OIDC_ISSUER || !config.DASHBOARD_OIDC_CLIENT_ID) return undefined;
  return {
    issuer: config.DASHBOARD_OIDC_ISSUER,
    clientId: config.DASHBOARD_OIDC_CLIENT_ID,
    scope: config.DASHBOARD_OIDC_SCOPE,
    ...(config.DASHBOARD_OIDC_RESOURCE ? { resource: config.DASHBOARD_OIDC_RESOURCE } : {}),
    send: config.DASHBOARD_OIDC_SEND,
  };
}

/** What the dashboard's browser code is told about its identity provider (served as /dashboard/sign-in.json). */
export interface DashboardSignIn {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
  send: "access_token" | "id_token";
}

/** The Neo4j to use: NEO4J_URI, or the local one that `npm start` runs. */
export function neo4jUri(config: Config): string {
  return config.NEO4J_URI ?? `bolt://127.0.0.1:${config.NEO4J_LOCAL_PORT}`;
}

/** SUBGRAPH_SECRET, which the gateway and the subgraph processes cannot run without (`npm start` makes one per run). */
export function subgraphSecret(config: Config): string {
  if (config.SUBGRAPH_SECRET) return config.SUBGRAPH_SECRET;
  console.error("Invalid configuration:\n  SUBGRAPH_SECRET: is required (at least 32 characters, the same for the gateway and every subgraph)");
  process.exit(1);
}
