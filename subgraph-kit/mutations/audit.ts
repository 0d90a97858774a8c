/**
 * The audit trail: every generated mutation records, in the same Neo4j transaction as its change,
 * who made it (the token's subject), what changed (each entity's properties before and after, the
 * relationships added, removed or changed, with the other end's id and the relationship's
 * properties) and when, as `(:AuditEvent)` nodes. The events have no relationships, so deleting an
 * entity keeps its record, and no API changes or deletes them.
 *
 * How: `runMutationsInRequestTransaction` gives all the mutation fields of a request one write
 * transaction, handed to @neo4j/graphql as `context.executionContext`. Given a transaction,
 * @neo4j/graphql 7 only runs its Cypher in it (Executor.transactionRun: `transaction.run`, no
 * commit), authorization checks included, since they are part of that Cypher: so no check of a
 * later field can be made before an earlier field writes, and the request is all or nothing by
 * rolling back instead (docs/adr/0006). `auditMutations` snapshots the nodes the input touches
 * before and after the generated resolver, in that transaction, and writes the differences; the
 * transaction commits only when the whole request succeeded, so a change is never stored without
 * its record, and a record never without its change. What follows from a change in a subgraph's
 * domain (SubgraphPolicy.followChanges) is done after it, in the same transaction, and recorded too.
 *
 * A snapshot reads a node's stored properties and, of its relationships, only those this subgraph
 * writes (nestedOperations) and only those the input touches (all of them for a node created), so an
 * update of an organisation never reads its tens of thousands of WORKS_FOR links. A node deleted
 * loses every relationship it has (DETACH DELETE), those of other subgraphs too: all are read and
 * recorded, and a delete that would remove more than maxRelationshipsPerDelete is refused.
 */
import { randomUUID } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import {
  execute,
  getNamedType,
  graphql,
  GraphQLError,
  isObjectType,
  parse,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import neo4j, { type Driver, type Session, type Transaction } from "neo4j-driver";
import type { SubgraphContext } from "../context.js";
import {
  filtersOnlyByIds,
  mutationPositions,
  mutationTargets,
  namedIds,
  type GraphModel,
  type Input,
  type NodeModel,
  type NodePosition,
  type RelationshipModel,
} from "./input.js";

/** The most nodes one filter of a mutation may name (the largest page @limit allows): the audit reads each of them twice. */
export const maxNodesPerFilter = 1000;
/** The most relationships the nodes one mutation deletes may have: each is read and recorded, in memory. */
export const maxRelationshipsPerDelete = 10_000;

/** What one request's mutation fields share: the write transaction the first opens, and how they went. */
interface RequestWrites {
  session: Session;
  transaction: Transaction;
  /** The response keys (alias or name) of the fields that wrote, in order. */
  written: string[];
  /** The first field that failed: the fields after it do not run. */
  failed?: string;
}

/** Requests that will settle their writes (requestTransactions, executeRequest): null until a mutation field opens them. */
const requests = new WeakMap<object, RequestWrites | null>();

const fieldKey = (info: GraphQLResolveInfo) => String(info.path.key);

/**
 * Runs every Mutation field of a request in one write transaction, given to the resolvers below
 * (and to the rest of the request) as `executionContext`: @neo4j/graphql runs its Cypher, its
 * authorization rules included, in it, and never commits it. The request's plugin commits it when
 * the whole operation has succeeded and rolls it back otherwise (settleRequestWrites), so that a
 * request's changes are stored all together or not at all.
 */
export function runMutationsInRequestTransaction(schema: GraphQLSchema, driver: Driver): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = async (source, args, context: SubgraphContext, info) => {
      // Without a plugin to settle it, the transaction would stay open until Neo4j's timeout, and nothing would be stored.
      if (!requests.has(context)) throw new Error("A mutation needs a request that settles its transaction (requestTransactions or executeRequest).");
      let writes = requests.get(context);
      if (writes?.failed) {
        throw new GraphQLError(`Not run: ${writes.failed} failed before it, and a request's changes are stored all together or not at all.`, {
          extensions: { code: "ROLLED_BACK" },
        });
      }
      if (!writes) {
        // As @neo4j/graphql's own sessions: a database named, so that no routing table is asked for, and
        // the driver's bookmarks, so that later requests read the change.
        const session = driver.session({
          database: context.sessionConfig?.database ?? "neo4j",
          defaultAccessMode: "WRITE",
          bookmarkManager: driver.executeQueryBookmarkManager,
        });
        // The whole request within the one timeout a generated query would have had.
        const timeout = context.transaction?.timeout;
        writes = { session, transaction: session.beginTransaction(timeout === undefined ? {} : { timeout }), written: [] };
        requests.set(context, writes);
      }
      // On the request's own context, so that every read of the request sees its changes.
      context.executionContext = writes.transaction;
      try {
        const result: unknown = await resolve(source, args, context, info);
        writes.written.push(fieldKey(info));
        return result;
      } catch (error) {
        writes.failed = fieldKey(info);
        throw error;
      }
    };
  }
  return schema;
}

