/**
 * How @neo4j/graphql's subgraph schema becomes the one a subgraph here serves: an ordered list of
 * named steps, each a function from schema to schema that leaves its input as it was, each with the
 * reason it exists. The order is the one written below and matters where a step says so.
 */
import { Neo4jGraphQL, type Neo4jGraphQLConstructor } from "@neo4j/graphql";
import type { IResolvers } from "@graphql-tools/utils";
import { mapSchema } from "@graphql-tools/utils";
import { parse, type DocumentNode, type GraphQLSchema } from "graphql";
import type { Driver } from "neo4j-driver";
import type { SubgraphName } from "../platform/config.js";
import { batchEntityResolution } from "./batched-entities.js";
import { refuseInvalidDates } from "../platform/dates.js";
import { hideStubRootFields, refreshServiceSdl, renameStubInputTypes, restoreShareableFields, shareAggregateSelections, stubTypeNames } from "./federation.js";
import { auditMutations, runMutationsInRequestTransaction } from "./mutations/audit.js";
import { graphModel, type GraphModel } from "./mutations/input.js";
import { fieldRulesWith, validateMutations, type FieldRules } from "./mutations/validation.js";
import { holdEditorsToTheirOwn, type EditorHolds } from "./mutations/editor-holds.js";
import type { SubgraphPolicy } from "./policy.js";
import { followedBySummaries } from "./mutations/summaries.js";
import { describeGeneratedFields } from "./descriptions.js";
import { boundListArguments, removeListOffsets, describeListBounds, handWrittenFields, listBoundsByType } from "./paging.js";
import { completePartialEntities, nodeTypeNames } from "./partial-entities.js";
import { subgraphTypeDefs } from "./type-defs.js";
import { serveOnePageInfo, withPageInfoStandIn } from "./page-info.js";

/** A subgraph's hand-written resolvers (typed by its generated resolver types), as @neo4j/graphql merges them over its own. */
export type SubgraphResolvers = IResolvers;

/** What the steps know of the subgraph besides its schema. */
export interface SchemaStepInput {
  /** The subgraph's type definitions, as written in schema/. */
  typeDefs: DocumentNode;
  /** The foreign entities it refers to (`@key` types with no queries of their own). */
  stubs: readonly string[];
  /** The subgraph's name with a capital, for the input types it renames. */
  prefix: string;
  model: GraphModel;
  /** The rules of the fields its mutations write: the shared ones with the subgraph's own (its policy). */
  fieldRules: FieldRules;
  /** What editors may update or delete, per node type (the subgraph's policy). */
  editorHolds: EditorHolds;
  /** For the checks and the audit of mutations: the unbounded driver (they read a few nodes each). */
  driver: Driver;
  /** What follows from a mutation's changes, in its transaction (SubgraphPolicy.followChanges). */
  followChanges: SubgraphPolicy["followChanges"];
  resolvers: SubgraphResolvers | undefined;
}

export interface SchemaStep {
  name: string;
  why: string;
  apply(schema: GraphQLSchema, input: SchemaStepInput): GraphQLSchema;
}

/**
 * A copy whose field resolvers and scalars a step may replace without touching the schema it was given.
 * Resolvers that run queries of their own run them on `info.schema`, the schema being served, so a copy
 * made early still runs its queries through the steps after it.
 */
function onACopy(change: (copy: GraphQLSchema, input: SchemaStepInput) => GraphQLSchema): SchemaStep["apply"] {
  return (schema, input) => change(mapSchema(schema, {}), input);
}

/** The lists the two list steps bound: their limits from the SDL, and which root fields are written by hand. */
const listsOf = ({ typeDefs, resolvers }: SchemaStepInput) => ({ lists: listBoundsByType(typeDefs), handWritten: handWrittenFields(resolvers) });

