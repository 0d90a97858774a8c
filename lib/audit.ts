/**
 * The audit trail: every generated mutation records, in the same Neo4j transaction as its change,
 * who made it (the token's subject), what changed (each entity's properties before and after, the
 * relationships added, removed or changed, with the other end's id and the relationship's
 * properties) and when, as `(:AuditEvent)` nodes. The events have no relationships, so deleting an
 * entity keeps its record, and no API changes or deletes them.
 *
 * How: `runMutationsInTransactions` gives each mutation field a write transaction, handed to
 * @neo4j/graphql as `context.executionContext`. Given a transaction, @neo4j/graphql 7 only runs its
 * Cypher in it (Executor.transactionRun: `transaction.run`, no commit), authorization checks
 * included, since they are part of that Cypher. `auditMutations` snapshots the nodes the input
 * touches before and after the generated resolver, in that transaction, and writes the differences;
 * the transaction commits only when all of it succeeded, so a change is never stored without its record.
 *
 * A snapshot reads a node's stored properties and, of its relationships, only those this subgraph
 * writes (nestedOperations) and only those the input touches (all of them for a node created or
 * deleted), so an update of an organisation never reads its tens of thousands of WORKS_FOR links.
 */
import { randomUUID } from "node:crypto";
import { execute, getNamedType, GraphQLError, isObjectType, parse, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import neo4j, { type Driver, type ManagedTransaction } from "neo4j-driver";
import { connectionOf, pageOf, type PageArgs } from "./connection.js";
import {
  filtersOnlyByIds, mutationPositions, mutationTargets, namedIds,
  type GraphModel, type Input, type NodeModel, type NodePosition, type RelationshipModel,
} from "./mutation-input.js";

/** The most nodes one filter of a mutation may name (the largest page @limit allows): the audit reads each of them twice. */
export const maxNodesPerFilter = 1000;

export interface AuditContext {
  /** The caller's verified token, when there is one. */
  jwt?: { sub?: string; roles?: readonly string[] } | undefined;
  requestId?: string;
  sessionConfig?: { database?: string };
  executionContext?: unknown;
}

/**
 * Runs every Mutation field in a write transaction of its own, given to the resolvers below as
 * `executionContext`, committed when the field resolves and rolled back when it throws. The
 * driver's managed transaction retries the whole field on a transient error (a deadlock), as
 * @neo4j/graphql does when it opens the transaction itself.
 */
export function runMutationsInTransactions(schema: GraphQLSchema, driver: Driver): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = async (source, args, context: AuditContext, info) => {
      // As @neo4j/graphql's own sessions: a database named, so that no routing table is asked for, and
      // the driver's bookmarks, so that the reads of this request's later fields see the change.
      const session = driver.session({ database: context.sessionConfig?.database ?? "neo4j", defaultAccessMode: "WRITE", bookmarkManager: driver.executeQueryBookmarkManager });
      try {
        return await session.executeWrite((tx) => resolve(source, args, { ...context, executionContext: tx }, info));
      } finally {
        await session.close();
      }
    };
  }
  return schema;
}

/** What the audit reads of one kind of node: its properties, and those relationships, with the nodes at their other end when the input changes those too. */
interface SnapshotPlan {
  node: NodeModel;
  relationships: Map<string, { relationship: RelationshipModel; target: NodeModel; nested: SnapshotPlan | undefined }>;
  /** Filters of the input that name nodes of this kind before they are reached through a relationship: an update's or delete's `where`, a nested connect's. */
  filters: { value: Input; path: string }[];
  /** Ids of the nodes of this kind the input creates. */
  createdIds: string[];
}

const changesNodes = (p: NodePosition) => p.action === "create" || p.action === "update" || p.action === "delete" || p.children.length > 0;

