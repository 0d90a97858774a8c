/**
 * Hand-written read queries for the analysis fields: run on a read session of the subgraph's driver,
 * with Neo4j integers turned into numbers (counts and positions stay far below 2^53).
 */
import neo4j, { type Date as Neo4jDate, type Driver } from "neo4j-driver";

export interface GraphReader {
  /** Runs a read query and returns its rows as plain objects; Neo4j stops it after `timeoutMs`, the reader's own bound unless given. */
  rows<T = Record<string, unknown>>(cypher: string, parameters?: Record<string, unknown>, options?: { timeoutMs?: number }): Promise<T[]>;
  /** Runs a read query and hands each row to `onRow` as it arrives, holding none of them. */
  each<T = Record<string, unknown>>(cypher: string, parameters: Record<string, unknown>, onRow: (row: T) => void): Promise<void>;
  /** Registers a query to run once at start-up, with parameters of the types it will be run with. */
  plan(cypher: string, parameters: Record<string, unknown>): void;
  /**
   * Runs every registered query once. Neo4j compiles a large query on its first run, which takes
   * seconds (EXPLAIN alone does not compile it to the end); done at start-up, no user waits for it.
   */
  warmUp(): Promise<void>;
}

/**
 * Neo4j integers as numbers (counts and positions stay far below 2^53); dates and other values as the
 * driver gives them. In place: the lists and maps are the driver's, made for this record alone, and a
 * copy of a journey's rows would be its whole answer built once more.
 */
function withNumbers(value: unknown): unknown {
  if (neo4j.isInt(value)) return value.toNumber();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withNumbers(value[i]);
  } else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const map = value as Record<string, unknown>;
    for (const key of Object.keys(map)) map[key] = withNumbers(map[key]);
  }
  return value;
}

/**
 * How long Neo4j may run a hand-written read when its caller sets no timeout: five times a generated
 * query's (subgraph-kit/server.ts), as departmentMatrix's. The gateway gives up on a subgraph after
 * SUBGRAPH_TIMEOUT_MS (5 s), but Neo4j would go on with the query for as long as it takes, and a document
 * may ask up to 15 analyses at once.
 */
export const readTimeoutMs = 20_000;

export function graphReader(driver: Driver, database?: string, bounds: { timeoutMs?: number } = {}): GraphReader {
  const timeout = bounds.timeoutMs ?? readTimeoutMs;
  const planned: { cypher: string; parameters: Record<string, unknown> }[] = [];
  return {
    plan(cypher, parameters) {
      planned.push({ cypher, parameters });
    },
    async warmUp() {
      // One try, no retries: with Neo4j away the queries would each retry for 30 s; the first requests will compile them.
      await driver.getServerInfo({ database });
      for (const { cypher, parameters } of planned) await driver.executeQuery(cypher, parameters, { database, routing: neo4j.routing.READ });
    },
    async each<T>(cypher: string, parameters: Record<string, unknown>, onRow: (row: T) => void): Promise<void> {
      const session = driver.session({ database, defaultAccessMode: neo4j.session.READ });
      try {
        await session.executeRead(
          async (tx) => {
            for await (const record of tx.run(cypher, parameters)) onRow(withNumbers(record.toObject()) as T);
          },
          { timeout },
        );
      } finally {
        await session.close();
      }
    },
    async rows<T>(cypher: string, parameters: Record<string, unknown> = {}, options: { timeoutMs?: number } = {}): Promise<T[]> {
      const { records } = await driver.executeQuery(cypher, parameters, {
        database,
        routing: neo4j.routing.READ,
        transactionConfig: { timeout: options.timeoutMs ?? timeout },
      });
      return records.map((record) => withNumbers(record.toObject()) as T);
    },
  };
}

/** Today's date (UTC), the default of every `asAt`. */
export function today(): Neo4jDate<number> {
  const now = new Date();
  return new neo4j.types.Date(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate());
}

/** Whether a date is today's, when the summaries kept in the graph answer (graph/service-summaries.ts, graph/broker-summaries.ts). */
export const isToday = (asAt: Neo4jDate | Neo4jDate<number>) => asAt.toString() === today().toString();

/** A Cypher predicate: a relationship with optional since/until dates holds on $asAt. */
export const holdsAt = (r: string) => `(${r}.since IS NULL OR ${r}.since <= $asAt) AND (${r}.until IS NULL OR ${r}.until > $asAt)`;

/** As holdsAt, on today's date. */
export const holdsNow = (r: string) => holdsAt(r).replaceAll("$asAt", "date()");

/** A Cypher predicate: organisation `o` existed on $asAt (it had opened; a closed one still exists, as closed). */
export const existedAt = (o: string) => `(${o}.since IS NULL OR ${o}.since <= $asAt)`;