export const schemaSteps: readonly SchemaStep[] = [
  {
    name: "serve one page info",
    why: "@neo4j/graphql reserves the name PageInfo, so it reads the declared one under another name; the analyses' pages and the generated connections then share the generated PageInfo, with the declared descriptions.",
    apply: (schema) => serveOnePageInfo(schema),
  },
  {
    name: "share aggregate selections",
    why: "@neo4j/graphql generates the same aggregate result types in every subgraph and marks most, not all, @shareable; composition refuses the rest.",
    apply: (schema) => shareAggregateSelections(schema),
  },
  {
    name: "restore shareable fields",
    why: "@neo4j/graphql drops field-level @shareable from @node types, so a subgraph could not answer Organisation.name along with its own data.",
    apply: (schema, { typeDefs }) => restoreShareableFields(schema, typeDefs),
  },
  {
    name: "hide stub root fields",
    why: "The root fields generated for stubs serve the batched _entities, not clients, who read the type from its owner.",
    apply: (schema, { stubs, typeDefs }) => hideStubRootFields(schema, stubs, typeDefs),
  },
  {
    name: "rename stub input types",
    why: "Federation merges input types by intersection: a stub's own OrganisationWhere would shrink the supergraph's to `id`.",
    apply: (schema, { stubs, prefix }) => renameStubInputTypes(schema, stubs, prefix),
  },
  {
    name: "describe generated fields",
    why: "@neo4j/graphql's queries, mutations and list arguments have no description; the IDE's docs should say what each entry point reads or changes.",
    apply: (schema, { typeDefs }) => describeGeneratedFields(schema, typeDefs),
  },
  {
    name: "describe list bounds",
    why: "@neo4j/graphql's `limit` and `first` say nothing of their default and maximum; the IDE shows them, as the hand-written pages' descriptions do.",
    apply: onACopy((schema, input) => describeListBounds(schema, listsOf(input))),
  },
  {
    name: "one paging style",
    why: "@neo4j/graphql pages its lists by `limit` and `offset` and its connections by `first` and `after`, as the analyses do; a list's `offset` goes, for the connection beside it.",
    apply: onACopy((schema, input) => removeListOffsets(schema, listsOf(input))),
  },
  {
    name: "refresh the service SDL",
    why: "`_service { sdl }` is printed when @neo4j/graphql builds the schema; the gateway must compose the schema as the steps above left it.",
    apply: onACopy((schema) => refreshServiceSdl(schema)),
  },
  {
    name: "batch entity resolution",
    why: "@neo4j/graphql resolves each representation of `_entities` in its own query and session; one query per type serves hundreds.",
    apply: onACopy((schema) => batchEntityResolution(schema)),
  },
  {
    name: "complete partial entities",
    why: "Hand-written resolvers return the fields their Cypher read; any other field a client asks of such an entity would be null.",
    apply: onACopy((schema, { typeDefs }) => completePartialEntities(schema, nodeTypeNames(typeDefs))),
  },
  {
    name: "audit mutations",
    why: "Every change records who made it, what changed and when, in the transaction of the change (innermost, so it sees the change itself).",
    apply: onACopy((schema, { model, followChanges }) => auditMutations(schema, model, followChanges)),
  },
  {
    name: "validate mutations",
    why: "@neo4j/graphql stores blank names and silently skips a connect to an id that does not exist; the whole input is checked before anything is written.",
    apply: onACopy((schema, { model, driver, fieldRules }) => validateMutations(schema, { model, driver, rules: fieldRules })),
  },
  {
    name: "hold editors to their own",
    why: "@neo4j/graphql 7 leaves an updated node's BEFORE rule out of a nested connect, so an editor could claim another organisation's person; checked before the change, in its transaction.",
    apply: onACopy((schema, { model, driver, editorHolds }) => holdEditorsToTheirOwn(schema, { model, driver, holds: editorHolds })),
  },
  {
    name: "run mutations in the request's transaction",
    why: "A request's changes are stored all together or not at all: every mutation field runs in one write transaction that the request settles.",
    apply: onACopy((schema, { driver }) => runMutationsInRequestTransaction(schema, driver)),
  },
  {
    name: "bound list arguments",
    why: "@neo4j/graphql reads `limit: 0` as no limit, cuts more than the maximum without a word and sends negative values and forged cursors to Neo4j; last of the resolver steps, so it checks the arguments before any other reads them.",
    apply: onACopy((schema, input) => boundListArguments(schema, listsOf(input))),
  },
  {
    name: "refuse invalid dates",
    why: "@neo4j/graphql's Date scalar rolls 2024-02-30 over to 1 March; a day that does not exist is the caller's mistake, named as such.",
    apply: onACopy((schema) => refuseInvalidDates(schema)),
  },
];

export function applySchemaSteps(generated: GraphQLSchema, input: SchemaStepInput, steps: readonly SchemaStep[] = schemaSteps): GraphQLSchema {
  return steps.reduce((schema, step) => step.apply(schema, input), generated);
}

export interface SubgraphSchemaOptions {
  name: SubgraphName;
  driver: Driver;
  resolvers?: SubgraphResolvers | undefined;
  /** The subgraph's own rules (subgraphs/<name>/policy.ts); without it, only the rules every subgraph shares. */
  policy?: SubgraphPolicy | undefined;
  /** The driver the generated queries run on (subgraph-kit/operation-bounds.ts bounds it); `driver` when not given. */
  graphqlDriver?: Driver;
}

/** What the steps need to know of a subgraph, read from its type definitions. */
export function schemaStepInput(options: SubgraphSchemaOptions): SchemaStepInput {
  const typeDefs = parse(subgraphTypeDefs(options.name));
  return {
    typeDefs,
    stubs: stubTypeNames(typeDefs),
    prefix: options.name[0]!.toUpperCase() + options.name.slice(1),
    model: graphModel(typeDefs),
    fieldRules: fieldRulesWith(options.policy?.fields),
    editorHolds: options.policy?.editorHolds ?? {},
    driver: options.driver,
    // Every subgraph's mutations keep the graph's summaries (graph/summaries.ts), whatever else follows in its domain.
    followChanges: followedBySummaries(options.policy?.followChanges),
    resolvers: options.resolvers,
  };
}

/** A new API: only the current filter and mutation syntax, none of the deprecated aliases. */
export const neo4jGraphQLFeatures = {
  excludeDeprecatedFields: {
    mutationOperations: true,
    aggregationFilters: true,
    aggregationFiltersOutsideConnection: true,
    relationshipFilters: true,
    attributeFilters: true,
  },
} satisfies Neo4jGraphQLConstructor["features"];

/** @neo4j/graphql over the subgraph's type definitions, as every subgraph here configures it. */
export function neo4jGraphQLOf(options: SubgraphSchemaOptions): Neo4jGraphQL {
  return new Neo4jGraphQL({
    typeDefs: withPageInfoStandIn(subgraphTypeDefs(options.name)),
    driver: options.graphqlDriver ?? options.driver,
    features: neo4jGraphQLFeatures,
    ...(options.resolvers ? { resolvers: options.resolvers } : {}),
  });
}

/** The executable subgraph schema: @neo4j/graphql's, through every step above. */
export async function buildSubgraphSchema(options: SubgraphSchemaOptions): Promise<{ schema: GraphQLSchema; neoSchema: Neo4jGraphQL }> {
  const neoSchema = neo4jGraphQLOf(options);
  const schema = applySchemaSteps(await neoSchema.getSubgraphSchema(), schemaStepInput(options));
  return { schema, neoSchema };
}
