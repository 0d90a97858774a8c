/**
 * The floor: for each analysis operation, one hand-written parameterised Cypher query returning the
 * data the operation's GraphQL answer holds, run straight through neo4j-driver. What the subgraphs
 * compute in JavaScript (hand-offs, gaps, broker ranking, pages) is computed here in Cypher, so the
 * floor is one round trip to Neo4j and nothing else. Based on the subgraphs' Cypher, not shared with it,
 * so that a change there shows up as a change against this fixed line; but for the links between
 * organisations, which the subgraph answers in one query of its own: the floor runs that query.
 */
import { linksQuery, matrixQuery } from "../subgraphs/organisations/resolvers/links.js";

/** Cypher: relationship `r` holds today (no since, or since passed; no until, or until still ahead). */
const holds = (r: string) => `(${r}.since IS NULL OR ${r}.since <= date()) AND (${r}.until IS NULL OR ${r}.until > date())`;

/** Cypher: the stages of service `svc` in order, as `stages`, each {stage, organisations responsible today}. */
const stagesWithOrganisations = (organisation: string) => `CALL (svc) {
  MATCH (svc)-[:HAS_STAGE]->(st:Stage)
  WITH st ORDER BY st.position, st.id
  RETURN collect({
    stage: st {.id, .name, .position},
    organisations: COLLECT { MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holds("r")} RETURN o ${organisation} ORDER BY o.name }
  }) AS stages
}`;

const only = (list: string, without: string) => `[o IN ${list} WHERE NOT o IN ${without}]`;

/**
 * Cypher: the hand-offs along `stages` (as stagesWithOrganisations gives them): consecutive stages whose
 * organisations differ, both having some.
 */
const handoffsAlong = (stages: string) => {
  const before = `${stages}[i - 1].organisations`;
  const after = `${stages}[i].organisations`;
  return `[i IN range(1, size(${stages}) - 1)
    WHERE size(${before}) > 0 AND size(${after}) > 0 AND size(${only(before, after)}) + size(${only(after, before)}) > 0
    | {fromStage: ${stages}[i - 1].stage, toStage: ${stages}[i].stage, from: ${only(before, after)}, to: ${only(after, before)},
       continuing: [o IN ${after} WHERE o IN ${before}]}]`;
};

/** Cypher: the nearest department at or above `o`, as `department`, or the head of its family when none is typed one (graph/read.ts). */
const nearestDepartment = (o: string) => `OPTIONAL CALL (${o}) {
  MATCH path = (${o})-[:PART_OF*0..6]->(d:Organisation)
  WITH d, length(path) AS steps, d.type IN ['MINISTERIAL_DEPARTMENT', 'NON_MINISTERIAL_DEPARTMENT'] AS typed
  WHERE typed OR (NOT EXISTS { (d)-[:PART_OF]->(:Organisation) } AND EXISTS { (d)<-[:PART_OF]-(:Organisation) })
  RETURN d AS department ORDER BY typed DESC, steps ASC, d.name LIMIT 1
}`;