function planFor(model: GraphModel, positions: readonly NodePosition[]): SnapshotPlan {
  const node = positions[0]!.node;
  const plan: SnapshotPlan = { node, relationships: new Map(), filters: [], createdIds: [] };
  for (const position of positions) {
    const id = position.fields?.value["id"];
    if (position.action === "create") {
      if (typeof id === "string") plan.createdIds.push(id);
    } else if (!position.via || position.action === "connect") {
      // The targets of an update or delete (all nodes of the type without `where`), and nodes being
      // connected; other nodes changed through a relationship are reached through it.
      plan.filters.push(position.filter ?? { value: {}, path: "where" });
    }
  }
  // A node created or deleted gains or loses every relationship this subgraph writes.
  if (positions.some((p) => p.action === "create" || p.action === "delete")) {
    for (const relationship of node.relationships.values()) {
      if (relationship.nestedOperations.size > 0) plan.relationships.set(relationship.field, { relationship, target: model.get(relationship.target)!, nested: undefined });
    }
  }
  const byField = new Map<string, NodePosition[]>();
  for (const child of positions.flatMap((p) => p.children)) byField.set(child.via!.relationship.field, [...(byField.get(child.via!.relationship.field) ?? []), child]);
  for (const [field, children] of byField) {
    const relationship = children[0]!.via!.relationship;
    const changed = children.filter(changesNodes);
    plan.relationships.set(field, { relationship, target: children[0]!.node, nested: changed.length > 0 ? planFor(model, changed) : undefined });
  }
  return plan;
}

interface RelationshipState {
  /** The relationship's element id, which tells two relationships between the same nodes apart. */
  eid: string;
  other: string;
  otherId: string;
  properties: Record<string, unknown>;
}

interface NodeState {
  eid: string;
  id: string;
  properties: Record<string, unknown>;
  relationships: Record<string, RelationshipState[]>;
}

/** The nodes read, per plan, by element id: stable within a transaction, and unchanged when an update changes a node's `id`. */
type Snapshot = Map<SnapshotPlan, Map<string, NodeState>>;

const name = (identifier: string) => `\`${identifier.replaceAll("`", "``")}\``;

function snapshotCypher(plan: SnapshotPlan): string {
  const label = name(plan.node.label);
  const properties = [...plan.node.properties.keys()].map((p) => `.${name(p)}`).join(", ");
  const relationships = [...plan.relationships.values()].map(({ relationship: r, target }) => {
    const arrow = r.direction === "OUT" ? `-[r:${name(r.type)}]->` : `<-[r:${name(r.type)}]-`;
    const edge = r.properties.size > 0 ? `r { ${[...r.properties.keys()].map((p) => `.${name(p)}`).join(", ")} }` : "{}";
    return `${name(r.field)}: [(n)${arrow}(m:${name(target.label)}) | { eid: elementId(r), other: elementId(m), otherId: m.id, properties: ${edge} }]`;
  });
  return `CALL () {
      MATCH (n:${label}) WHERE elementId(n) IN $eids RETURN n
      UNION
      MATCH (n:${label}) WHERE n.id IN $ids RETURN n
    }
    RETURN elementId(n) AS eid, n { ${properties} } AS properties, { ${relationships.join(", ")} } AS relationships`;
}

/** A value read from Neo4j as plain JSON: integers as numbers, temporal values as their ISO text. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (neo4j.isInt(value)) return value.inSafeRange() ? value.toNumber() : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object") {
    return value.constructor === Object ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) : String(value);
  }
  return value;
}

interface AuditRun {
  tx: ManagedTransaction;
  schema: GraphQLSchema;
  context: AuditContext;
  /** The read query that finds the ids a filter matches, per node type. */
  finder: (node: NodeModel) => DocumentNode;
}

/** The ids of the nodes a filter matches, read through the schema's own query for the type, in the transaction. */
async function idsMatching(run: AuditRun, node: NodeModel, filter: { value: Input; path: string }): Promise<string[]> {
  let found: { totalCount: number; edges: { node: { id: string } }[] };
  if (filtersOnlyByIds(filter)) {
    const ids = namedIds(filter).map((n) => ({ node: { id: n.id } }));
    found = { totalCount: ids.length, edges: ids };
  } else {
    const result = await execute({
      schema: run.schema, document: run.finder(node), contextValue: { ...run.context, executionContext: run.tx },
      variableValues: { where: filter.value, first: maxNodesPerFilter },
    });
    if (result.errors?.length) throw result.errors[0];
    found = result.data?.["found"] as typeof found;
  }
  if (found.totalCount > maxNodesPerFilter) {
    throw new GraphQLError(`${filter.path}: matches ${found.totalCount} ${node.name} nodes; a mutation may change at most ${maxNodesPerFilter} at a time`, {
      extensions: { code: "BAD_USER_INPUT", field: filter.path },
    });
  }
  return found.edges.map((e) => e.node.id);
}

/**
 * Reads the nodes of a plan and, recursively, of its nested plans. Before the change, a plan's
 * nodes are those its filters name and those reached through the relationship that leads to it;
 * after, those read before, those reached, and those created.
 */
