/**
 * Checks the input of every generated mutation before it runs: required text present and not blank,
 * lengths bounded, ids in the shape the graph uses, sane dates and numbers (closed sets are GraphQL enums),
 * and that every id a mutation names (the node it updates or deletes, the nodes it connects or
 * disconnects) exists — @neo4j/graphql silently skips a `connect` whose `where` matches nothing.
 *
 * Which fields exist, which are required and which are relationships comes from the subgraph's type
 * definitions (subgraph-kit/mutations/input.ts); the rules per field are the tables below. Every problem of a
 * request is reported in one BAD_USER_INPUT error, each named by its path in the arguments
 * (`input[0].organisations.connect[0].where.node.id.eq: no Organisation has id "hmrx"`), before
 * anything is written.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import type { Driver } from "neo4j-driver";
import type { SubgraphContext } from "../context.js";
import { isRequestTransaction } from "./audit.js";
import {
  flatten,
  mutationPositions,
  mutationTargets,
  namedIds,
  withParents,
  type GraphModel,
  type Input,
  type MutationTarget,
  type NodeModel,
  type PropertyModel,
} from "./input.js";

export interface Problem {
  /** Where in the mutation's arguments, for example `input[0].name`. */
  field: string;
  message: string;
}

export interface TextRule {
  max?: number;
  pattern?: RegExp;
  /** What the pattern asks for, in words. */
  expected?: string;
}

// Ids are slugs as the importers make them (data/import/parse.ts slugPattern); GOV.UK has one with an
// underscore (`victoria-climbi_-inquiry`), and a step's id is its journey's slug plus `-step-N`.
export const slug = "[a-z0-9][a-z0-9_-]{0,149}";
const slugRule: TextRule = {
  pattern: new RegExp(`^${slug}$`),
  expected: "a slug: lower-case letters, digits, - and _, starting with a letter or digit, at most 150 characters",
};

export interface NumberRule {
  min: number;
  max: number;
}

/**
 * The rules of the fields a subgraph's mutations write, each by `Type.field` or by field name. Each
 * subgraph gives its own in its policy (subgraphs/<name>/policy.ts), over the rules every subgraph
 * shares below.
 */
export interface FieldRules {
  text: Record<string, TextRule>;
  numbers: Record<string, NumberRule>;
  /** Pairs whose second must not be less than the first, when both are given together. */
  orderedPairs: readonly (readonly [string, string])[];
  /** Dates that must be today or earlier, by `Type.field` (a relationship's by its type): each with why. */
  notAfterToday?: Record<string, string>;
}

/** Rules for what every subgraph writes alike: ids, names, descriptions, addresses, provenance, roles and dated intervals. */
const sharedRules: FieldRules = {
  text: {
    id: slugRule,
    // The importers take GOV.UK titles of up to 300 characters and portfolio descriptions of up to 4000.
    name: { max: 300 },
    description: { max: 4000 },
    url: { max: 500, pattern: /^https?:\/\/[^\s/]+\S*$/, expected: "an http:// or https:// address" },
    // Membership and WorksOn roles are open ("for example lead, member, convenor"): bounded, not listed.
    role: { max: 100 },
    source: { max: 500 },
    snapshot: { pattern: /^\d{4}-\d{2}-\d{2}$/, expected: "a date as YYYY-MM-DD" },
  },
  numbers: {},
  orderedPairs: [["since", "until"]],
};

/** The shared rules with a subgraph's own, which win where both name a field. */
export function fieldRulesWith(own: Partial<FieldRules> = {}): FieldRules {
  return {
    text: { ...sharedRules.text, ...own.text },
    numbers: { ...sharedRules.numbers, ...own.numbers },
    orderedPairs: [...sharedRules.orderedPairs, ...(own.orderedPairs ?? [])],
    notAfterToday: { ...sharedRules.notAfterToday, ...own.notAfterToday },
  };
}
const defaultTextRule: TextRule = { max: 500 };
const maxListItems = 50;
const earliestYear = 1800;
const latestYear = 2100;
const maxProblemsReported = 100;