/**
 * A Cypher predicate: person `p` was there on $asAt: they worked for an organisation then, or no
 * employment of theirs is known at all (a person who left, or had not yet joined, was not).
 */
export const presentAt = (p: string) =>
  `(EXISTS { MATCH (${p})-[e:WORKS_FOR|WORKED_FOR]->(:Organisation) WHERE ${holdsAt("e")} } OR NOT EXISTS { (${p})-[:WORKS_FOR|WORKED_FOR]->(:Organisation) })`;

/** A Cypher expression: organisation `o`'s status on $asAt, `closed` from the day it closed (docs/adr/0008). */
export const statusAt = (o: string) => `CASE WHEN ${o}.status = 'CLOSED' AND ${o}.closedOn > $asAt THEN ${o}.openStatus ELSE ${o}.status END`;

/** The parent links that held on $asAt, today's and ended ones alike, as a relationship pattern. */
export const partOfAt = "PART_OF|WAS_PART_OF";

/**
 * A Cypher expression: the name, acronym and type of organisation `o` in its version that held on
 * $asAt (docs/adr/0008), as a map; empty when no version covers the day (one made through the API, or
 * a day before its first version). A pattern comprehension, not a subquery, so that it may stand
 * inside a list comprehension.
 */
export const versionAt = (o: string) =>
  `coalesce(head([(${o})-[:HAD_STATE]->(version_:OrganisationState) WHERE ${holdsAt("version_")} | version_ {.name, .acronym, .type}]), {})`;

/** A Cypher expression: organisation `o`'s name as on $asAt, its version's (versionAt) or the node's. */
export const nameAt = (o: string) =>
  `coalesce(head([(${o})-[:HAD_STATE]->(version_:OrganisationState) WHERE ${holdsAt("version_")} | version_.name]), ${o}.name)`;

/**
 * What the analyses read of organisation `o` (null stays null) as on $asAt: its name, acronym and
 * type in the version that held then, its status then, so that the gateway rarely has to ask its owner again.
 */
export const organisationFieldsOf = (o: string) =>
  `CASE WHEN ${o} IS NULL THEN null ELSE apoc.map.merge(${o} {.id, .name, .acronym, .type, status: ${statusAt(o)}}, ${versionAt(o)}) END`;

/** As organisationFieldsOf, for an organisation bound to `o`, written after it: `o ${organisationFields}`. */
export const organisationFields = "{.id, .name, .acronym, .type, .status}";

/**
 * Cypher: the department of organisation `o` on $asAt, as `department`, through the parent links that held
 * then: the nearest organisation at or above it whose type was a department's then; when none was, the
 * organisation heading its family then (at the top of its parents, with organisations below it). GOV.UK's
 * snapshot of 22 August 2026, taken during a reorganisation, types DBT, DSIT and DCMS "Other": by that record
 * alone Companies House would have no department. Null for an organisation on its own.
 */
export const nearestDepartment = (o: string) => `OPTIONAL CALL (${o}) {
  MATCH path = (${o})-[:${partOfAt}*0..6]->(d:Organisation)
  WHERE all(r IN relationships(path) WHERE ${holdsAt("r")}) AND ${existedAt("d")}
  WITH d, length(path) AS steps,
    coalesce(head(COLLECT { MATCH (d)-[:HAD_STATE]->(v:OrganisationState) WHERE ${holdsAt("v")} RETURN v.type }), d.type)
      IN ['MINISTERIAL_DEPARTMENT', 'NON_MINISTERIAL_DEPARTMENT'] AS typed
  WHERE typed OR (
    NOT EXISTS { MATCH (d)-[up:${partOfAt}]->(:Organisation) WHERE ${holdsAt("up")} }
    AND EXISTS { MATCH (d)<-[down:${partOfAt}]-(:Organisation) WHERE ${holdsAt("down")} })
  RETURN d AS department ORDER BY typed DESC, steps ASC, d.name LIMIT 1
}`;

/**
 * Reads from summaries kept in the graph (graph/service-summaries.ts, graph/broker-summaries.ts): an
 * answer, or null when they are not to be read. `read` gives null when it finds them stale or not what
 * it read; they are counted again once and read again, and a second null leaves the question to the live
 * walk. The count in flight is shared by the reads that find them stale meanwhile: ten reads at once after
 * an import would otherwise count them all ten times, one after another.
 */
export function summaryReader(recount: () => Promise<void>): <T>(read: () => Promise<T | null>) => Promise<T | null> {
  let recounting: Promise<void> | undefined;
  return async (read) => {
    const first = await read();
    if (first) return first;
    recounting ??= recount().finally(() => (recounting = undefined));
    await recounting;
    return read();
  };
}