/** How a request's writes were settled, and what to tell the client when something was undone. */
export interface Settled {
  /** Whether the request wrote, and so whether its answer speaks for stored changes. */
  wrote: boolean;
  stored: boolean;
  /** Why nothing was stored: one error per field whose changes were undone, at its path. */
  errors: GraphQLError[];
}

/** Settles a request's writes: committed when `succeeded`, rolled back otherwise. */
export async function settleRequestWrites(context: object, succeeded: boolean): Promise<Settled> {
  const writes = requests.get(context);
  requests.delete(context);
  if (!writes) return { wrote: false, stored: false, errors: [] };
  try {
    if (succeeded) {
      try {
        await writes.transaction.commit();
        return { wrote: true, stored: true, errors: [] };
      } catch {
        return {
          wrote: true,
          stored: false,
          errors: writes.written.map(
            (key) =>
              new GraphQLError("Nothing was stored: the graph database could not commit this request's changes; try again.", {
                path: [key],
                extensions: { code: "DATABASE_UNAVAILABLE" },
              }),
          ),
        };
      }
    }
    // A transaction that failed in Neo4j is rolled back there already: this only releases it.
    await writes.transaction.rollback().catch(() => undefined);
    const reason = writes.failed ? `${writes.failed} failed` : "part of the answer failed";
    return {
      wrote: true,
      stored: false,
      errors: writes.written.map(
        (key) =>
          new GraphQLError(
            `Nothing was stored: ${reason} (see its error), so the changes of ${key} were undone too; a request's changes are stored all together or not at all.`,
            {
              path: [key],
              extensions: { code: "ROLLED_BACK" },
            },
          ),
      ),
    };
  } finally {
    await writes.session.close();
  }
}

/** An answer whose changes were undone: every field's data null, and why. */
function undone<R extends { data?: unknown; errors?: readonly unknown[] }>(result: R, settled: Settled, errors: readonly unknown[]): R {
  return settled.wrote && !settled.stored ? { ...result, data: null, errors: [...(result.errors ?? []), ...errors] } : result;
}

/** The Apollo Server plugin that settles each request's writes when its execution ends, before the answer is sent. */
export function requestTransactions(): ApolloServerPlugin<object> {
  return {
    async requestDidStart({ contextValue }) {
      requests.set(contextValue, null);
      return {
        async executionDidStart(requestContext) {
          return {
            async executionDidEnd(error) {
              const body = requestContext.response.body;
              const result = body?.kind === "single" ? body.singleResult : undefined;
              const settled = await settleRequestWrites(contextValue, !error && result !== undefined && !result.errors?.length);
              if (body?.kind === "single")
                body.singleResult = undone(
                  body.singleResult,
                  settled,
                  settled.errors.map((e) => e.toJSON()),
                );
            },
          };
        },
        async willSendResponse() {
          // An execution that never ended leaves nothing open.
          if (requests.get(contextValue)) await settleRequestWrites(contextValue, false);
        },
      };
    },
  };
}

