/**
 * Hand-offs and gaps narrowed by service, department (an organisation and those under it as at the
 * date), kind and date, through the gateway and the real subgraphs over the demo graph; and every
 * matching row as a streamed CSV file (/csv/handoffs, /csv/gaps) in pages of three, so that the
 * demo graph's few rows take several pages, read back with csv-parse.
 */
import { parse as parseCsv } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { headersFor, postGraphQL, stackForSuite, testReader, withoutRateLimit, type TestCaller } from "../test/helpers.js";

const beis = "department-for-business-energy-and-industrial-strategy";
const dbt = "department-for-business-and-trade";
const dwp = "department-for-work-pensions";
const hmrc = "hm-revenue-customs";
const startingABusiness = "starting-a-business";

const handoffsQuery = `query H($serviceId: ID, $departmentId: ID, $asAt: Date) {
  handoffs(serviceId: $serviceId, departmentId: $departmentId, asAt: $asAt, first: 500) {
    totalCount edges { node { service { id } fromStage { position } toStage { position } from { id } to { id } continuing { id } } }
  }
}`;
const gapsQuery = `query G($serviceId: ID, $departmentId: ID, $kinds: [GapKind!], $asAt: Date) {
  gaps(serviceId: $serviceId, departmentId: $departmentId, kinds: $kinds, asAt: $asAt, first: 500) {
    totalCount edges { node { kind service { id name } stage { position name } profession { name } organisation { id } } }
  }
}`;

