import type { Neo4jGraphQL } from "@neo4j/graphql";
import type { Driver } from "neo4j-driver";
import { assertNeo4jReady } from "./neo4j.js";
import { brokerSummaryStatements } from "./broker-summaries.js";
import { serviceSummaryStatements } from "./service-summaries.js";
import { ensureSummaries } from "./summaries.js";

/** Every node label the graph holds; each is identified by a unique `id`. */
export const nodeLabels = ["Organisation", "Person", "Profession", "Community", "Service", "Stage", "ServiceEvent", "Post", "JuniorPosts"] as const;

/**
 * Schema statements, all idempotent (IF NOT EXISTS): @neo4j/graphql 7 creates no constraints or
 * indexes, so a fresh database gets them here, at every start-up.
 */
export const schemaStatements: readonly string[] = [
  ...nodeLabels.map(
    (label) =>
      `CREATE CONSTRAINT ${label.replace(/[A-Z]/g, (c, i) => (i ? "_" : "") + c.toLowerCase())}_id_unique IF NOT EXISTS FOR (n:${label}) REQUIRE n.id IS UNIQUE`,
  ),
  "CREATE INDEX organisation_status IF NOT EXISTS FOR (n:Organisation) ON (n.status)",
  "CREATE INDEX organisation_type IF NOT EXISTS FOR (n:Organisation) ON (n.type)",
  "CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name)",
  // What each source says of a service (data/import/service-identity.ts, docs/adr/0009).
  "CREATE CONSTRAINT service_record_id_unique IF NOT EXISTS FOR (n:ServiceRecord) REQUIRE n.id IS UNIQUE",
  // The services list replaces a service's timeline by its file name.
  "CREATE INDEX service_event_listed_as IF NOT EXISTS FOR (n:ServiceEvent) ON (n.listedAs)",
  // Ranked search over everything a user may look for by name, in English: words stemmed
  // ("pensions" finds "pension", "registering" "register", "company" "Companies"), stop words left out.
  // It replaces search_names, whose standard analyser matched words only as written.
  "DROP INDEX search_names IF EXISTS",
  `CREATE FULLTEXT INDEX search_text IF NOT EXISTS
     FOR (n:Organisation|Person|Profession|Community|Service|Stage) ON EACH [n.name, n.acronym, n.description]
     OPTIONS { indexConfig: { \`fulltext.analyzer\`: 'english' } }`,
  // Every name and acronym an organisation has held, on its versions, for search to find it by a former name.
  `CREATE FULLTEXT INDEX organisation_names IF NOT EXISTS
     FOR (n:OrganisationState) ON EACH [n.name, n.acronym]
     OPTIONS { indexConfig: { \`fulltext.analyzer\`: 'english' } }`,
  // The organisations' history (data/import/organisation-history.ts, docs/adr/0008).
  "CREATE CONSTRAINT snapshot_id_unique IF NOT EXISTS FOR (n:Snapshot) REQUIRE n.id IS UNIQUE",
  "CREATE CONSTRAINT organisation_state_id_unique IF NOT EXISTS FOR (n:OrganisationState) REQUIRE n.id IS UNIQUE",
  "CREATE CONSTRAINT machinery_of_government_change_id_unique IF NOT EXISTS FOR (n:MachineryOfGovernmentChange) REQUIRE n.id IS UNIQUE",
  // The audit trail (subgraph-kit/mutations/audit.ts), read by entity or by caller, newest first.
  "CREATE CONSTRAINT audit_event_id_unique IF NOT EXISTS FOR (n:AuditEvent) REQUIRE n.id IS UNIQUE",
  "CREATE INDEX audit_event_entity_id IF NOT EXISTS FOR (n:AuditEvent) ON (n.entityId)",
  "CREATE INDEX audit_event_actor IF NOT EXISTS FOR (n:AuditEvent) ON (n.actor)",
  "CREATE INDEX audit_event_at IF NOT EXISTS FOR (n:AuditEvent) ON (n.at)",
  // Which version of the links' summaries the graph holds (graph/summaries.ts, docs/adr/0010).
  "CREATE CONSTRAINT summary_state_id_unique IF NOT EXISTS FOR (n:SummaryState) REQUIRE n.id IS UNIQUE",
  // The services' summaries, each found by its service and read in order from its places (graph/service-summaries.ts).
  ...serviceSummaryStatements,
  // The brokers' summaries, each found by its person and read in brokers' order (graph/broker-summaries.ts).
  ...brokerSummaryStatements,
  // Which one-off rewrites of the data the graph has had (dataStatements, below).
  "CREATE CONSTRAINT migration_state_id_unique IF NOT EXISTS FOR (n:MigrationState) REQUIRE n.id IS UNIQUE",
];

