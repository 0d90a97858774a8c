/**
 * Who delivers a step-by-step stage is derived from the services its links reach and their owners
 * (graph/stage-responsibility.ts). A mutation that changes a service's owners, its entrances (start
 * pages, live service) or whether it exists changes what follows, so the derivation runs again in the
 * mutation's transaction: for the stages that link to the services whose owners changed, or for every
 * stage when an entrance changed or a service was created or deleted. What it changed is returned for
 * the audit trail, as changes of those stages.
 */
import type { Transaction } from "neo4j-driver";
import { deriveStageResponsibilitiesIn } from "../../graph/stage-responsibility.js";
import { asJson, type AuditedChange, type Change } from "../../subgraph-kit/mutations/audit.js";

const entrances = new Set(["liveService", "startPages"]);

/** Which stages a set of changes concerns: those linking to some services, or all of them. */
function concerned(changed: readonly AuditedChange[]): { services: string[] } | "all" | undefined {
  const services = new Set<string>();
  for (const event of changed) {
    if (event.entityType !== "Service") continue;
    if (event.action === "DELETE") return "all";
    for (const change of event.changes) {
      if (change.kind === "PROPERTY" && entrances.has(change.field)) return "all";
      if (change.relationshipType === "OWNS") services.add(event.entityId);
    }
  }
  return services.size > 0 ? { services: [...services] } : undefined;
}

interface DerivedLink {
  eid: string;
  stage: string;
  field: "responsibleOrganisations" | "linkedServices";
  relatedType: string;
  relatedId: string;
  relationshipType: string;
  properties: Record<string, unknown>;
}

/** The derived links of the stages concerned: who is responsible (with derivation and evidence) and which services they link to. */
async function derivedLinks(tx: Transaction, services: string[] | null): Promise<Map<string, DerivedLink>> {
  const { records } = await tx.run(
    `MATCH (st:Stage) WHERE st.links IS NOT NULL AND ($services IS NULL OR EXISTS { (st)-[:LINKS_TO]->(s:Service) WHERE s.id IN $services })
     CALL (st) {
       MATCH (o:Organisation)-[r:RESPONSIBLE_FOR]->(st) WHERE r.derivation IS NOT NULL
       RETURN elementId(r) AS eid, 'responsibleOrganisations' AS field, 'Organisation' AS relatedType, o.id AS relatedId, r AS link
       UNION
       MATCH (st)-[r:LINKS_TO]->(s:Service)
       RETURN elementId(r) AS eid, 'linkedServices' AS field, 'Service' AS relatedType, s.id AS relatedId, r AS link
     }
     RETURN st.id AS stage, eid, field, relatedType, relatedId, type(link) AS relationshipType, apoc.map.removeKey(properties(link), 'importedAt') AS properties`,
    { services },
  );
  return new Map(
    records.map((r) => {
      const link = { ...(r.toObject() as Omit<DerivedLink, "properties">), properties: asJson(r.get("properties")) as Record<string, unknown> };
      return [link.eid, link];
    }),
  );
}

/** SubgraphPolicy.followChanges for the services subgraph: the stage owners that follow from a mutation's changes to services. */
export async function followServiceChanges(tx: Transaction, changed: readonly AuditedChange[]): Promise<AuditedChange[]> {
  const scope = concerned(changed);
  if (!scope) return [];
  const services = scope === "all" ? null : scope.services;
  const before = await derivedLinks(tx, services);
  await deriveStageResponsibilitiesIn(tx, services ?? undefined);
  const after = await derivedLinks(tx, services);
  const byStage = new Map<string, Change[]>();
  const change = (link: DerivedLink, kind: Change["kind"], was: unknown, is: unknown) =>
    byStage.set(link.stage, [
      ...(byStage.get(link.stage) ?? []),
      { kind, field: link.field, relatedId: link.relatedId, relatedType: link.relatedType, relationshipType: link.relationshipType, before: was, after: is },
    ]);
  for (const [eid, link] of after) {
    const old = before.get(eid);
    if (!old) change(link, "RELATIONSHIP_ADDED", null, link.properties);
    else if (JSON.stringify(old.properties) !== JSON.stringify(link.properties)) change(link, "RELATIONSHIP_CHANGED", old.properties, link.properties);
  }
  for (const [eid, link] of before) if (!after.has(eid)) change(link, "RELATIONSHIP_REMOVED", link.properties, null);
  return [...byStage].map(([stage, changes]) => ({ action: "UPDATE", entityType: "Stage", entityId: stage, changes }));
}