describe("hand-offs and gaps by service, department, kind and date", () => {
  const stack = stackForSuite({ subgraphTimeoutMs: 20_000, analysisCsv: { pageSize: 3 } });
  const ask = async (query: string, variables: Record<string, unknown>, as: TestCaller | null = null) => {
    const { status, body } = await postGraphQL(stack.gateway.url, query, variables, as);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    return body.data as any;
  };
  const handoffs = async (variables: Record<string, unknown>) => (await ask(handoffsQuery, variables)).handoffs;
  const gaps = async (variables: Record<string, unknown>) => (await ask(gapsQuery, variables)).gaps;
  const organisationsOf = (h: any) => [...h.from, ...h.to, ...h.continuing].map((o: any) => o.id);

  it("keeps a department's hand-offs: in the services it owns, or where it or an organisation under it holds either stage", async () => {
    const all = await handoffs({ serviceId: startingABusiness });
    const ofDwp = await handoffs({ serviceId: startingABusiness, departmentId: dwp });
    // DWP takes over at Employ people, continues into the workplace pension, which its regulator TPR (under it) hands on.
    expect(ofDwp.edges.map((e: any) => e.node.fromStage.position)).toEqual([5, 6, 7]);
    expect(ofDwp.edges.every((e: any) => organisationsOf(e.node).some((id: string) => id === dwp || id === "the-pensions-regulator"))).toBe(true);
    expect(ofDwp.totalCount).toBeLessThan(all.totalCount);
  });

  it("reads the department's family as at the date: Companies House under BEIS in June 2022, not today", async () => {
    const then = await handoffs({ serviceId: startingABusiness, departmentId: beis, asAt: "2022-06-01" });
    expect(then.edges.some((e: any) => organisationsOf(e.node).includes("companies-house"))).toBe(true);
    const now = await handoffs({ serviceId: startingABusiness, departmentId: beis });
    expect(now.edges.some((e: any) => organisationsOf(e.node).includes("companies-house") && !organisationsOf(e.node).includes(beis))).toBe(false);
    // DBT had not opened in June 2022: nothing is its.
    expect((await handoffs({ serviceId: startingABusiness, departmentId: dbt, asAt: "2022-06-01" })).totalCount).toBe(0);
    expect((await gaps({ departmentId: dbt, asAt: "2022-06-01" })).totalCount).toBe(0);
  });

  it("keeps a department's gaps, of the kinds asked for", async () => {
    const everyKind = await gaps({ serviceId: startingABusiness, departmentId: hmrc });
    expect(everyKind.edges.map((e: any) => [e.node.kind, e.node.stage.position, e.node.profession?.name])).toEqual([
      ["MISSING_PROFESSION", 2, "Legal"],
      ["MISSING_PROFESSION", 6, "Legal"],
      ["MISSING_PROFESSION", 9, "Tax"],
    ]);
    const ofDwp = await gaps({ departmentId: dwp });
    const ofDwpMissing = await gaps({ departmentId: dwp, kinds: ["MISSING_PROFESSION"] });
    expect(ofDwpMissing.totalCount).toBe(ofDwp.edges.filter((e: any) => e.node.kind === "MISSING_PROFESSION").length);
    expect(ofDwp.totalCount).toBeLessThan((await gaps({})).totalCount);
  });

  it("refuses an unknown service or department and a date that does not exist, naming the argument", async () => {
    for (const [query, variables, argument] of [
      [handoffsQuery, { serviceId: "no-such-service" }, "serviceId"],
      [handoffsQuery, { departmentId: "no-such-department" }, "departmentId"],
      [gapsQuery, { serviceId: "no-such-service" }, "serviceId"],
      [gapsQuery, { departmentId: "no-such-department" }, "departmentId"],
      [gapsQuery, { asAt: "2022-02-30" }, "asAt"],
    ] as const) {
      const { body } = await postGraphQL(stack.gateway.url, query, variables, null);
      expect(body.errors?.[0]?.extensions?.["code"]).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message).toContain(argument);
    }
  });

  describe("every matching row as CSV", () => {
    const origin = () => stack.gateway.url.replace(/\/graphql$/, "");
    const download = async (path: string, as: TestCaller | null = null, headers: Record<string, string> = {}) => {
      const response = await fetch(`${origin()}${path}`, {
        headers: { ...(as ? { authorization: (await headersFor(as))["authorization"]! } : {}), ...headers },
      });
      const text = await response.text();
      return { response, text, rows: response.ok ? parseCsv<Record<string, string>>(text, { columns: true }) : [] };
    };

    it("holds every gap the filters match, over several pages, in the API's order", async () => {
      const api = await gaps({ departmentId: dwp });
      expect(api.totalCount).toBeGreaterThan(3 * 4);
      const { response, rows } = await download(`/csv/gaps?departmentId=${dwp}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="gaps.csv"');
      expect(response.headers.get("x-total-count")).toBe(String(api.totalCount));
      expect(rows.map((r) => [r["Service id"], r["Stage"], r["Kind"], r["Profession"]])).toEqual(
        api.edges.map((e: any) => [e.node.service.id, `${e.node.stage.position}. ${e.node.stage.name}`, e.node.kind, e.node.profession?.name ?? ""]),
      );
    });

    it("takes the service, kinds and date as the field does", async () => {
      const variables = { serviceId: startingABusiness, kinds: ["MISSING_PROFESSION", "NOBODY_WORKING"], asAt: "2022-06-01" };
      const api = await gaps(variables);
      const { rows } = await download(`/csv/gaps?serviceId=${startingABusiness}&kinds=MISSING_PROFESSION,NOBODY_WORKING&asAt=2022-06-01`);
      expect(rows).toHaveLength(api.totalCount);
      expect(new Set(rows.map((r) => r["Kind"]))).toEqual(new Set(api.edges.map((e: any) => e.node.kind)));
    });

    it("holds every hand-off, with the organisations by name", async () => {
      const api = await handoffs({});
      expect(api.totalCount).toBeGreaterThan(3);
      const { response, rows } = await download("/csv/handoffs");
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="handoffs.csv"');
      expect(rows).toHaveLength(api.totalCount);
      expect(Object.keys(rows[0]!)).toEqual(["Service", "Service id", "From stage", "To stage", "Handed over by", "Taken over by", "Continuing"]);
      expect(rows).toContainEqual(
        expect.objectContaining({ "Service id": startingABusiness, "From stage": "6. Employ people", "Taken over by": "The Pensions Regulator (TPR)" }),
      );
      const ofBeis = await download(`/csv/handoffs?serviceId=${startingABusiness}&departmentId=${beis}&asAt=2022-06-01`);
      expect(ofBeis.rows).toHaveLength((await handoffs({ serviceId: startingABusiness, departmentId: beis, asAt: "2022-06-01" })).totalCount);
    });

    it("holds what the caller may see: no one's name, with or without a token, and a bad token is refused as the API refuses it", async () => {
      const { people } = await ask("{ people(limit: 100) { name } }", {}, testReader);
      expect(people.length).toBeGreaterThan(10);
      for (const as of [null, testReader]) {
        const { text, rows } = await download("/csv/gaps", as);
        expect(rows.length).toBe((await gaps({})).totalCount);
        for (const person of people) expect(text).not.toContain(person.name);
      }
      const refused = await download("/csv/handoffs", null, { authorization: "Bearer not-a-token" });
      expect(refused.response.status).toBe(401);
      expect(JSON.parse(refused.text).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    });

    it("refuses a bad parameter with 400 naming it, before writing anything", async () => {
      for (const [path, named] of [
        ["/csv/gaps?asAt=2022-02-30", "asAt"],
        ["/csv/gaps?kinds=MISSING_PROFESSION,SOMETHING", "kinds"],
        ["/csv/handoffs?kinds=NOBODY_WORKING", "kinds"],
        ["/csv/gaps?serviceId=no-such-service", "serviceId"],
        ["/csv/handoffs?departmentId=no-such-department", "departmentId"],
        ["/csv/handoffs?departmentId=%3Cscript%3E", "departmentId"],
        ["/csv/gaps?serviceId=a&serviceId=b", "serviceId"],
        ["/csv/gaps?first=10", "first"],
      ] as const) {
        const { response, text } = await download(path);
        expect(response.status, path).toBe(400);
        const error = JSON.parse(text).errors[0];
        expect(error.extensions.code).toBe("BAD_USER_INPUT");
        expect(error.message.startsWith(`${named}:`) || error.message.startsWith(`"${named}"`), error.message).toBe(true);
      }
      expect((await download("/csv/people")).response.status).toBe(404);
    });

    it("refuses a download of more rows than a file holds, saying how to narrow it", async () => {
      const small = await stack.startGateway(withoutRateLimit(), { maxRows: 5 });
      const response = await fetch(`${small.url.replace(/\/graphql$/, "")}/csv/gaps?departmentId=${dwp}`);
      expect(response.status).toBe(400);
      const [error] = ((await response.json()) as { errors: { message: string; extensions: { code: string } }[] }).errors;
      expect(error!.extensions.code).toBe("RESULT_TOO_LARGE");
      expect(error!.message).toMatch(/^\d+ gaps match, and a file holds at most 5: narrow it with serviceId, departmentId, kinds, asAt\.$/);
      // At the limit exactly, the file is whole.
      const exact = await stack.startGateway(withoutRateLimit(), { maxRows: (await gaps({ serviceId: startingABusiness })).totalCount, pageSize: 2 });
      const whole = await fetch(`${exact.url.replace(/\/graphql$/, "")}/csv/gaps?serviceId=${startingABusiness}`);
      expect(whole.status).toBe(200);
      expect(parseCsv(await whole.text(), { columns: true })).toHaveLength((await gaps({ serviceId: startingABusiness })).totalCount);
    });
  });
});
