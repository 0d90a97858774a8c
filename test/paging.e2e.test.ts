/**
 * Paging through the gateway loses nothing (issue 11, "Paging loses data"): every paged root field of
 * the supergraph, and one nested connection per subgraph, walked with `after: endCursor` until
 * `hasNextPage` is false: with no `first`, a small `first` and `first` at the maximum. The ids
 * seen must be unique and as many as `totalCount`, and every page but the last must be full. A
 * `first` above the maximum is refused, BAD_USER_INPUT naming it: never cut short without a word.
 *
 * The paged fields are read from schema/supergraph.graphql (those with `first`, `after` and a page
 * type with `totalCount`, `edges` and `pageInfo`, the generated connections and the analysis pages
 * alike), so a new one is walked without changing this file, or fails here until it can be.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type GraphQLField,
  type GraphQLObjectType,
} from "graphql";
import { describe, expect, it } from "vitest";
import { listBoundsByType, type ListBounds } from "../subgraph-kit/paging.js";
import { repoRoot, supergraphPath } from "../platform/paths.js";
import { postGraphQL, stackForSuite } from "./helpers.js";

const supergraph = buildSchema(readFileSync(supergraphPath, "utf8"), { assumeValidSDL: true });
const inaccessible = (item: { astNode?: { directives?: readonly { name: { value: string } }[] } | null | undefined }) =>
  item.astNode?.directives?.some((d) => d.name.value === "inaccessible") ?? false;

/** The subgraph that resolves a field: its @join__field's graph. */
function graphOf(field: GraphQLField<unknown, unknown>): string {
  const join = field.astNode?.directives?.find((d) => d.name.value === "join__field");
  const graph = join?.arguments?.find((a) => a.name.value === "graph")?.value;
  if (graph?.kind !== Kind.ENUM) throw new Error(`Query.${field.name} has no @join__field(graph:)`);
  return graph.value.toLowerCase();
}

/** Each subgraph's @limit bounds of its @node types, as subgraph-kit/paging.ts applies them. */
const boundsByGraph = new Map<string, Map<string, ListBounds>>();
function nodeBounds(graph: string, type: string): ListBounds | undefined {
  if (!boundsByGraph.has(graph)) boundsByGraph.set(graph, listBoundsByType(parse(readFileSync(join(repoRoot, "schema", `${graph}.graphql`), "utf8"))));
  return boundsByGraph.get(graph)!.get(type);
}

/**
 * The fields that tell one node from another: its id, with its kind where it has one (a search hit's
 * id is unique within its type); a node without an id, every scalar and the id of every single
 * object it points to (a hand-off is its service and its two stages).
 */
function identitySelection(type: GraphQLObjectType): string {
  const fields = Object.values(type.getFields()).filter(
    (f) => !inaccessible(f) && !f.args.some((a) => isNonNullType(a.type)) && !isListType(isNonNullType(f.type) ? f.type.ofType : f.type),
  );
  if (type.getFields()["id"]) {
    return ["id", ...fields.filter((f) => isNonNullType(f.type) && isEnumType(getNamedType(f.type))).map((f) => f.name)].join(" ");
  }
  return fields
    .flatMap((f) => {
      const named = getNamedType(f.type);
      if (isLeafType(named)) return [f.name];
      return isObjectType(named) && named.getFields()["id"] ? [`${f.name} { id }`] : [];
    })
    .join(" ");
}

interface PagedField {
  name: string;
  graph: string;
  nodeType: GraphQLObjectType;
  /** The size `first` unset gives, and the most it may be. */
  defaultSize: number;
  max: number;
  requiredArguments: string[];
}

/** Values for the required arguments of paged fields: ones with long answers on the demo graph. */
const requiredArgumentValues: Record<string, string> = {
  "changes.from": `"2000-01-01"`,
  "organisationLinks.organisationId": `"cabinet-office"`,
  "search.text": `"de"`,
  "serviceCounts.by": "THEME",
  "servicesIn.by": "PHASE",
  "servicesIn.key": `"beta"`,
  "stagePeople.stageId": `"sab-check-you-can-start"`,
};
/** Arguments that give a paged field a longer answer to walk. */
const extraArguments: Record<string, string> = {
  organisationLinks: "includeChildren: true",
};

const isPageType = (type: GraphQLObjectType) => ["totalCount", "edges", "pageInfo"].every((name) => type.getFields()[name]);