/** $serviceId, $peoplePerStage. */
export const journey = `
MATCH (svc:Service {id: $serviceId})
${stagesWithOrganisations("{.id, .name}")}
WITH svc, ${handoffsAlong("stages")} AS handoffs
MATCH (svc)-[:HAS_STAGE]->(st:Stage)
CALL (st) {
  MATCH (p:Person)-[:WORKS_ON]->(st) MATCH (p)-[h:HAS_PROFESSION]->(x:Profession) WHERE ${holds("h")}
  WITH x, count(DISTINCT p) AS n ORDER BY n DESC, x.name
  RETURN collect({profession: x.name, people: n}) AS professions
}
CALL (st) {
  MATCH (p:Person)-[:WORKS_ON]->(st) MATCH (p)-[m:MEMBER_OF]->(c:Community) WHERE ${holds("m")}
  WITH c, count(DISTINCT p) AS n ORDER BY n DESC, c.name
  RETURN collect({community: c.name, people: n}) AS communities
}
WITH svc, handoffs, st, professions, communities ORDER BY st.position, st.id
RETURN svc {.id, .name} AS service, collect(st {
  .id, .name, .position,
  responsibilities: COLLECT {
    MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holds("r")}
    ${nearestDepartment("o")}
    RETURN {
      lane: r.lane, organisation: o {.id, .name, .acronym}, department: department {.id, .name},
      successors: COLLECT { MATCH (o)-[:SUPERSEDED_BY]->(s:Organisation) RETURN s {.id, .name} ORDER BY s.name }
    } ORDER BY CASE r.lane WHEN 'FRONTSTAGE' THEN 0 WHEN 'BACKSTAGE' THEN 1 ELSE 2 END, o.name
  },
  peopleCount: COUNT { (:Person)-[:WORKS_ON]->(st) },
  people: COLLECT {
    MATCH (p:Person)-[w:WORKS_ON]->(st)
    WITH p, w ORDER BY p.name, p.id LIMIT $peoplePerStage
    RETURN {
      role: w.role, node: p {.id, .name, .jobTitle},
      professions: COLLECT { MATCH (p)-[h:HAS_PROFESSION]->(x:Profession) WHERE ${holds("h")} RETURN x.name ORDER BY x.name },
      organisations: COLLECT { MATCH (p)-[:WORKS_FOR]->(x:Organisation) RETURN x.name ORDER BY x.name },
      memberships: COLLECT { MATCH (p)-[m:MEMBER_OF]->(c:Community) WHERE ${holds("m")} RETURN {role: m.role, community: c.name} ORDER BY c.name }
    }
  },
  professions: professions,
  communities: communities,
  missingProfessions: COLLECT {
    MATCH (st)-[:EXPECTS_PROFESSION]->(x:Profession)
    WHERE NOT x.id IN COLLECT { MATCH (st)<-[:WORKS_ON]-(:Person)-[h:HAS_PROFESSION]->(y:Profession) WHERE ${holds("h")} RETURN y.id }
    RETURN x.name ORDER BY x.name
  },
  handoff: [h IN handoffs WHERE h.toStage.id = st.id][0]
}) AS stages`;

/** $serviceId, $first. */
export const handoffs = `
MATCH (svc:Service {id: $serviceId})
${stagesWithOrganisations("{.id, .name}")}
WITH svc, ${handoffsAlong("stages")} AS handoffs
RETURN size(handoffs) AS total, [h IN handoffs[0..$first] | h {.*, service: svc {.id, .name}}] AS page`;

/** $first. */
export const servicesByHandoffs = `
MATCH (svc:Service)
${stagesWithOrganisations("{.id}")}
WITH svc, size(${handoffsAlong("stages")}) AS handoffs, size(stages) AS stages,
  size(apoc.coll.toSet(apoc.coll.flatten([s IN stages | s.organisations]))) AS organisations
ORDER BY handoffs DESC, svc.name
WITH collect({service: svc {.id, .name}, handoffs: handoffs, stages: stages, organisations: organisations}) AS ranked
RETURN size(ranked) AS total, ranked[0..$first] AS page`;

/** $first. */
export const gaps = `
MATCH (svc:Service)-[:HAS_STAGE]->(st:Stage)
WITH svc, st ORDER BY svc.name, svc.id, st.position, st.id
WITH svc, st,
  COLLECT {
    MATCH (st)-[:EXPECTS_PROFESSION]->(x:Profession) WHERE NOT x.id IN COLLECT { MATCH (st)<-[:WORKS_ON]-(:Person)-[h:HAS_PROFESSION]->(y:Profession) WHERE ${holds("h")} RETURN y.id }
    RETURN {kind: 'MISSING_PROFESSION', profession: x {.name}, organisation: null, successors: []} ORDER BY x.name
  }
  + CASE WHEN EXISTS { MATCH (:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holds("r")} } THEN []
    ELSE [{kind: 'NO_RESPONSIBLE_ORGANISATION', profession: null, organisation: null, successors: []}] END
  + CASE WHEN EXISTS { (:Person)-[:WORKS_ON]->(st) } THEN []
    ELSE [{kind: 'NOBODY_WORKING', profession: null, organisation: null, successors: []}] END
  + COLLECT {
    MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE ${holds("r")} AND o.status = 'CLOSED'
    RETURN {kind: 'CLOSED_ORGANISATION_RESPONSIBLE', profession: null, organisation: o {.name},
      successors: COLLECT { MATCH (o)-[:SUPERSEDED_BY]->(s:Organisation) RETURN s {.name} ORDER BY s.name }} ORDER BY o.name
  } AS found
UNWIND found AS gap
WITH collect(gap {.*, service: svc {.id, .name}, stage: st {.id, .name, .position}}) AS gaps
RETURN size(gaps) AS total, gaps[0..$first] AS page`;

