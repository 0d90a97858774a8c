/**
 * Keeps the graph's summaries (graph/summaries.ts) true after every mutation, in its transaction: what a
 * mutation touched is read off its audit events, which name each entity changed and the other end of every
 * relationship added, removed or changed, so the organisations and communities a person left are known.
 */
import type { Transaction } from "neo4j-driver";
import type { ServiceTouches } from "../../graph/service-summaries.js";
import { refreshSummaries, type SummaryTouches } from "../../graph/summaries.js";
import type { AuditedChange } from "./audit.js";
import type { SubgraphPolicy } from "../policy.js";

/** The relationships the summaries are made of; a change to any other leaves them as they are. */
const summarised = new Set(["WORKS_FOR", "MEMBER_OF", "WORKS_ON", "RESPONSIBLE_FOR"]);
/** The relationships the services' summaries count (graph/service-summaries.ts): a change to one counts its stage's or person's services again. */
const ofServices = new Set(["HAS_STAGE", "RESPONSIBLE_FOR", "WORKS_ON", "WORKED_ON", "EXPECTS_PROFESSION", "HAS_PROFESSION"]);
/** The organisation's fields the services' summaries depend on: whether it had opened, and whether it is closed. */
const organisationFieldsCounted = new Set(["since", "status", "closedOn", "openStatus"]);

/** The services, stages, organisations and people whose services' summaries a mutation's events may change. */
function serviceTouches(events: readonly AuditedChange[]): ServiceTouches {
  const touched = { Service: new Set<string>(), Stage: new Set<string>(), Organisation: new Set<string>(), Person: new Set<string>() };
  const add = (type: string | undefined, id: string | undefined) => {
    if (id && type && type in touched) touched[type as keyof typeof touched].add(id);
  };
  for (const event of events) {
    // A service's name places it; a stage's position orders its service's stages; anything created or deleted counts.
    if (event.entityType === "Service" || event.entityType === "Stage") add(event.entityType, event.entityId);
    for (const change of event.changes) {
      if (change.relationshipType && ofServices.has(change.relationshipType)) {
        add(event.entityType, event.entityId);
        add(change.relatedType, change.relatedId);
      }
      if (event.entityType === "Organisation" && change.kind === "PROPERTY" && organisationFieldsCounted.has(change.field)) add("Organisation", event.entityId);
    }
  }
  return { services: [...touched.Service], stages: [...touched.Stage], organisations: [...touched.Organisation], people: [...touched.Person] };
}

/** The people and stages a mutation's events touch, each person with the organisations and communities at the other end; and what may change the services' summaries. */
export function summaryTouches(events: readonly AuditedChange[]): SummaryTouches {
  const people = new Map<string, { id: string; organisations: Set<string>; communities: Set<string> }>();
  const stages = new Set<string>();
  const opened = new Set<string>();
  const person = (id: string) => people.get(id) ?? people.set(id, { id, organisations: new Set(), communities: new Set() }).get(id)!;
  for (const event of events) {
    for (const change of event.changes) {
      // A person's name places them among the brokers; an organisation's opening decides whether it counts.
      if (change.kind === "PROPERTY" && event.entityType === "Person" && change.field === "name") person(event.entityId);
      if (change.kind === "PROPERTY" && event.entityType === "Organisation" && change.field === "since") opened.add(event.entityId);
      if (!change.relationshipType || !summarised.has(change.relationshipType) || !change.relatedId) continue;
      const ends = [
        { type: event.entityType, id: event.entityId },
        { type: change.relatedType, id: change.relatedId },
      ];
      const who = ends.find((e) => e.type === "Person");
      const other = ends.find((e) => e !== who);
      if (change.relationshipType === "RESPONSIBLE_FOR") {
        const stage = ends.find((e) => e.type === "Stage");
        if (stage) stages.add(stage.id);
        continue;
      }
      if (!who || !other) continue;
      const entry = person(who.id);
      if (other.type === "Organisation") entry.organisations.add(other.id);
      if (other.type === "Community") entry.communities.add(other.id);
    }
  }
  return {
    people: [...people.values()].map((p) => ({ id: p.id, organisations: [...p.organisations], communities: [...p.communities] })),
    stages: [...stages],
    opened: [...opened],
    services: serviceTouches(events),
  };
}

/** A subgraph's followChanges, then the summaries refreshed for everything the mutation and what followed from it touched. */
export function followedBySummaries(follow: SubgraphPolicy["followChanges"]): NonNullable<SubgraphPolicy["followChanges"]> {
  return async (tx: Transaction, changed: readonly AuditedChange[]) => {
    const followed = follow ? await follow(tx, changed) : [];
    await refreshSummaries(tx, summaryTouches([...changed, ...followed]));
    return followed;
  };
}
