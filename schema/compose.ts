import { readFileSync } from "node:fs";
import { buildASTSchema, parse, type GraphQLSchema } from "graphql";
import { printSubgraphSchema } from "@apollo/subgraph";
import { composeServices, transformSupergraphToPublicSchema } from "@theguild/federation-composition";
import neo4j from "neo4j-driver";
import { subgraphNames, subgraphUrls, parseConfig, type SubgraphName } from "../platform/config.js";
import { buildSubgraphSchema } from "../subgraph-kit/schema.js";

import { supergraphPath } from "../platform/paths.js";

export { supergraphPath };

/** Each subgraph's SDL as it serves it: the schema files after @neo4j/graphql's generation. */
export async function subgraphSdls(): Promise<Record<SubgraphName, string>> {
  // Generating the schema needs a driver object but never connects.
  const driver = neo4j.driver("bolt://127.0.0.1:1");
  try {
    const entries = await Promise.all(
      subgraphNames.map(async (name) => [name, printSubgraphSchema((await buildSubgraphSchema({ name, driver })).schema)] as const),
    );
    return Object.fromEntries(entries) as Record<SubgraphName, string>;
  } finally {
    await driver.close();
  }
}

/** Composes the supergraph with the default subgraph URLs; the gateway overrides them from its config. */
export async function composeSupergraph(): Promise<string> {
  const sdls = await subgraphSdls();
  const urls = subgraphUrls(parseConfig({}));
  const result = composeServices(subgraphNames.map((name) => ({ name, typeDefs: parse(sdls[name]), url: urls[name] })));
  if (result.errors) {
    throw new Error(`The subgraphs do not compose:\n${result.errors.map((e) => `  ${e.message}`).join("\n")}`);
  }
  return result.supergraphSdl;
}

export function readCommittedSupergraph(): string {
  return readFileSync(supergraphPath, "utf8");
}

let publicApi: GraphQLSchema | undefined;

/** The API clients see: the committed supergraph without federation's machinery. Built once per process, since only read. */
export function publicApiSchema(): GraphQLSchema {
  return (publicApi ??= buildASTSchema(transformSupergraphToPublicSchema(parse(readCommittedSupergraph()))));
}
