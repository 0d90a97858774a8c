/**
 * One paging style and one page-info type, through the gateway with the real servers: the analyses'
 * pages and the generated connections page alike (`first`, `after`) and share `PageInfo`, and the
 * generated lists take no `offset`: the connection beside each list pages.
 */
import { describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite } from "../test/helpers.js";

interface IntrospectedField {
  name: string;
  args: { name: string; isDeprecated?: boolean; deprecationReason?: string | null }[];
  type: { name: string | null; ofType: { name: string | null } | null };
}

const page = "fragment Page on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

describe("one paging style", () => {
  const stack = stackForSuite();
  const ask = async (query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await postGraphQL(stack.gateway.url, query, variables);
    expect(body.errors, query).toBeUndefined();
    expect(status).toBe(200);
    return body.data as Record<string, any>;
  };
  const fields = async (includeDeprecated: boolean) => {
    const data = await ask(
      `query ($d: Boolean!) { __schema { types { name fields { name args(includeDeprecated: $d) { name isDeprecated deprecationReason } type { name ofType { name } } } } } }`,
      { d: includeDeprecated },
    );
    return (data["__schema"].types as { name: string; fields: IntrospectedField[] | null }[]).filter((t) => !t.name.startsWith("__"));
  };

  it("has one page-info type, PageInfo, for the analyses' pages and the generated connections", async () => {
    const types = await fields(false);
    expect(types.map((t) => t.name)).not.toContain("AnalysisPageInfo");
    const pageInfoTypes = new Set(types.flatMap((t) => (t.fields ?? []).filter((f) => f.name === "pageInfo").map((f) => f.type.ofType?.name ?? f.type.name)));
    expect(pageInfoTypes).toEqual(new Set(["PageInfo"]));
    const pages = types.filter((t) => t.fields?.some((f) => f.name === "pageInfo")).map((t) => t.name);
    expect(pages).toEqual(
      expect.arrayContaining(["HandoffPage", "BrokerPage", "OrganisationLinkPage", "OrganisationsConnection", "OrganisationChildrenConnection"]),
    );
    const described = await ask(`{ __type(name: "PageInfo") { description fields { name description } } }`);
    expect(described["__type"].description).toMatch(/pass `endCursor` as `after`/);
    expect(described["__type"].fields.every((f: { description: string | null }) => (f.description ?? "").length > 0)).toBe(true);
  });

  it("pages an analysis and a generated connection alike, with one fragment on PageInfo", async () => {
    const query = `query ($after: String, $afterOrganisation: String) {
      handoffs(first: 2, after: $after) { totalCount edges { cursor node { fromStage { id } toStage { id } } } pageInfo { ...Page } }
      organisationsConnection(first: 2, after: $afterOrganisation, sort: [{ id: ASC }]) { totalCount edges { cursor node { id } } pageInfo { ...Page } }
    } ${page}`;
    const first = await ask(query);
    const second = await ask(query, { after: first["handoffs"].pageInfo.endCursor, afterOrganisation: first["organisationsConnection"].pageInfo.endCursor });
    for (const field of ["handoffs", "organisationsConnection"]) {
      expect(first[field].totalCount, field).toBeGreaterThan(4);
      expect(first[field].pageInfo, field).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(first[field].pageInfo.startCursor).toBe(first[field].edges[0].cursor);
      expect(first[field].pageInfo.endCursor).toBe(first[field].edges[1].cursor);
      expect(second[field].pageInfo, field).toMatchObject({ hasNextPage: true });
      expect(second[field].edges, field).toHaveLength(2);
      expect(JSON.stringify(second[field].edges.map((e: { node: unknown }) => e.node))).not.toBe(
        JSON.stringify(first[field].edges.map((e: { node: unknown }) => e.node)),
      );
    }
    const ids = [...first["organisationsConnection"].edges, ...second["organisationsConnection"].edges].map((e: { node: { id: string } }) => e.node.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });

  it("has no offset: every generated list has a connection beside it that pages by first and after", async () => {
    const all = await fields(true);
    expect(all.flatMap((t) => (t.fields ?? []).filter((f) => f.args.some((a) => a.name === "offset")).map((f) => `${t.name}.${f.name}`))).toEqual([]);
    for (const [type, list] of [
      ["Query", "organisations"],
      ["Organisation", "children"],
    ] as const) {
      const connection = all.find((t) => t.name === type)!.fields!.find((f) => f.name === `${list}Connection`);
      expect(
        connection?.args.map((a) => a.name),
        `${type}.${list}Connection`,
      ).toEqual(expect.arrayContaining(["first", "after"]));
    }
    const described = await ask(`{ __type(name: "Query") { fields { name description args { name description } } } }`);
    const organisations = described["__type"].fields.find((f: { name: string }) => f.name === "organisations");
    expect(organisations.description).toMatch(/`organisationsConnection`/);
    expect(organisations.args.find((a: { name: string }) => a.name === "limit").description).toMatch(
      /at most 1,000; more is refused\. To page through them, use `organisationsConnection`/,
    );
  });

  it("refuses an offset, naming the argument", async () => {
    const { status, body } = await postGraphQL(stack.gateway.url, "{ organisations(limit: 2, offset: 2) { id } }");
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/Unknown argument "offset" on field "Query\.organisations"/);
  });
});