const ruleOf = <R>(rules: Record<string, R>, owner: string, field: string): R | undefined => rules[`${owner}.${field}`] ?? rules[field];
const quoted = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/** A Date or DateTime argument as its ISO text, which sorts as it orders within the years allowed. */
const temporalText = (value: unknown) => String(value);

function checkScalar(rules: FieldRules, owner: string, property: PropertyModel, value: unknown, path: string, problems: Problem[]): void {
  if (value === null || value === undefined) return;
  const problem = (message: string): void => void problems.push({ field: path, message });
  if (typeof value === "string" && (property.type === "String" || property.type === "ID")) {
    if (value.trim() === "") return problem(property.required ? "is required and must not be blank" : "must not be blank: leave it out or set it to null");
    const rule = ruleOf(rules.text, owner, property.name) ?? defaultTextRule;
    if (rule.max !== undefined && value.length > rule.max) return problem(`must be at most ${rule.max} characters; it has ${value.length}`);
    if (rule.pattern && !rule.pattern.test(value)) return problem(`must be ${rule.expected}; it was ${quoted(value)}`);
    return;
  }
  if (typeof value === "number") {
    const rule = ruleOf(rules.numbers, owner, property.name);
    if (rule && (value < rule.min || value > rule.max)) problem(`must be between ${rule.min} and ${rule.max}; it was ${value}`);
    return;
  }
  if (property.type === "Date" || property.type === "DateTime") {
    const year = Number(/^([+-]?\d+)-/.exec(temporalText(value))?.[1]);
    if (!(year >= earliestYear && year <= latestYear))
      return problem(`must be a date between the years ${earliestYear} and ${latestYear}; it was ${temporalText(value)}`);
    const why = rules.notAfterToday?.[`${owner}.${property.name}`];
    const today = new Date().toISOString().slice(0, 10);
    if (why && temporalText(value).slice(0, 10) > today) problem(`must be today (${today}) or earlier: ${why}; it was ${temporalText(value)}`);
  }
}

function checkValue(rules: FieldRules, owner: string, property: PropertyModel, value: unknown, path: string, problems: Problem[]): void {
  if (!property.list || !Array.isArray(value)) return checkScalar(rules, owner, property, value, path, problems);
  if (value.length > maxListItems) problems.push({ field: path, message: `must have at most ${maxListItems} items; it has ${value.length}` });
  value.forEach((item, i) => checkScalar(rules, owner, property, item, `${path}[${i}]`, problems));
}

/**
 * The properties of one object written by a create (`{ name: "x" }`) or changed by an update
 * (`{ name: { set: "x" } }`), checked one by one and in their ordered pairs.
 */
function checkProperties(
  rules: FieldRules,
  owner: string,
  properties: Map<string, PropertyModel>,
  written: { value: Input; path: string },
  mode: "create" | "update",
  problems: Problem[],
): void {
  const values = new Map<string, { value: unknown; path: string }>();
  for (const [key, raw] of Object.entries(written.value)) {
    const property = properties.get(key);
    if (!property) continue;
    const path = `${written.path}.${key}`;
    if (mode === "create") {
      values.set(key, { value: raw, path });
      checkValue(rules, owner, property, raw, path, problems);
      continue;
    }
    if (typeof raw !== "object" || raw === null) continue;
    const operations = raw as Record<string, unknown>;
    if ("set" in operations) {
      if (operations["set"] === null && property.required) problems.push({ field: `${path}.set`, message: "is required and cannot be removed" });
      values.set(key, { value: operations["set"], path: `${path}.set` });
      checkValue(rules, owner, property, operations["set"], `${path}.set`, problems);
    }
    if (Array.isArray(operations["push"])) {
      operations["push"].forEach((item, i) => checkScalar(rules, owner, property, item, `${path}.push[${i}]`, problems));
    }
    if (operations["divide"] === 0) problems.push({ field: `${path}.divide`, message: "cannot divide by zero" });
  }
  for (const [first, second] of rules.orderedPairs) {
    const low = values.get(first)?.value;
    const high = values.get(second);
    if (low == null || high?.value == null) continue;
    const inOrder = typeof low === "number" && typeof high.value === "number" ? low <= high.value : temporalText(low) <= temporalText(high.value);
    if (!inOrder) problems.push({ field: high.path, message: `must not be less than ${first} (${temporalText(low)}); it was ${temporalText(high.value)}` });
  }
}