function pagedFields(): { walked: PagedField[]; unwalkable: string[] } {
  const walked: PagedField[] = [];
  const unwalkable: string[] = [];
  for (const field of Object.values(supergraph.getQueryType()!.getFields())) {
    if (inaccessible(field) || !field.args.some((a) => a.name === "first") || !field.args.some((a) => a.name === "after")) continue;
    const page = getNamedType(field.type);
    if (!isObjectType(page) || !isPageType(page)) {
      unwalkable.push(`${field.name}: ${page.name} has no totalCount, edges and pageInfo`);
      continue;
    }
    const edge = getNamedType(page.getFields()["edges"]!.type) as GraphQLObjectType;
    const nodeType = getNamedType(edge.getFields()["node"]!.type) as GraphQLObjectType;
    const graph = graphOf(field);
    const declared = field.args.find((a) => a.name === "first")!.defaultValue;
    const documentedMax = /at most ([\d,]+)\)/.exec(field.description ?? "")?.[1]?.replace(/,/g, "");
    const bounds = nodeBounds(graph, nodeType.name);
    const requiredArguments = field.args
      .filter((a) => isNonNullType(a.type) && a.defaultValue === undefined)
      .map((a) => `${a.name}: ${requiredArgumentValues[`${field.name}.${a.name}`] ?? "undefined"}`);
    if (requiredArguments.some((a) => a.endsWith(": undefined"))) {
      unwalkable.push(`${field.name}: give its required arguments a value in requiredArgumentValues (${requiredArguments.join(", ")})`);
    } else if (documentedMax && typeof declared === "number") {
      walked.push({ name: field.name, graph, nodeType, defaultSize: declared, max: Number(documentedMax), requiredArguments });
    } else if (bounds && declared === undefined) {
      walked.push({ name: field.name, graph, nodeType, defaultSize: bounds.default, max: bounds.max, requiredArguments });
    } else {
      unwalkable.push(`${field.name}: neither a generated connection of a @node type nor an analysis page documenting "(… at most N)"`);
    }
  }
  return { walked, unwalkable };
}

const { walked, unwalkable } = pagedFields();

interface Page {
  totalCount: number;
  edges: { cursor: string; node: Record<string, unknown> }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface Walk {
  keys: string[];
  totalCounts: number[];
  pageSizes: number[];
}

/** A small `first` that still takes several pages, but no more than about 25 for a long list. */
const smallFirst = (totalCount: number) => (totalCount <= 14 ? 3 : Math.min(97, Math.max(7, Math.ceil(totalCount / 25))));

describe("paging through the gateway: every connection walked to its end gives totalCount distinct items", () => {
  const stack = stackForSuite();

  /** One page of the document, from the default gateway unless another is given; throws with any errors. */
  async function page(document: string, pick: (data: Record<string, any>) => Page, after: string | null): Promise<Page> {
    const { status, body } = await postGraphQL(stack.gateway.url, document, { after });
    if (body.errors || status !== 200) throw new Error(`status ${status}: ${JSON.stringify(body.errors)}\n${document}`);
    return pick(body.data!);
  }

  /**
   * Walks a connection from the start, `first` items a page (the default when undefined), until
   * hasNextPage is false; every page but the last must hold `size` items. Walked again (at most twice
   * more) if totalCount changed on the way, as it may while other tests write to the shared database.
   */
  async function walk(
    document: string,
    pick: (data: Record<string, any>) => Page,
    key: (node: Record<string, unknown>) => string,
    size: number,
  ): Promise<Walk> {
    for (let attempt = 1; ; attempt++) {
      const result: Walk = { keys: [], totalCounts: [], pageSizes: [] };
      let after: string | null = null;
      for (;;) {
        const current = await page(document, pick, after);
        result.keys.push(...current.edges.map((e) => key(e.node)));
        result.totalCounts.push(current.totalCount);
        result.pageSizes.push(current.edges.length);
        if (!current.pageInfo.hasNextPage) break;
        // A page cut short while more follow would be a page that loses items: stop and report it.
        expect(current.edges.length, `page ${result.pageSizes.length} of ${document}`).toBe(size);
        expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)!.cursor);
        after = current.pageInfo.endCursor;
        if (result.pageSizes.length > current.totalCount / size + 2) throw new Error(`more pages than totalCount ${current.totalCount} allows: ${document}`);
      }
      if (new Set(result.totalCounts).size === 1 || attempt === 3) return result;
    }
  }

  /** A page above the maximum is refused whole, before any subgraph is asked, naming `first` and its maximum. */
  async function expectRefused(document: string, max: number) {
    const { status, body } = await postGraphQL(stack.gateway.url, document, { after: null });
    expect(status).toBe(400);
    expect(body.data ?? null, "a refusal answers no page").toBeNull();
    expect(body.errors?.map((e) => [e.extensions?.["code"], e.extensions?.["argument"]])).toEqual([["BAD_USER_INPUT", "first"]]);
    expect(body.errors?.[0]?.message).toContain(`must be from 0 to ${max.toLocaleString("en-GB")}`);
  }

