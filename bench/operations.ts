/**
 * The analysis operations the benchmark runs: each as a client sends it to a gateway, as its owning
 * subgraph answers it alone (when one does, selecting only that subgraph's own fields), and as its floor query.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import neo4j, { type Driver } from "neo4j-driver";
import type { SubgraphName } from "../platform/config.js";
import { repoRoot } from "../platform/paths.js";
import { today } from "../graph/read.js";
import { searchQueryFor } from "../subgraphs/services/resolvers/analysis.js";
import * as floor from "./floor-queries.js";

export interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** The subgraph that answers it alone, if one does. */
  direct: SubgraphName | null;
  /** What to send that subgraph, when the gateway's query asks for fields of other subgraphs too. */
  directQuery?: string;
  /** The floor's Cypher and parameters; an operation answering the same question as another names it instead. */
  floor: { cypher: string; parameters: Record<string, unknown> } | { sameAs: string };
  /** For a question asked as on a past date: the operation asking it today, measured interleaved with it (goal: within 1.3×). */
  todayOf?: string;
  /** Answered by the single-server peer too (bench/single-server.ts serves the generated fields only), and so measured there. */
  singleServer?: true;
}

/** The past date the asAt variants ask about: before the 7 February 2023 machinery-of-government changes (docs/adr/0008). */
export const pastDate = "2022-06-01";

/** Ids picked from the graph at run time, so each operation asks about something that is there. */
export interface Subjects {
  /** The generated service with the most stages (on the demo graph, the one most people work on). */
  serviceId: string;
  /** Two people working on that service for different organisations. */
  fromPersonId: string;
  toPersonId: string;
  /** The five departments with the most people. */
  departmentIds: string[];
  /** Every live department: the dashboard's network asks their matrix. */
  everyDepartmentId: string[];
}

export async function pickSubjects(driver: Driver): Promise<Subjects> {
  const one = async <T>(cypher: string, parameters: Record<string, unknown> = {}): Promise<T> => {
    const { records } = await driver.executeQuery(cypher, parameters, { routing: neo4j.routing.READ });
    if (!records[0]) throw new Error(`The graph has nothing for: ${cypher}`);
    return records[0].get(0) as T;
  };
  // A generated one where there are; on the demo graph (none), the one most people work on.
  const serviceId = await one<string>(`MATCH (s:Service)
    RETURN s.id ORDER BY s.id STARTS WITH 'gen-' DESC,
      CASE WHEN s.id STARTS WITH 'gen-' THEN COUNT { (s)-[:HAS_STAGE]->() } ELSE COUNT { (s)-[:HAS_STAGE]->()<-[:WORKS_ON]-() } END DESC, s.id LIMIT 1`);
  const [fromPersonId, toPersonId] = await one<string[]>(
    `
    MATCH (:Service {id: $serviceId})-[:HAS_STAGE]->(:Stage)<-[:WORKS_ON]-(a:Person)-[:WORKS_FOR]->(x:Organisation)
    MATCH (:Service {id: $serviceId})-[:HAS_STAGE]->(:Stage)<-[:WORKS_ON]-(b:Person)-[:WORKS_FOR]->(y:Organisation)
    WHERE x <> y AND NOT (b)-[:WORKS_FOR]->(x)
    RETURN [a.id, b.id] ORDER BY a.id, b.id LIMIT 1`,
    { serviceId },
  );
  const everyDepartmentId = await one<string[]>(`
    MATCH (d:Organisation) WHERE d.type IN ['MINISTERIAL_DEPARTMENT', 'NON_MINISTERIAL_DEPARTMENT'] AND d.status = 'LIVE'
    WITH d ORDER BY COUNT { (d)<-[:WORKS_FOR]-(:Person) } DESC, d.id
    RETURN collect(d.id)`);
  return { serviceId, fromPersonId: fromPersonId!, toPersonId: toPersonId!, departmentIds: everyDepartmentId.slice(0, 5), everyDepartmentId };
}

export const journeyQuery = `query Journey($serviceId: ID!, $asAt: Date) {
  journey(serviceId: $serviceId, asAt: $asAt) {
    stages {
      stage { id name position }
      responsibilities { lane organisation { id name acronym } department { id name } successors { id name } }
      people {
        totalCount
        edges {
          role
          node { id name jobTitle }
          professions { name }
          organisations { name }
          memberships { role community { name } }
        }
      }
      professions { peopleCount profession { name } }
      communities { peopleCount community { name } }
      missingProfessions { name }
      handoff { from { name } to { name } }
    }
  }
}`;

const linkFields = "strength sharedStageCount sharedServiceCount sharedCommunityCount peopleCount evidence { kind id name }";
const brokersQuery = (sample: string, asAt?: string) =>
  `query Brokers { brokers(first: 20${asAt ? `, asAt: "${asAt}"` : ""}) { totalCount edges { node { person { id name jobTitle } organisationCount communityCount stageCount sample { ${sample} } } } } }`;