/** An id a mutation names, to be looked up; `createdBefore` when an earlier part of the same request creates it. */
interface IdReference {
  node: NodeModel;
  id: string;
  path: string;
  createdBefore: boolean;
}

const idKey = (node: NodeModel, id: string) => `${node.label}\u0000${id}`;

/** Runs one read query in the request's transaction, or on its own when there is none. */
export type QueryRunner = (cypher: string, parameters: Record<string, unknown>) => Promise<{ records: { get(key: string): unknown }[] }>;

/** A runner in the request's transaction (audit.ts puts it in `executionContext`), or on its own when there is none. */
export function queryRunnerOf(context: SubgraphContext, driver: Driver): QueryRunner {
  const transaction = context.executionContext;
  return isRequestTransaction(transaction)
    ? (cypher, parameters) => transaction.run(cypher, parameters)
    : (cypher, parameters) => driver.executeQuery(cypher, parameters, { database: context.sessionConfig?.database, routing: "READ" });
}

/** Which of the ids referred to exist, in one query: a UNION branch per label so each uses its id index. */
async function existingIds(run: QueryRunner, references: readonly IdReference[]): Promise<Set<string>> {
  const byLabel = new Map<string, Set<string>>();
  for (const r of references) byLabel.set(r.node.label, (byLabel.get(r.node.label) ?? new Set()).add(r.id));
  if (byLabel.size === 0) return new Set();
  const labels = [...byLabel.keys()];
  const cypher = labels.map((label, i) => `MATCH (n:\`${label}\`) WHERE n.id IN $ids${i} RETURN $label${i} AS label, n.id AS id`).join(" UNION ALL ");
  const parameters = Object.fromEntries(
    labels.flatMap((label, i): [string, unknown][] => [
      [`ids${i}`, [...byLabel.get(label)!]],
      [`label${i}`, label],
    ]),
  );
  const { records } = await run(cypher, parameters);
  return new Set(records.map((r) => `${r.get("label") as string}\u0000${r.get("id") as string}`));
}

/** One mutation's input problems that need no database, and the ids it names; `created` gathers the ids it creates, for the mutations after it. */
function staticProblems(
  rules: FieldRules,
  model: GraphModel,
  target: MutationTarget,
  args: Input,
  created: Set<string>,
): { problems: Problem[]; references: IdReference[] } {
  const problems: Problem[] = [];
  const references: IdReference[] = [];
  // Connecting to a node created by an earlier item of the same `input` works (they run in order), so those count as existing.
  for (const top of mutationPositions(model, target, args)) {
    const positions = flatten([top]);
    for (const position of positions) {
      if (position.fields)
        checkProperties(rules, position.node.name, position.node.properties, position.fields, position.action === "create" ? "create" : "update", problems);
      const edge = position.via?.edge;
      if (edge)
        checkProperties(
          rules,
          position.via!.relationship.type,
          position.via!.relationship.properties,
          edge,
          position.action === "update" ? "update" : "create",
          problems,
        );
      // Without a filter, a connect would link every node of the type.
      if (position.action === "connect" && Object.keys(position.filter?.value ?? {}).length === 0) {
        problems.push({ field: `${position.path}.where.node`, message: "must name the nodes to connect, for example by id" });
      }
      if (position.action !== "create") {
        for (const { id, path } of namedIds(position.filter))
          references.push({ node: position.node, id, path, createdBefore: created.has(idKey(position.node, id)) });
      }
    }
    for (const position of positions) {
      const id = position.fields?.value["id"];
      const newId = position.action === "create" ? id : (id as { set?: unknown } | undefined)?.set;
      if (typeof newId === "string") created.add(idKey(position.node, newId));
    }
  }
  // Checked against the stored other half after writing: without an id on either end that read would be the whole type's.
  for (const { position, edge, first, second, givenSecond, ids, parentIds } of halfPairUpdates(rules, model, target, args)) {
    if (ids.length > 0 || parentIds.length > 0) continue;
    problems.push({
      field: `${edge.path}.${givenSecond ? second : first}.set`,
      message: `sets ${givenSecond ? second : first} without ${givenSecond ? first : second}, which is then read from the stored relationship: name by id the ${position.node.name} (${position.path}.where.node) or the node it is updated under`,
    });
  }
  return { problems, references };
}

