/**
 * What the mutation checks and the audit trail cost: typical people mutations run, alternately,
 * through the people subgraph's schema (a transaction, the input checked, snapshots before and
 * after, the audit events written) and through @neo4j/graphql's generated schema alone, over the
 * same Neo4j; prints the median and p90 of each in milliseconds.
 *
 *   node --import tsx bench/mutation-audit.ts [--neo4j bolt://127.0.0.1:7687] [--rounds 40]
 */
import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { graphql, type GraphQLSchema } from "graphql";
import { parseConfig } from "../platform/config.js";
import { createDriver } from "../graph/neo4j.js";
import { buildSubgraphSchema } from "../subgraph-kit/schema.js";
import { percentile } from "./load.js";
import { peoplePolicy } from "../subgraphs/people/policy.js";

const { values } = parseArgs({ options: { neo4j: { type: "string" }, rounds: { type: "string", default: "40" } } });
const config = parseConfig();
const driver = createDriver(config, values.neo4j ?? config.NEO4J_URI ?? `bolt://127.0.0.1:${config.NEO4J_LOCAL_PORT}`);
const rounds = Number(values.rounds);
const jwt = { sub: "bench-audit", roles: ["admin", "editor", "reader"], organisations: [] };

const { schema: audited, neoSchema } = await buildSubgraphSchema({ name: "people", driver, policy: peoplePolicy });
// The generated schema, before this project wraps its resolvers (buildSubgraphSchema maps it to new types).
const generated = await neoSchema.getSubgraphSchema();
if (generated.getMutationType()!.getFields()["updatePeople"]!.resolve === audited.getMutationType()!.getFields()["updatePeople"]!.resolve) {
  throw new Error("The generated schema shares the audited resolvers: the comparison would measure the same thing twice.");
}

/** The operations of one round, for one fresh person: created, renamed, moved between organisations, deleted. */
const operations: { name: string; source: string }[] = [
  {
    name: "createPeople (with a connect)",
    source: `mutation ($id: ID!) { createPeople(input: [{ id: $id, name: "Bench Example", grade: "HEO", organisations: { connect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }] } }]) { people { id } } }`,
  },
  {
    name: "updatePeople (a property, by id)",
    source: `mutation ($id: ID!) { updatePeople(where: { id: { eq: $id } }, update: { jobTitle: { set: "Analyst" } }) { people { id jobTitle } } }`,
  },
  {
    name: "updatePeople (connect and disconnect)",
    source: `mutation ($id: ID!) { updatePeople(where: { id: { eq: $id } }, update: { organisations: [{ disconnect: [{ where: { node: { id: { eq: "hm-revenue-customs" } } } }], connect: [{ where: { node: { id: { eq: "department-for-work-pensions" } } } }] }] }) { people { id } } }`,
  },
  { name: "deletePeople (by id)", source: `mutation ($id: ID!) { deletePeople(where: { id: { eq: $id } }) { nodesDeleted } }` },
];

const timings = new Map<string, number[]>();
async function round(schema: GraphQLSchema, variant: string, measured: boolean): Promise<void> {
  const id = `bench-audit-${randomUUID().slice(0, 8)}`;
  for (const operation of operations) {
    const started = performance.now();
    const result = await graphql({ schema, source: operation.source, variableValues: { id }, contextValue: { jwt } });
    const ms = performance.now() - started;
    if (result.errors?.length) throw new Error(`${operation.name} (${variant}): ${result.errors[0]!.message}`);
    const key = `${operation.name}|${variant}`;
    if (measured) timings.set(key, [...(timings.get(key) ?? []), ms]);
  }
}

try {
  // Unmeasured rounds first, so that Neo4j has planned every query of both variants.
  for (let i = 0; i < 5; i++) {
    await round(audited, "audited", false);
    await round(generated, "generated", false);
  }
  for (let i = 0; i < rounds; i++) {
    // Alternating, so that both meet the same load from anything else on the machine.
    const order = i % 2 === 0 ? ["audited", "generated"] : ["generated", "audited"];
    for (const variant of order) await round(variant === "audited" ? audited : generated, variant, true);
  }
  const stat = (key: string) => {
    const sorted = [...timings.get(key)!].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p90: percentile(sorted, 90) };
  };
  console.log(`${rounds} rounds of each, alternating; milliseconds`);
  console.log("| mutation | generated p50 | audited p50 | added p50 | generated p90 | audited p90 |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const { name } of operations) {
    const [plain, audit] = [stat(`${name}|generated`), stat(`${name}|audited`)];
    const f = (n: number) => n.toFixed(1);
    console.log(`| ${name} | ${f(plain.p50)} | ${f(audit.p50)} | +${f(audit.p50 - plain.p50)} | ${f(plain.p90)} | ${f(audit.p90)} |`);
  }
} finally {
  await driver.executeQuery("MATCH (p:Person) WHERE p.id STARTS WITH 'bench-audit-' DETACH DELETE p");
  await driver.close();
}