/** Runs an operation on a subgraph schema outside a server (tests, benchmarks), its writes settled as the server settles them. */
export async function executeRequest(args: {
  schema: GraphQLSchema;
  source: string;
  variableValues?: Record<string, unknown>;
  contextValue: object;
}): Promise<ExecutionResult> {
  requests.set(args.contextValue, null);
  const result = await graphql(args);
  const settled = await settleRequestWrites(args.contextValue, !result.errors?.length);
  return undone(result, settled, settled.errors);
}

/** What the audit reads of one kind of node: its properties, and those relationships, with the nodes at their other end when the input changes those too. */
interface SnapshotPlan {
  node: NodeModel;
  relationships: Map<string, { relationship: RelationshipModel; target: NodeModel; nested: SnapshotPlan | undefined }>;
  /** Filters of the input that name nodes of this kind before they are reached through a relationship: an update's or delete's `where`, a nested connect's. */
  filters: { value: Input; path: string }[];
  /** Ids of the nodes of this kind the input creates. */
  createdIds: string[];
  /** Whether the input deletes nodes of this kind, which lose every relationship, this subgraph's or not. */
  deletes: boolean;
}

const changesNodes = (p: NodePosition) => p.action === "create" || p.action === "update" || p.action === "delete" || p.children.length > 0;

function planFor(model: GraphModel, positions: readonly NodePosition[]): SnapshotPlan {
  const node = positions[0]!.node;
  const plan: SnapshotPlan = { node, relationships: new Map(), filters: [], createdIds: [], deletes: positions.some((p) => p.action === "delete") };
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
      if (relationship.nestedOperations.size > 0)
        plan.relationships.set(relationship.field, { relationship, target: model.get(relationship.target)!, nested: undefined });
    }
  }
  const byField = new Map<string, NodePosition[]>();
  for (const child of positions.flatMap((p) => p.children))
    byField.set(child.via!.relationship.field, [...(byField.get(child.via!.relationship.field) ?? []), child]);
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

/** A relationship of a node being deleted, whether or not this subgraph's schema has a field for it. */
interface AnyRelationshipState extends RelationshipState {
  type: string;
  outgoing: boolean;
  otherLabels: string[];
}

interface NodeState {
  eid: string;
  id: string;
  properties: Record<string, unknown>;
  relationships: Record<string, RelationshipState[]>;
  /** Every relationship, read for a node the input deletes. */
  all?: AnyRelationshipState[];
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
  const all = plan.deletes
    ? "[(n)-[r]-(m) | { eid: elementId(r), type: type(r), outgoing: startNode(r) = n, other: elementId(m), otherId: m.id, otherLabels: labels(m), properties: properties(r) }]"
    : "null";
  return `${nodesOfPlan(label)}
    RETURN elementId(n) AS eid, n { ${properties} } AS properties, { ${relationships.join(", ")} } AS relationships, ${all} AS all`;
}

const nodesOfPlan = (label: string) => `CALL () {
      MATCH (n:${label}) WHERE elementId(n) IN $eids RETURN n
      UNION
      MATCH (n:${label}) WHERE n.id IN $ids RETURN n
    }`;

/** A value read from Neo4j as plain JSON: integers as numbers, temporal values as their ISO text. */
export function asJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (neo4j.isInt(value)) return value.inSafeRange() ? value.toNumber() : value.toString();
  if (Array.isArray(value)) return value.map(asJson);
  if (typeof value === "object") {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the objects left are Neo4j's temporal and point values, whose toString is their ISO text
    return value.constructor === Object ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJson(v)])) : String(value);
  }
  return value;
}