/** The root fields of the operation, in order, as graphql-js runs them (fragments spread, @skip and @include applied). */
function rootFields(selectionSet: SelectionSetNode, info: GraphQLResolveInfo): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (getDirectiveValues(GraphQLSkipDirective, selection, info.variableValues)?.["if"] === true) return [];
    if (getDirectiveValues(GraphQLIncludeDirective, selection, info.variableValues)?.["if"] === false) return [];
    if (selection.kind === Kind.FIELD) return [selection];
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : info.fragments[selection.name.value];
    return fragment ? rootFields(fragment.selectionSet, info) : [];
  });
}

export function invalidInput(problems: readonly Problem[]): GraphQLError {
  const reported = problems.slice(0, maxProblemsReported);
  const more = problems.length > reported.length ? `; and ${problems.length - reported.length} more` : "";
  return new GraphQLError(reported.map((p) => `${p.field}: ${p.message}`).join("; ") + more, {
    extensions: { code: "BAD_USER_INPUT", field: reported[0]!.field, problems: reported },
  });
}

/**
 * The edge updates of a mutation that give only one half of an ordered pair (`update: { edge: { until: { set } } }`),
 * with the ids that scope the relationships they change: the node's own (its `where.node`) and the
 * ones of the node above it. The other half is stored, so the pair is checked once the field has written.
 */
function halfPairUpdates(rules: FieldRules, model: GraphModel, target: MutationTarget, args: Input) {
  return withParents(mutationPositions(model, target, args)).flatMap(({ position, parent }) => {
    const edge = position.via?.edge;
    if (position.action !== "update" || !edge || !parent) return [];
    const { relationship } = position.via!;
    return rules.orderedPairs.flatMap(([first, second]) => {
      if (!relationship.properties.has(first) || !relationship.properties.has(second)) return [];
      const given = [first, second].filter((key) => (edge.value[key] as { set?: unknown } | null | undefined)?.set != null);
      if (given.length !== 1) return [];
      const ids = namedIds(position.filter).map((n) => n.id);
      const parentIds = namedIds(parent.filter).map((n) => n.id);
      return [{ position, parent, relationship, edge, first, second, givenSecond: given[0] === second, ids, parentIds }];
    });
  });
}

/**
 * Checks, in the field's transaction, the pairs an edge update gave one half of against the stored
 * other half, on the relationships between the nodes it names by id and the nodes above them (so
 * the read stays on those nodes, and a bad pair stored elsewhere is not this update's).
 */
