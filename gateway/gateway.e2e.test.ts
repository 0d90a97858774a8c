import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite, startStack, type TestStack } from "../test/helpers.js";
import { exampleOperations } from "./gateway.js";

const journeyTrace = exampleOperations().find((o) => o.name === "journey-trace")!.query;

interface TraceStage {
  position: number;
  name: string;
  responsibleOrganisationsConnection: {
    edges: { properties: { lane: string }; node: { id: string; name: string; department: { id: string } | null; successors: { id: string }[] } }[];
  };
  peopleConnection: {
    edges: {
      properties: { role: string };
      node: { name: string; professions: { name: string }[]; organisations: { id: string }[]; communitiesConnection: { edges: { node: { name: string } }[] } };
    }[];
  };
}

/** Internal detail that must never reach a client. */
function expectNothingInternal(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|https?:\/\/|stacktrace|MATCH \(|Neo4jError|ECONNREFUSED/);
}

describe("gateway over the three subgraphs", () => {
  const stack = stackForSuite();

  describe("the journey trace of Starting a Business", () => {
    let stages: TraceStage[];

    beforeAll(async () => {
      const { status, body } = await postGraphQL(stack.gateway.url, journeyTrace, { serviceId: "starting-a-business" });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      stages = body.data?.["services"][0].stages;
    });

    it("gives the nine stages in the order a person meets them", () => {
      expect(stages.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(stages[0]?.name).toBe("Check you can start a business");
      expect(stages[8]?.name).toBe("Trade abroad");
    });

    it("reaches every organisation of the original service community", () => {
      const reached = new Set(stages.flatMap((s) => s.responsibleOrganisationsConnection.edges.map((e) => e.node.id)));
      for (const id of [
        "hm-revenue-customs",
        "department-for-work-pensions",
        "department-for-business-energy-and-industrial-strategy",
        "department-for-education",
        "companies-house",
        "department-for-international-trade",
        "the-pensions-regulator",
        "british-business-bank",
      ])
        expect(reached, id).toContain(id);
    });

    it("names each responsible organisation's department from the organisations subgraph", () => {
      const regulator = stages[6]!.responsibleOrganisationsConnection.edges.find((e) => e.node.id === "the-pensions-regulator");
      expect(regulator?.node.department?.id).toBe("department-for-work-pensions");
      expect(regulator?.properties.lane).toBe("FRONTSTAGE");
    });

    it("keeps the closed departments linked to their successors", () => {
      const all = stages.flatMap((s) => s.responsibleOrganisationsConnection.edges.map((e) => e.node));
      const beis = all.find((o) => o.id === "department-for-business-energy-and-industrial-strategy");
      expect(beis?.successors.map((s) => s.id).sort()).toEqual([
        "department-for-business-and-trade",
        "department-for-energy-security-and-net-zero",
        "department-for-science-innovation-and-technology",
      ]);
      expect(all.find((o) => o.id === "department-for-international-trade")?.successors).toEqual([
        { id: "department-for-business-and-trade", name: "Department for Business and Trade" },
      ]);
    });

    it("shows who works on every stage, with role, profession, organisation and communities", () => {
      for (const stage of stages) {
        expect(stage.peopleConnection.edges.length, stage.name).toBeGreaterThan(0);
        for (const { properties, node } of stage.peopleConnection.edges) {
          expect(properties.role).toBeTruthy();
          expect(node.professions.length).toBeGreaterThan(0);
          expect(node.organisations.length).toBeGreaterThan(0);
          expect(node.communitiesConnection.edges.map((e) => e.node.name)).toContain("Starting a Business service community");
        }
      }
    });
  });

  it("gives a person's stages with their role on each, across subgraphs", async () => {
    const { body } = await postGraphQL(
      stack.gateway.url,
      `{ people(where: { id: { eq: "demo-person-05" } }) { name stageRoles { role stageName position serviceName } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.["people"]).toEqual([
      {
        name: "Eitan Mockingbird",
        stageRoles: [
          { role: "tax specialist", stageName: "Choose a business structure", position: 2, serviceName: "Starting a Business" },
          { role: "tax specialist", stageName: "Register for taxes", position: 4, serviceName: "Starting a Business" },
        ],
      },
    ]);
  });

  it("gives an empty list for an unknown service, not an error", async () => {
    const { status, body } = await postGraphQL(stack.gateway.url, journeyTrace, { serviceId: "no-such-service" });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { services: [] } });
  });

  it.each([
    ["a syntax error", "{ services { name ", /Syntax Error/],
    ["an unknown field", "{ services { nickname } }", /Cannot query field "nickname" on type "Service"/],
    ["a wrongly typed variable", "query ($id: ID!) { services(where: { id: { eq: $id } }) { name } }", /Variable "\$id"/],
  ])("answers %s with a clear error and stays up", async (_, query, message) => {
    const { status, body } = await postGraphQL(stack.gateway.url, query, { id: { not: "an id" } });
    expect(status).toBeGreaterThanOrEqual(200);
    expect(body.errors?.[0]?.message).toMatch(message);
    expectNothingInternal(body);
    expect((await fetch(stack.gateway.url.replace("/graphql", "/healthcheck"))).status).toBe(200);
  });

  it("answers /healthcheck and /readiness", async () => {
    expect((await fetch(stack.gateway.url.replace("/graphql", "/healthcheck"))).status).toBe(200);
    expect((await fetch(stack.gateway.url.replace("/graphql", "/readiness"))).status).toBe(200);
  });

  it("serves a GraphQL IDE that loads nothing from outside and offers the journey trace", async () => {
    const response = await fetch(stack.gateway.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Service Graph</title>");
    expect(html).toContain("query JourneyTrace");
    // Every script and stylesheet is inline or local: none comes from a CDN.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:/i);
  });

  it("gives partial data and an error while a subgraph is down, and uses it again once it is back", async () => {
    const query = `{ organisations(where: { id: { eq: "companies-house" } }) { name people { name } } }`;
    await stack.stopSubgraph("people");
    const down = await postGraphQL(stack.gateway.url, query);
    expect(down.body.data?.["organisations"]).toEqual([{ name: "Companies House", people: null }]);
    expect(down.body.errors?.[0]?.extensions?.["code"]).toBe("SUBGRAPH_UNAVAILABLE");
    expectNothingInternal(down.body);

    await stack.restartSubgraph("people");
    const back = await postGraphQL(stack.gateway.url, query);
    expect(back.body.errors).toBeUndefined();
    expect(back.body.data?.["organisations"][0].people.map((p: { name: string }) => p.name)).toEqual(["Chidi Placeholder", "Dana Testcase"]);
  });
});

describe("gateway with a subgraph that accepts requests and never answers", () => {
  let hung: Server;
  let stack: TestStack;

  beforeAll(async () => {
    hung = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", () => resolve()));
    const port = (hung.address() as AddressInfo).port;
    stack = await startStack({ urlOverrides: { people: `http://127.0.0.1:${port}/graphql` } });
  });

  afterAll(async () => {
    await stack.close();
    hung.closeAllConnections();
    hung.close();
  });

  it("gives the rest of the data and a timeout error within the subgraph timeout (5 s), not a hang", async () => {
    const started = Date.now();
    const { body } = await postGraphQL(stack.gateway.url, `{ organisations(where: { id: { eq: "companies-house" } }) { name people { name } } }`);
    const elapsed = Date.now() - started;
    expect(body.data?.["organisations"]).toEqual([{ name: "Companies House", people: null }]);
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("GATEWAY_TIMEOUT");
    expectNothingInternal(body);
    expect(elapsed).toBeGreaterThanOrEqual(4_900);
    expect(elapsed).toBeLessThan(10_000);
  });
});