interface AuditRun {
  tx: Transaction;
  schema: GraphQLSchema;
  context: SubgraphContext;
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
      schema: run.schema,
      document: run.finder(node),
      contextValue: { ...run.context, executionContext: run.tx },
      variableValues: { where: filter.value, first: maxNodesPerFilter },
    });
    const [error] = result.errors ?? [];
    if (error) throw error;
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
  if (plan.deletes && !before) {
    const {
      records: [degree],
    } = await run.tx.run(`${nodesOfPlan(name(plan.node.label))} RETURN sum(COUNT { (n)--() }) AS n`, { eids: [...eids], ids });
    const relationships = asJson(degree?.get("n")) as number;
    if (relationships > maxRelationshipsPerDelete) {
      throw new GraphQLError(
        `Deleting these ${plan.node.name} nodes would remove ${relationships} relationships; a mutation may remove at most ${maxRelationshipsPerDelete}, each recorded in the audit trail: remove some of their links first.`,
        {
          extensions: { code: "BAD_USER_INPUT" },
        },
      );
    }
  }
  const { records } = await run.tx.run(snapshotCypher(plan), { eids: [...eids], ids });
  for (const record of records) {
    const properties = asJson(record.get("properties")) as Record<string, unknown>;
    const eid = record.get("eid") as string;
    const relationships = asJson(record.get("relationships")) as NodeState["relationships"];
    // A relationship's properties as set: the projection gives every declared one, null when absent.
    for (const r of Object.values(relationships).flat()) r.properties = Object.fromEntries(Object.entries(r.properties).filter(([, v]) => v !== null));
    const all = asJson(record.get("all")) as AnyRelationshipState[] | null;
    states.set(eid, { eid, id: properties["id"] as string, properties, relationships, ...(all ? { all } : {}) });
  }
  for (const [field, { nested }] of plan.relationships) {
    if (!nested) continue;
    const others = new Set([...states.values()].flatMap((s) => s.relationships[field]!.map((r) => r.other)));
    await takeSnapshot(run, nested, others, into, before);
  }
}

type ChangeKind = "PROPERTY" | "RELATIONSHIP_ADDED" | "RELATIONSHIP_REMOVED" | "RELATIONSHIP_CHANGED";

/** One change an audit event records, as stored (JSON) in its `changes`. */
export interface Change {
  kind: ChangeKind;
  field: string;
  relatedId?: string;
  /** The type of the node at the other end: ids are unique per type only. */
  relatedType?: string;
  relationshipType?: string;
  before: unknown;
  after: unknown;
}

/** What one mutation changed of one entity, as its audit event records it. */
export interface AuditedChange {
  action: "CREATE" | "UPDATE" | "DELETE";
  entityType: string;
  entityId: string;
  changes: Change[];
}

/** The field of the node's type that names a relationship, when it has one (one this subgraph does not write, for example). */
function fieldNaming(node: NodeModel, r: AnyRelationshipState): string | undefined {
  const direction = r.outgoing ? "OUT" : "IN";
  return [...node.relationships.values()].find((f) => f.type === r.type && f.direction === direction && r.otherLabels.includes(f.target))?.field;
}

function changesOf(plan: SnapshotPlan, before: NodeState | undefined, after: NodeState | undefined): Change[] {
  const changes: Change[] = [];
  for (const property of plan.node.properties.keys()) {
    const [was, is] = [before?.properties[property] ?? null, after?.properties[property] ?? null];
    if (JSON.stringify(was) !== JSON.stringify(is)) changes.push({ kind: "PROPERTY", field: property, before: was, after: is });
  }
  const recorded = new Set<string>();
  for (const [field, { relationship, target }] of plan.relationships) {
    const was = new Map((before?.relationships[field] ?? []).map((r) => [r.eid, r]));
    const is = new Map((after?.relationships[field] ?? []).map((r) => [r.eid, r]));
    const change = (kind: ChangeKind, r: RelationshipState, beforeValue: unknown, afterValue: unknown) =>
      changes.push({
        kind,
        field,
        relatedId: r.otherId,
        relatedType: target.label,
        relationshipType: relationship.type,
        before: beforeValue,
        after: afterValue,
      });
    for (const [eid, r] of is) {
      const old = was.get(eid);
      if (!old) change("RELATIONSHIP_ADDED", r, null, r.properties);
      else if (JSON.stringify(old.properties) !== JSON.stringify(r.properties)) change("RELATIONSHIP_CHANGED", r, old.properties, r.properties);
    }
    for (const [eid, r] of was) if (!is.has(eid)) change("RELATIONSHIP_REMOVED", r, r.properties, null);
    for (const eid of [...was.keys(), ...is.keys()]) recorded.add(eid);
  }
  // The rest of a deleted node's relationships, which no field of this subgraph's type names (an
  // organisation's WORKS_FOR links belong to the people subgraph): named by type and direction.
  const still = new Set((after?.all ?? []).map((r) => r.eid));
  for (const r of before?.all ?? []) {
    if (recorded.has(r.eid) || still.has(r.eid)) continue;
    recorded.add(r.eid);
    changes.push({
      kind: "RELATIONSHIP_REMOVED",
      field: fieldNaming(plan.node, r) ?? (r.outgoing ? `-${r.type}->` : `<-${r.type}-`),
      relatedId: r.otherId,
      ...(r.otherLabels[0] ? { relatedType: r.otherLabels[0] } : {}),
      relationshipType: r.type,
      before: r.properties,
      after: null,
    });
  }
  return changes;
}