/** $query (Lucene, as the services subgraph writes it), $first. */
export const search = `
CALL db.index.fulltext.queryNodes('search_text', $query) YIELD node, score
WHERE node:Organisation OR node:Person OR node:Profession OR node:Community OR node:Service OR node:Stage
WITH node, score ORDER BY score DESC, node.name, node.id
WITH collect({node: node, score: score}) AS hits
RETURN size(hits) AS total,
  [hit IN hits[0..$first] | {type: head(labels(hit.node)), id: hit.node.id, name: hit.node.name, score: hit.score}] AS page`;

/**
 * The links of organisationLinks: the organisations subgraph's own query, so that the floor measures
 * the very Cypher the subgraph runs (its parameters: $roots, $targets, $includeChildren,
 * $evidencePerKind, $offset, $end, $asAt).
 */
export const organisationLinks = linksQuery.today;

/** The links of departmentMatrix: the subgraph's own matrix query, with the matrix's organisations ($targets) in the same round trip. */
export const departmentMatrix = `CALL () {${matrixQuery.today}
}
RETURN total, page, COLLECT { UNWIND $targets AS id MATCH (o:Organisation {id: id}) RETURN o {.id, .name} } AS organisations`;

/** $first. */
export const brokers = `
CALL () {
  MATCH (c:Community)<-[r:MEMBER_OF]-(:Person)-[:WORKS_FOR]->(o:Organisation) WHERE ${holds("r")}
  WITH c, collect(DISTINCT o.id) AS organisations
  RETURN apoc.map.fromPairs(collect([c.id, organisations])) AS byCommunity
}
CALL () {
  CALL () {
    MATCH (p:Person)-[:MEMBER_OF]->(:Community) RETURN p
    UNION
    MATCH (p:Person)-[:WORKS_ON]->(:Stage) RETURN p
  }
  RETURN count(p) AS total
}
CALL () {
  MATCH (p:Person)-[:MEMBER_OF]->(:Community) RETURN p
  UNION
  MATCH (p:Person)-[:WORKS_ON]->(:Stage) RETURN p
}
WITH byCommunity, total, p, COLLECT { MATCH (p)-[r:MEMBER_OF]->(c:Community) WHERE ${holds("r")} RETURN c.id } AS communities
WITH total, p, communities, apoc.coll.toSet(
    COLLECT { MATCH (p)-[:WORKS_FOR]->(o:Organisation) RETURN o.id }
  + COLLECT { MATCH (p)-[:WORKS_ON]->(:Stage)<-[r:RESPONSIBLE_FOR]-(o:Organisation) WHERE ${holds("r")} RETURN o.id }
  + apoc.coll.flatten([c IN communities | byCommunity[c]])) AS spanned
WITH total, p, communities, spanned ORDER BY size(spanned) DESC, p.name, p.id LIMIT $first
RETURN total, collect({
  person: p {.id, .name, .jobTitle}, organisations: size(spanned), communities: size(communities),
  stages: COUNT { (p)-[:WORKS_ON]->(:Stage) },
  sample: COLLECT { MATCH (o:Organisation) WHERE o.id IN spanned RETURN o {.id, .name} ORDER BY o.name LIMIT 10 }
}) AS page`;

const pathTypes = "WORKS_FOR|MEMBER_OF|WORKS_ON|RESPONSIBLE_FOR|HAS_STAGE|OWNS|FOCUSES_ON|PART_OF|SUPERSEDED_BY|REPORTS_TO";
const personOrOrganisation = (id: string) => `CALL () {
  MATCH (n:Person {id: ${id}}) RETURN n
  UNION
  MATCH (n:Organisation {id: ${id}}) RETURN n
}`;

/** $fromId, $toId; at most 4 steps, as the operation asks. */
export const path = `
${personOrOrganisation("$fromId")}
WITH n AS a
${personOrOrganisation("$toId")}
WITH a, n AS b
MATCH found = shortestPath((a)-[:${pathTypes}*..4]-(b))
RETURN length(found) AS length,
  [i IN range(0, length(found)) | {
    labels: labels(nodes(found)[i]), id: nodes(found)[i].id, name: nodes(found)[i].name,
    via: CASE WHEN i = 0 THEN null ELSE type(relationships(found)[i - 1]) END,
    forward: CASE WHEN i = 0 THEN null ELSE startNode(relationships(found)[i - 1]) = nodes(found)[i - 1] END
  }] AS steps`;