async function takeSnapshot(run: AuditRun, plan: SnapshotPlan, reached: Iterable<string>, into: Snapshot, before?: Snapshot): Promise<void> {
  const eids = new Set([...reached, ...(before?.get(plan)?.keys() ?? [])]);
  const ids = before ? plan.createdIds : (await Promise.all(plan.filters.map((f) => idsMatching(run, plan.node, f)))).flat();
  const states = into.get(plan) ?? new Map<string, NodeState>();
  into.set(plan, states);
  if (eids.size === 0 && ids.length === 0) return;
  const { records } = await run.tx.run(snapshotCypher(plan), { eids: [...eids], ids });
  for (const record of records) {
    const properties = plain(record.get("properties")) as Record<string, unknown>;
    const eid = record.get("eid") as string;
    const relationships = plain(record.get("relationships")) as NodeState["relationships"];
    // A relationship's properties as set: the projection gives every declared one, null when absent.
    for (const r of Object.values(relationships).flat()) r.properties = Object.fromEntries(Object.entries(r.properties).filter(([, v]) => v !== null));
    states.set(eid, { eid, id: properties["id"] as string, properties, relationships });
  }
  for (const [field, { nested }] of plan.relationships) {
    if (!nested) continue;
    const others = new Set([...states.values()].flatMap((s) => s.relationships[field]!.map((r) => r.other)));
    await takeSnapshot(run, nested, others, into, before);
  }
}

type ChangeKind = "PROPERTY" | "RELATIONSHIP_ADDED" | "RELATIONSHIP_REMOVED" | "RELATIONSHIP_CHANGED";

interface Change {
  kind: ChangeKind;
  field: string;
  relatedId?: string;
  relationshipType?: string;
  before: unknown;
  after: unknown;
}

interface PendingEvent {
  action: "CREATE" | "UPDATE" | "DELETE";
  entityType: string;
  entityId: string;
  changes: Change[];
}

function changesOf(plan: SnapshotPlan, before: NodeState | undefined, after: NodeState | undefined): Change[] {
  const changes: Change[] = [];
  for (const property of plan.node.properties.keys()) {
    const [was, is] = [before?.properties[property] ?? null, after?.properties[property] ?? null];
    if (JSON.stringify(was) !== JSON.stringify(is)) changes.push({ kind: "PROPERTY", field: property, before: was, after: is });
  }
  for (const [field, { relationship }] of plan.relationships) {
    const was = new Map((before?.relationships[field] ?? []).map((r) => [r.eid, r]));
    const is = new Map((after?.relationships[field] ?? []).map((r) => [r.eid, r]));
    const change = (kind: ChangeKind, r: RelationshipState, beforeValue: unknown, afterValue: unknown) =>
      changes.push({ kind, field, relatedId: r.otherId, relationshipType: relationship.type, before: beforeValue, after: afterValue });
    for (const [eid, r] of is) {
      const old = was.get(eid);
      if (!old) change("RELATIONSHIP_ADDED", r, null, r.properties);
      else if (JSON.stringify(old.properties) !== JSON.stringify(r.properties)) change("RELATIONSHIP_CHANGED", r, old.properties, r.properties);
    }
    for (const [eid, r] of was) if (!is.has(eid)) change("RELATIONSHIP_REMOVED", r, r.properties, null);
  }
  return changes;
}

/** One event per node that changed, whichever plans read it. */
function eventsOf(before: Snapshot, after: Snapshot): PendingEvent[] {
  const events = new Map<string, PendingEvent>();
  for (const plan of new Set([...before.keys(), ...after.keys()])) {
    const [was, is] = [before.get(plan) ?? new Map<string, NodeState>(), after.get(plan) ?? new Map<string, NodeState>()];
    for (const eid of new Set([...was.keys(), ...is.keys()])) {
      const [old, current] = [was.get(eid), is.get(eid)];
      const changes = changesOf(plan, old, current);
      if (changes.length === 0) continue;
      const event = events.get(eid) ?? {
        action: !old ? "CREATE" : !current ? "DELETE" : "UPDATE",
        entityType: plan.node.name,
        entityId: (current ?? old)!.id,
        changes: [],
      };
      const recorded = new Set(event.changes.map((c) => JSON.stringify(c)));
      event.changes.push(...changes.filter((c) => !recorded.has(JSON.stringify(c))));
      events.set(eid, event);
    }
  }
  return [...events.values()];
}

const writeEvents = `
  UNWIND $events AS event
  CREATE (e:AuditEvent)
  SET e = event, e.at = datetime()`;