/** One event per node that changed, whichever plans read it. */
function eventsOf(before: Snapshot, after: Snapshot): AuditedChange[] {
  const events = new Map<string, AuditedChange>();
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
    documents.set(
      node.name,
      parse(`query ($where: ${String(where.type)}, $first: Int) {
      found: ${field.name}(where: $where, first: $first) { totalCount edges { node { id } } }
    }`),
    );
  }
  return (node) => {
    const document = documents.get(node.name);
    if (!document) throw new Error(`The schema has no connection query for ${node.name}, which the audit needs to find the nodes a filter matches.`);
    return document;
  };
}

/**
 * Whether `executionContext` is the request's transaction (runMutationsInRequestTransaction puts it
 * there), not a driver or a session, which @neo4j/graphql would also accept there.
 */
export function isRequestTransaction(executionContext: unknown): executionContext is Transaction {
  const candidate = executionContext as { run?: unknown; session?: unknown; beginTransaction?: unknown } | undefined;
  return typeof candidate?.run === "function" && typeof candidate.session !== "function" && typeof candidate.beginTransaction !== "function";
}

/**
 * Wraps the resolver of every generated mutation with the snapshots and the audit events. It runs
 * inside runMutationsInRequestTransaction, which gives it the transaction.
 */
export function auditMutations(
  schema: GraphQLSchema,
  model: GraphModel,
  followChanges?: (tx: Transaction, changed: readonly AuditedChange[]) => Promise<AuditedChange[]>,
): GraphQLSchema {
  const finder = finders(schema);
  const mutationType = schema.getMutationType();
  for (const [fieldName, target] of mutationTargets(schema, model)) {
    const field = mutationType!.getFields()[fieldName]!;
    const resolve = field.resolve as GraphQLFieldResolver<unknown, SubgraphContext>;
    field.resolve = async (source, args: Input, context: SubgraphContext, info) => {
      const tx = context.executionContext;
      if (!isRequestTransaction(tx)) throw new Error("The audit needs the mutation's transaction as executionContext (runMutationsInRequestTransaction).");
      const positions = mutationPositions(model, target, args);
      if (positions.length === 0) return resolve(source, args, context, info);
      // The schema being served, so the audit's reads run through every step after this one (schema.ts).
      const run: AuditRun = { tx, schema: info.schema, context, finder };
      const plan = planFor(model, positions);
      const before: Snapshot = new Map();
      await takeSnapshot(run, plan, [], before);
      const result = await resolve(source, args, context, info);
      const after: Snapshot = new Map();
      await takeSnapshot(run, plan, [], after, before);
      const changed = eventsOf(before, after);
      // What follows from the change in the subgraph's domain, in the same transaction, recorded as the change is.
      const followed = changed.length > 0 && followChanges ? await followChanges(tx, changed) : [];
      const events = [...changed, ...followed].map((e) => ({
        id: randomUUID(),
        actor: context.jwt?.sub ?? "anonymous",
        operation: fieldName,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        changes: JSON.stringify(e.changes),
        requestId: context.requestId ?? null,
        clientRequestId: context.clientRequestId ?? null,
      }));
      if (events.length > 0) await tx.run(writeEvents, { events });
      return result;
    };
  }
  return schema;
}