  function expectComplete(result: Walk, size: number, label: string) {
    const totalCount = result.totalCounts[0]!;
    expect(new Set(result.totalCounts), `${label}: totalCount on every page`).toEqual(new Set([totalCount]));
    expect(result.keys.length - new Set(result.keys).size, `${label}: items seen twice`).toBe(0);
    expect(result.keys.length, `${label}: items seen, of totalCount ${totalCount}`).toBe(totalCount);
    expect(
      result.pageSizes.slice(0, -1).every((s) => s === size),
      `${label}: full pages before the last (${result.pageSizes.join(", ")})`,
    ).toBe(true);
    expect(result.pageSizes.length, `${label}: pages`).toBe(Math.max(1, Math.ceil(totalCount / size)));
  }

  it("finds the paged root fields in the supergraph, and can walk each", () => {
    expect(unwalkable).toEqual([]);
    expect(walked.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        "organisationsConnection",
        "peopleConnection",
        "servicesConnection",
        "stagesConnection",
        "handoffs",
        "gaps",
        "servicesByHandoffs",
        "stagePeople",
        "auditTrail",
      ]),
    );
  });

  describe.each(walked.map((field) => [field.name, field] as const))("%s", (_name, field) => {
    const identity = identitySelection(field.nodeType);
    const key = (node: Record<string, unknown>) => JSON.stringify(node);
    const fieldArguments = (first: number | undefined) =>
      [...field.requiredArguments, extraArguments[field.name], first === undefined ? undefined : `first: ${first}`, "after: $after"].filter(Boolean).join(", ");
    const document = (first: number | undefined) =>
      `query Walk($after: String) { page: ${field.name}(${fieldArguments(first)}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${identity} } } } }`;
    const pick = (data: Record<string, any>) => data["page"] as Page;

    it(`no first: pages of ${field.defaultSize}`, async () => {
      const result = await walk(document(undefined), pick, key, field.defaultSize);
      expectComplete(result, field.defaultSize, `${field.name} with no first`);
    });

    it("a small first", async () => {
      const totalCount = (await page(document(1), pick, null)).totalCount;
      const first = smallFirst(totalCount);
      expectComplete(await walk(document(first), pick, key, first), first, `${field.name}(first: ${first})`);
    });

    it(`first at the maximum, ${field.max}, and refused above it`, async () => {
      await expectRefused(document(field.max + 1), field.max);
      expectComplete(await walk(document(field.max), pick, key, field.max), field.max, `${field.name}(first: ${field.max})`);
    });
  });

  /** One relationship connection per subgraph, on a node with one of the longest lists of the demo graph. */
  const nested = [
    { graph: "organisations", root: "organisations", id: "cabinet-office", connection: "childrenConnection", node: "Organisation" },
    { graph: "people", root: "communities", id: "starting-a-business-community", connection: "membersConnection", node: "Person" },
    { graph: "services", root: "services", id: "get-undergraduate-student-loan", connection: "stagesConnection", node: "Stage" },
  ];

  describe.each(nested.map((n) => [`${n.root}.${n.connection} of ${n.id}`, n] as const))("%s", (_name, n) => {
    const bounds = nodeBounds(n.graph, n.node)!;
    const document = (first: number | undefined) =>
      `query Walk($after: String) { parent: ${n.root}(where: { id: { eq: "${n.id}" } }, limit: 1) { ${n.connection}(${first === undefined ? "" : `first: ${first}, `}after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }`;
    const pick = (data: Record<string, any>) => {
      expect(data["parent"]).toHaveLength(1);
      return data["parent"][0][n.connection] as Page;
    };
    const key = (node: Record<string, unknown>) => String(node["id"]);

    it("walked with no first, a small first and first at the maximum, and refused above it", async () => {
      const totalCount = (await page(document(1), pick, null)).totalCount;
      // At least two pages of the small size, so the cursor is followed.
      expect(totalCount).toBeGreaterThan(6);
      const small = Math.min(7, Math.floor(totalCount / 2));
      expectComplete(await walk(document(undefined), pick, key, bounds.default), bounds.default, `${n.connection} with no first`);
      expectComplete(await walk(document(small), pick, key, small), small, `${n.connection}(first: ${small})`);
      await expectRefused(document(bounds.max + 1), bounds.max);
      expectComplete(await walk(document(bounds.max), pick, key, bounds.max), bounds.max, `${n.connection}(first: ${bounds.max})`);
    });
  });
});