export function operations(s: Subjects): Operation[] {
  const first = (n: number) => ({ first: neo4j.int(n) });
  // As the organisations subgraph asks (subgraphs/organisations/resolvers/links.ts), today.
  const links = (roots: string[], targets: string[] | null, includeChildren: boolean, pageSize: number) => ({
    roots,
    targets,
    includeChildren,
    evidencePerKind: neo4j.int(5),
    offset: neo4j.int(0),
    end: neo4j.int(pageSize),
    asAt: today(),
  });
  // Today's matrix of `ids` with their families, as the dashboard's network asks it.
  const matrixOf = (name: string, ids: string[]): Operation => ({
    name,
    query: `query Matrix($ids: [ID!]!) { departmentMatrix(organisationIds: $ids) { organisations { id name } links {
        from { id name } organisation { id name } ${linkFields} } } }`,
    variables: { ids },
    direct: "organisations",
    floor: { cypher: floor.departmentMatrix, parameters: links(ids, ids, true, ids.length ** 2) },
  });
  return [
    {
      name: "journey",
      query: journeyQuery,
      variables: { serviceId: s.serviceId },
      direct: "services",
      floor: { cypher: floor.journey, parameters: { serviceId: s.serviceId, peoplePerStage: neo4j.int(20) } },
    },
    // The same question as on a past date, which walks the ended links too (docs/adr/0008); goal: within 1.3× of today's.
    {
      name: `journey (asAt ${pastDate})`,
      query: journeyQuery,
      variables: { serviceId: s.serviceId, asAt: pastDate },
      direct: "services",
      floor: { sameAs: "journey" },
      todayOf: "journey",
    },
    {
      name: "journey (generated fields)",
      query: readFileSync(resolve(repoRoot, "gateway/examples/journey-trace.graphql"), "utf8"),
      variables: { serviceId: s.serviceId },
      direct: null,
      floor: { sameAs: "journey" },
      singleServer: true,
    },
    {
      name: "handoffs",
      query: `query Handoffs($serviceId: ID!) { handoffs(serviceId: $serviceId) { totalCount edges { node {
        fromStage { id name position } toStage { id name position } from { id name } to { id name } continuing { id name } } } } }`,
      variables: { serviceId: s.serviceId },
      direct: "services",
      floor: { cypher: floor.handoffs, parameters: { serviceId: s.serviceId, ...first(50) } },
    },
    {
      name: "servicesByHandoffs",
      query: "query Ranked { servicesByHandoffs(first: 20) { totalCount edges { node { service { id name } handoffCount stageCount organisationCount } } } }",
      variables: {},
      direct: "services",
      floor: { cypher: floor.servicesByHandoffs, parameters: first(20) },
    },
    {
      name: "gaps",
      query: `query Gaps { gaps(first: 50) { totalCount edges { node {
        kind service { id name } stage { id name position } profession { name } organisation { name } successors { name } } } } }`,
      variables: {},
      direct: "services",
      floor: { cypher: floor.gaps, parameters: first(50) },
    },
    {
      name: "search",
      query: `query Search { search(text: "hm revenue") { totalCount edges { node { type id name score } } } }`,
      variables: {},
      direct: "services",
      floor: { cypher: floor.search, parameters: { query: searchQueryFor("hm revenue"), ...first(20) } },
    },
    {
      name: "organisationLinks",
      query: `query Links { organisationLinks(organisationId: "hm-revenue-customs", first: 20) { totalCount edges { node {
        organisation { id name acronym } ${linkFields} } } } }`,
      variables: {},
      direct: "organisations",
      floor: { cypher: floor.organisationLinks, parameters: links(["hm-revenue-customs"], null, false, 20) },
    },
    {
      name: `organisationLinks (asAt ${pastDate})`,
      query: `query Links { organisationLinks(organisationId: "hm-revenue-customs", asAt: "${pastDate}", first: 20) { totalCount edges { node {
        organisation { id name acronym } ${linkFields} } } } }`,
      variables: {},
      direct: "organisations",
      floor: { sameAs: "organisationLinks" },
      todayOf: "organisationLinks",
    },
    matrixOf("departmentMatrix", s.departmentIds),
    matrixOf("departmentMatrix (every department)", s.everyDepartmentId),
    {
      name: `departmentMatrix (asAt ${pastDate})`,
      query: `query Matrix($ids: [ID!]!) { departmentMatrix(organisationIds: $ids, asAt: "${pastDate}") { organisations { id name } links {
        from { id name } organisation { id name } ${linkFields} } } }`,
      variables: { ids: s.departmentIds },
      direct: "organisations",
      floor: { sameAs: "departmentMatrix" },
      todayOf: "departmentMatrix",
    },
    {
      name: "brokers",
      query: brokersQuery("id name"),
      variables: {},
      // The people subgraph reads the sample's names itself (as on asAt); the subgraph alone is asked for the same fields.
      direct: "people",
      floor: { cypher: floor.brokers, parameters: first(20) },
    },
    {
      name: `brokers (asAt ${pastDate})`,
      query: brokersQuery("id name", pastDate),
      variables: {},
      direct: "people",
      floor: { sameAs: "brokers" },
      todayOf: "brokers",
    },
    {
      name: "path",
      query: `query Path($fromId: ID!, $toId: ID!) { path(fromId: $fromId, toId: $toId, maxDepth: 4) { length steps { kind id name via forward } } }`,
      variables: { fromId: s.fromPersonId, toId: s.toPersonId },
      direct: "people",
      floor: { cypher: floor.path, parameters: { fromId: s.fromPersonId, toId: s.toPersonId } },
    },
    {
      name: `path (asAt ${pastDate})`,
      query: `query Path($fromId: ID!, $toId: ID!, $asAt: Date) { path(fromId: $fromId, toId: $toId, maxDepth: 4, asAt: $asAt) { length steps { kind id name via forward } } }`,
      variables: { fromId: s.fromPersonId, toId: s.toPersonId, asAt: pastDate },
      direct: "people",
      floor: { sameAs: "path" },
      todayOf: "path",
    },
  ];
}