/** The connection query of each node type (peopleConnection for Person), which the audit runs to find the nodes a `where` matches. */
function finders(schema: GraphQLSchema): (node: NodeModel) => DocumentNode {
  const documents = new Map<string, DocumentNode>();
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const type = getNamedType(field.type);
    const edges = isObjectType(type) ? type.getFields()["edges"] : undefined;
    const edge = edges && getNamedType(edges.type);
    const node = edge && isObjectType(edge) ? getNamedType(edge.getFields()["node"]?.type) : undefined;
    const where = field.args.find((a) => a.name === "where");
    if (!node || !where || !field.args.some((a) => a.name === "first") || documents.has(node.name)) continue;
    documents.set(node.name, parse(`query ($where: ${String(where.type)}, $first: Int) {
      found: ${field.name}(where: $where, first: $first) { totalCount edges { node { id } } }
    }`));
  }
  return (node) => {
    const document = documents.get(node.name);
    if (!document) throw new Error(`The schema has no connection query for ${node.name}, which the audit needs to find the nodes a filter matches.`);
    return document;
  };
}

const isTransaction = (value: unknown): value is ManagedTransaction => typeof (value as { run?: unknown } | undefined)?.run === "function";

/**
 * Wraps the resolver of every generated mutation with the snapshots and the audit events. It runs
 * inside runMutationsInTransactions, which gives it the transaction.
 */
export function auditMutations(schema: GraphQLSchema, model: GraphModel): GraphQLSchema {
  const finder = finders(schema);
  const mutationType = schema.getMutationType();
  for (const [fieldName, target] of mutationTargets(schema, model)) {
    const field = mutationType!.getFields()[fieldName]!;
    const resolve = field.resolve as GraphQLFieldResolver<unknown, AuditContext>;
    field.resolve = async (source, args: Input, context: AuditContext, info) => {
      const tx = context.executionContext;
      if (!isTransaction(tx)) throw new Error("The audit needs the mutation's transaction as executionContext (runMutationsInTransactions).");
      const positions = mutationPositions(model, target, args);
      if (positions.length === 0) return resolve(source, args, context, info);
      const run: AuditRun = { tx, schema, context, finder };
      const plan = planFor(model, positions);
      const before: Snapshot = new Map();
      await takeSnapshot(run, plan, [], before);
      const result = await resolve(source, args, context, info);
      const after: Snapshot = new Map();
      await takeSnapshot(run, plan, [], after, before);
      const events = eventsOf(before, after).map((e) => ({
        id: randomUUID(),
        actor: context.jwt?.sub ?? "anonymous",
        operation: fieldName,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        changes: JSON.stringify(e.changes),
        requestId: context.requestId ?? null,
      }));
      if (events.length > 0) await tx.run(writeEvents, { events });
      return result;
    };
  }
  return schema;
}

interface AuditTrailArgs extends PageArgs {
  entityId?: string | null;
  actor?: string | null;
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** The people subgraph's `auditTrail` query: the events, newest first, a page at a time, for admins only. */
export function auditTrailResolvers(driver: Driver, database?: string) {
  return {
    Query: {
      async auditTrail(_source: unknown, args: AuditTrailArgs, context: AuditContext) {
        if (!context.jwt?.roles?.includes("admin")) {
          throw new GraphQLError("Reading the audit trail needs the admin role.", { extensions: { code: "FORBIDDEN" } });
        }
        const page = pageOf(args, 200);
        const conditions = [args.entityId != null ? "e.entityId = $entityId" : "", args.actor != null ? "e.actor = $actor" : ""].filter(Boolean);
        const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
        const parameters = { entityId: args.entityId ?? null, actor: args.actor ?? null, skip: page.skip, limit: page.limit };
        const options = { database, routing: "READ" as const };
        const [counted, listed] = await Promise.all([
          driver.executeQuery(`MATCH (e:AuditEvent) ${where} RETURN count(e) AS total`, parameters, options),
          driver.executeQuery(`MATCH (e:AuditEvent) ${where} WITH e ORDER BY e.at DESC, e.id DESC SKIP $skip LIMIT $limit RETURN e { .* } AS event`, parameters, options),
        ]);
        const edges = listed.records.map((record) => {
          const event = record.get("event") as Record<string, unknown> & { changes: string };
          const changes = (JSON.parse(event.changes) as Change[]).map((c) => ({ ...c, before: json(c.before), after: json(c.after) }));
          return { node: { ...event, changes } };
        });
        return connectionOf(edges, page, (counted.records[0]!.get("total") as { toNumber(): number }).toNumber());
      },
    },
  };
}