/** The index or constraint a schema statement creates or drops: `CREATE CONSTRAINT person_id_unique IF NOT EXISTS …` names person_id_unique. */
export function schemaObjectName(statement: string): string {
  const match = /^\s*(?:CREATE|DROP)\s+(?:CONSTRAINT|(?:FULLTEXT\s+)?INDEX)\s+(\w+)/.exec(statement);
  if (!match) throw new Error(`Not a schema statement that names what it creates or drops: ${statement.trim().split("\n")[0]}`);
  return match[1]!;
}

/** GOV.UK's and the sources' words as the API's enum names: `Non-ministerial department` → `NON_MINISTERIAL_DEPARTMENT`. */
const enumName = (value: string) => `toUpper(replace(replace(trim(${value}), '-', '_'), ' ', '_'))`;

/**
 * Where the graph holds a closed set of values, it holds the API's enum names (docs/adr/0011):
 * OrganisationType, OrganisationStatus, OrganisationClosedStatus and ServicePhase. A graph written
 * before they were enums holds GOV.UK's and the sources' words; these rewrite them, and touch nothing
 * already rewritten. An import writes the names itself (data/import/organisation-values.ts, service-values.ts).
 */
const enumProperties: readonly (readonly [pattern: string, properties: readonly string[]])[] = [
  ["(n:Organisation)", ["type", "status", "openStatus", "closedStatus"]],
  ["(n:OrganisationState)", ["type", "status", "closedStatus"]],
  ["(:Organisation)-[n:SEEN_IN]->(:Snapshot)", ["type", "status", "closedStatus"]],
  ["(n:Service)", ["phase"]],
  ["(n:ServiceRecord)", ["phase"]],
  ["(n:ServiceEvent)", ["assessedPhase"]],
];
export const dataStatements: readonly string[] = enumProperties.flatMap(([pattern, properties]) =>
  properties.map((p) => `MATCH ${pattern} WHERE n.${p} <> ${enumName(`n.${p}`)} SET n.${p} = ${enumName(`n.${p}`)}`),
);

/** Bumped when dataStatements change: a graph stamped with an older version has them run again. */
const dataRewritesVersion = 1;

/**
 * Brings the graph's schema and data up to date. Each statement is idempotent, but a Neo4j just started
 * plans every query it has not seen for the first time (18–24 s for all of them, docs/benchmarks/start-profile.md),
 * and four processes migrate at start-up: so the schema statements run only for what `SHOW` does not list,
 * and the data's rewrites only on a graph not stamped with their version. An up-to-date graph costs four reads.
 */
export async function migrate(driver: Driver, database?: string): Promise<void> {
  const show = (command: string) => driver.executeQuery(command, {}, { database, routing: "READ" }).then(({ records }) => records);
  const indexes = new Map((await show("SHOW INDEXES YIELD name, state")).map((r) => [r.get("name") as string, r.get("state") as string]));
  const constraints = new Set((await show("SHOW CONSTRAINTS YIELD name")).map((r) => r.get("name") as string));
  let created = false;
  for (const statement of schemaStatements) {
    const name = schemaObjectName(statement);
    const exists = indexes.has(name) || constraints.has(name);
    if (/^\s*DROP/.test(statement) ? !exists : exists) continue;
    await driver.executeQuery(statement, {}, { database });
    created = true;
  }
  if (created || [...indexes.values()].some((state) => state !== "ONLINE")) await driver.executeQuery("CALL db.awaitIndexes(60)", {}, { database });
  const { records } = await driver.executeQuery(
    "OPTIONAL MATCH (m:MigrationState {id: 'data-rewrites'}) RETURN coalesce(m.version = $version, false) AS current",
    { version: dataRewritesVersion },
    { database, routing: "READ" },
  );
  if (records[0]?.get("current") !== true) {
    for (const statement of dataStatements) await driver.executeQuery(statement, {}, { database });
    await driver.executeQuery("MERGE (m:MigrationState {id: 'data-rewrites'}) SET m.version = $version", { version: dataRewritesVersion }, { database });
  }
  await ensureSummaries(driver, database);
}

/**
 * What every process that uses the graph does first: Neo4j checked (reachable, the credentials, its
 * version, APOC, and what @neo4j/graphql needs when its schema is given), then the schema migrated.
 * `onStep` hears each step as it starts, for a readiness probe to report.
 */
export async function checkAndMigrate(
  driver: Driver,
  uri: string,
  database: string | undefined,
  options: { neoSchema?: Neo4jGraphQL; onStep?: (step: "checking the graph database" | "migrating the graph schema") => void } = {},
): Promise<void> {
  options.onStep?.("checking the graph database");
  await assertNeo4jReady(driver, uri, options.neoSchema);
  options.onStep?.("migrating the graph schema");
  await migrate(driver, database);
}