async function storedPairProblems(run: QueryRunner, rules: FieldRules, model: GraphModel, target: MutationTarget, args: Input): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const { position, parent, relationship, edge, first, second, givenSecond, ids, parentIds } of halfPairUpdates(rules, model, target, args)) {
    const arrow = relationship.direction === "OUT" ? ["-", "->"] : ["<-", "-"];
    const { records } = await run(
      `MATCH (s:\`${parent.node.label}\`)${arrow[0]}[r:\`${relationship.type}\`]${arrow[1]}(t:\`${position.node.label}\`)
       WHERE ($parentIds IS NULL OR s.id IN $parentIds) AND ($ids IS NULL OR t.id IN $ids) AND r.\`${first}\` > r.\`${second}\`
       RETURN toString(r.\`${first}\`) AS low, toString(r.\`${second}\`) AS high LIMIT 1`,
      { ids: ids.length > 0 ? ids : null, parentIds: parentIds.length > 0 ? parentIds : null },
    );
    const record = records[0];
    if (!record) continue;
    const [low, high] = [String(record.get("low")), String(record.get("high"))];
    problems.push(
      givenSecond
        ? { field: `${edge.path}.${second}.set`, message: `must not be less than ${first} (${low}, as stored); it was ${high}` }
        : { field: `${edge.path}.${first}.set`, message: `must not be more than ${second} (${high}, as stored); it was ${low}` },
    );
  }
  return problems;
}

/**
 * Wraps the resolver of every generated mutation of the schema with the checks above. The first
 * mutation field of a request checks every mutation field of the operation, so that an invalid
 * later field stops the request before the first writes anything; each field checks itself again
 * when its turn comes, in the request's transaction (subgraph-kit/mutations/audit.ts puts it in `executionContext`), so
 * that it sees what the fields before it created.
 */
export function validateMutations(schema: GraphQLSchema, options: { model: GraphModel; driver: Driver; rules: FieldRules }): GraphQLSchema {
  const { rules } = options;
  const mutationType = schema.getMutationType();
  const targets = mutationTargets(schema, options.model);
  // One entry per request: graphql-js gives every field of one execution the same variableValues object.
  const requestsChecked = new WeakSet<object>();

  for (const [fieldName, target] of targets) {
    const field = mutationType!.getFields()[fieldName]!;
    const resolve = field.resolve as GraphQLFieldResolver<unknown, SubgraphContext>;
    field.resolve = async (source, args: Input, context: SubgraphContext, info) => {
      const run = queryRunnerOf(context, options.driver);

      const fields: { prefix: string; target: MutationTarget; args: Input }[] = [{ prefix: "", target, args }];
      if (!requestsChecked.has(info.variableValues)) {
        requestsChecked.add(info.variableValues);
        // By response key: a wrapper may hand the resolver copies of the field nodes.
        const current = String(info.path.key);
        const others = rootFields(info.operation.selectionSet, info).filter(
          (node) => (node.alias?.value ?? node.name.value) !== current && targets.has(node.name.value),
        );
        for (const node of others) {
          fields.push({
            prefix: `${node.alias?.value ?? node.name.value}.`,
            target: targets.get(node.name.value)!,
            args: getArgumentValues(mutationType!.getFields()[node.name.value]!, node, info.variableValues),
          });
        }
      }

      const created = new Set<string>();
      const checked = fields.map((f) => ({ ...f, ...staticProblems(rules, options.model, f.target, f.args, created) }));
      const references = checked.flatMap((f) => f.references.filter((r) => !r.createdBefore).map((r) => ({ ...r, prefix: f.prefix })));
      const existing = await existingIds(run, references);
      const problems = [
        ...checked.flatMap((f) => f.problems.map((p) => ({ ...p, field: f.prefix + p.field }))),
        ...references
          .filter((r) => !existing.has(idKey(r.node, r.id)))
          .map((r) => ({ field: r.prefix + r.path, message: `no ${r.node.name} has id ${JSON.stringify(r.id)}` })),
      ];
      if (problems.length > 0) throw invalidInput(problems);
      const result: unknown = await resolve(source, args, context, info);
      // Thrown in the request's transaction, so nothing the field wrote is stored.
      const stored = await storedPairProblems(run, rules, options.model, target, args);
      if (stored.length > 0) throw invalidInput(stored);
      return result;
    };
  }
  return schema;
}
