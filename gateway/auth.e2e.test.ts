/**
 * Authentication and roles, attacked through the running gateway and, directly, the subgraphs:
 * bad tokens, anonymous and reader callers asking for personal data, editors reaching beyond their
 * organisations, and calls that skip the gateway. Each is refused with the right status and code,
 * the servers stay up, and nothing refused is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Driver } from "neo4j-driver";
import { gatewayTokenHeader, signGatewayToken } from "../platform/caller.js";
import { createTokenVerifier } from "./auth.js";
import { overlongTokens } from "../bench/abuse/http-attacks.js";
import { postGraphQL, startStack, testAuth, testDriver, testReader, tokenFor, uniqueId, type TestCaller, type TestStack } from "../test/helpers.js";

let stack: TestStack;
let driver: Driver;
let gateway: string;

beforeAll(async () => {
  stack = await startStack();
  gateway = stack.gateway.url;
  driver = testDriver();
});

/** People the tests create, deleted afterwards so other tests' counts are not changed. */
const created: string[] = [];

afterAll(async () => {
  await driver?.executeQuery("MATCH (p:Person) WHERE p.id IN $created DETACH DELETE p", { created });
  await stack?.close();
  await driver?.close();
});

const anonymous = null;
const companiesHouseEditor: TestCaller = { sub: "test-editor", roles: ["editor"], organisations: ["companies-house"] };

async function postWithHeaders(url: string, headers: Record<string, string>, query: string) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}

async function stillServing(): Promise<void> {
  const { body } = await postGraphQL(gateway, '{ organisations(where: { id: { eq: "companies-house" } }) { name } }', {}, anonymous);
  expect(body.data).toEqual({ organisations: [{ name: "Companies House" }] });
}

const personExists = async (id: string) =>
  (await driver.executeQuery("MATCH (p:Person {id: $id}) RETURN count(p) AS n", { id })).records[0]!.get("n").toNumber() > 0;

describe("client tokens at the gateway", () => {
  const query = '{ services(where: { id: { eq: "starting-a-business" } }) { name } }';
  const withToken = (token: string) => postWithHeaders(gateway, { authorization: `Bearer ${token}` }, query);

  it("refuses forged, expired, unsigned and misaddressed tokens with 401 and says why", async () => {
    const refused = [
      { token: await tokenFor(testReader, { secret: "a-different-secret-of-at-least-32-characters" }), message: "The bearer token's signature is not valid." },
      { token: await tokenFor(testReader, { expiresAt: Math.floor(Date.now() / 1000) - 60 }), message: "The bearer token has expired." },
      { token: await tokenFor(testReader, { audience: "another-api" }), message: 'The bearer token\'s "aud" claim is not accepted here.' },
      { token: await tokenFor(testReader, { issuer: "https://someone-else.example" }), message: 'The bearer token\'s "iss" claim is not accepted here.' },
      {
        token: unsignedToken({ sub: "x", roles: ["admin"], iss: testAuth.issuer, aud: testAuth.audience, exp: Math.floor(Date.now() / 1000) + 600 }),
        message: "The bearer token is signed with an algorithm this gateway does not accept.",
      },
      { token: "not-a-jwt", message: "The bearer token is not a valid JWT." },
    ];
    for (const { token, message } of refused) {
      const { status, body } = await withToken(token);
      expect(status, message).toBe(401);
      expect(body.errors?.[0]).toMatchObject({ message, extensions: { code: "UNAUTHENTICATED" } });
      expect(body.data ?? null).toBeNull();
    }
    const basic = await postWithHeaders(gateway, { authorization: "Basic dXNlcjpwYXNz" }, query);
    expect(basic.status).toBe(401);
    expect(basic.body.errors?.[0]?.message).toBe('The Authorization header must be "Bearer <token>".');
    await stillServing();
  });

  it("refuses tokens valid for longer than the maximum age, or issued in the future, and accepts the demo tokens' 12 hours", async () => {
    const observed = await overlongTokens(gateway, testAuth);
    const tooLong = "The bearer token is valid for longer than the 24 hours this gateway accepts: ask for a new, shorter-lived one.";
    expect(observed).toEqual([
      { what: "iat a day ahead", status: 401, message: "The bearer token's \"iat\" claim is in the future: it was issued by a clock ahead of this gateway's." },
      { what: "exp in the year 3000", status: 401, message: tooLong },
      { what: "exp in the year 3000, no iat", status: 401, message: tooLong },
      { what: "valid 48 hours", status: 401, message: tooLong },
      { what: "valid 12 hours (as the demo tokens)", status: 200, message: undefined },
    ]);
    // The maximum is the deployment's: an hour refuses the 12-hour token.
    const hour = createTokenVerifier({ jwtSecret: testAuth.secret, issuer: testAuth.issuer, audience: testAuth.audience, maxTokenAgeSeconds: 3600 });
    await expect(hour(`Bearer ${await tokenFor(testReader, { expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600 })}`)).rejects.toThrow(
      "longer than the 1 hour this gateway accepts",
    );
    await stillServing();
  });

  it("accepts a good token, and RS256 tokens from a JWKS file or URL, refusing HS256 ones there", async () => {
    expect((await withToken(await tokenFor(testReader))).status).toBe(200);

    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" }] };
    const file = join(mkdtempSync(join(tmpdir(), "jwks-")), "jwks.json");
    writeFileSync(file, JSON.stringify(jwks));
    const verify = createTokenVerifier({ jwksFile: file, issuer: testAuth.issuer, audience: testAuth.audience });
    const rs256 = await new SignJWT({ roles: ["editor"], organisations: ["companies-house"] })
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setIssuer(testAuth.issuer)
      .setAudience(testAuth.audience)
      .setSubject("rs-user")
      .setExpirationTime("5m")
      .sign(privateKey);
    expect(await verify(`Bearer ${rs256}`)).toEqual({ sub: "rs-user", roles: ["reader", "editor"], organisations: ["companies-house"] });
    // An HS256 token "signed" with the public key must not pass where RS256 is expected.
    await expect(verify(`Bearer ${await tokenFor(testReader)}`)).rejects.toThrow("algorithm this gateway does not accept");

    // The same keys from a JWKS URL, as an identity provider publishes them.
    const jwksServer = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks)));
    await new Promise<void>((resolveListen) => jwksServer.listen(0, "127.0.0.1", resolveListen));
    try {
      const { port } = jwksServer.address() as AddressInfo;
      const fromUrl = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, issuer: testAuth.issuer, audience: testAuth.audience });
      expect(await fromUrl(`Bearer ${rs256}`)).toMatchObject({ sub: "rs-user" });
      const otherKey = await new SignJWT({ roles: ["admin"] })
        .setProtectedHeader({ alg: "RS256", kid: "test-key" })
        .setIssuer(testAuth.issuer)
        .setAudience(testAuth.audience)
        .setExpirationTime("5m")
        .sign((await generateKeyPair("RS256")).privateKey);
      await expect(fromUrl(`Bearer ${otherKey}`)).rejects.toThrow("The bearer token's signature is not valid.");
    } finally {
      jwksServer.close();
    }
  });
});

describe("roles", () => {
  it("shows anonymous callers public facts and counts, and no one's name", async () => {
    const { body } = await postGraphQL(
      gateway,
      `{
      journey(serviceId: "starting-a-business") { stages { stage { name } people { totalCount edges { node { name } } } } }
    }`,
      {},
      anonymous,
    );
    const stages = body.data!["journey"].stages as { people: { totalCount: number; edges: unknown[] } }[];
    expect(stages).toHaveLength(9);
    expect(stages.reduce((sum, s) => sum + s.people.totalCount, 0)).toBeGreaterThan(0);
    expect(stages.every((s) => s.people.edges.length === 0)).toBe(true);

    const people = await postGraphQL(gateway, "{ people(limit: 1) { name } }", {}, anonymous);
    expect(people.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(people.body)).not.toContain("Example");

    const search = await postGraphQL(gateway, '{ search(text: "amara") { totalCount edges { node { type name } } } }', {}, anonymous);
    expect(search.body.data!["search"].totalCount).toBe(0);
    const searchPeople = await postGraphQL(gateway, '{ search(text: "amara", types: [PERSON]) { totalCount } }', {}, anonymous);
    expect(searchPeople.body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");

    for (const query of ["{ brokers { totalCount } }", '{ path(fromId: "companies-house", toId: "hm-revenue-customs") { length } }']) {
      const refused = await postGraphQL(gateway, query, {}, anonymous);
      expect(refused.body.errors?.[0]?.extensions?.["code"], query).toBe("UNAUTHENTICATED");
    }

    const links = await postGraphQL(
      gateway,
      `{ organisationLinks(organisationId: "companies-house") { edges { node { peopleCount evidence { kind } } } } }`,
      {},
      anonymous,
    );
    const edges = links.body.data!["organisationLinks"].edges as { node: { peopleCount: number; evidence: { kind: string }[] } }[];
    expect(edges.some((e) => e.node.peopleCount > 0)).toBe(true);
    expect(edges.flatMap((e) => e.node.evidence).some((e) => e.kind === "PERSON")).toBe(false);
  });

  it("does not let anonymous callers learn names through filters or aggregations", async () => {
    const filtered = await postGraphQL(gateway, `{ communities(where: { members: { some: { name: { startsWith: "A" } } } }) { id } }`, {}, anonymous);
    const stageFilter = await postGraphQL(gateway, `{ stages(where: { people: { some: { name: { startsWith: "A" } } } }) { id } }`, {}, anonymous);
    for (const { body } of [filtered, stageFilter]) {
      // Either refused, or answered as if no name matched: never a list that depends on names.
      const rows = Object.values(body.data ?? {})[0] as unknown[] | undefined;
      expect(body.errors?.[0]?.extensions?.["code"] === "UNAUTHENTICATED" || rows?.length === 0, JSON.stringify(body)).toBe(true);
    }
    // Aggregation filters on names would give their lengths: there are none.
    for (const query of [
      `{ communities(where: { membersConnection: { aggregate: { node: { name: { shortestLength: { eq: 13 } } } } } }) { id } }`,
      `{ stages(where: { peopleConnection: { aggregate: { node: { name: { longestLength: { gt: 10 } } } } } }) { id } }`,
      // Nor are names aggregated, which would give the longest and shortest name themselves.
      `{ stages { peopleConnection { aggregate { node { name { longest shortest } } } } } }`,
    ]) {
      const { body } = await postGraphQL(gateway, query, {}, anonymous);
      expect(body.errors?.[0]?.extensions?.["code"], query).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(body.data ?? null, query).toBeNull();
    }
  });

  it("shows readers names but not contact details, which only admins and the person themself see", async () => {
    const query = `{ people(where: { id: { eq: "demo-person-01" } }) { name email phone } }`;
    const reader = await postGraphQL(gateway, query, {}, testReader);
    expect(reader.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(JSON.stringify(reader.body)).not.toContain("@");

    const names = await postGraphQL(gateway, `{ people(where: { id: { eq: "demo-person-01" } }) { name jobTitle } }`, {}, testReader);
    expect(names.body.data).toEqual({ people: [{ name: "Amara Example", jobTitle: "Service owner, Starting a Business" }] });

    const themself = await postGraphQL(gateway, query, {}, { sub: "demo-person-01", roles: ["reader"] });
    expect(themself.body.data!["people"][0]).toMatchObject({ email: "amara.example@demo.service-graph.example", phone: "020 7946 0001" });

    const admin = await postGraphQL(gateway, query, {});
    expect(admin.body.data!["people"][0].email).toBe("amara.example@demo.service-graph.example");

    // Nor letter by letter, through a filter or a sort on them.
    for (const probe of [
      `{ people(where: { email: { startsWith: "amara" } }) { id } }`,
      `{ people(where: { phone: { contains: "0001" } }) { id } }`,
      `{ people(sort: [{ email: ASC }], limit: 1) { id } }`,
      `{ communities(where: { membersConnection: { aggregate: { node: { email: { shortestLength: { lt: 100 } } } } } }) { id } }`,
    ]) {
      const { body } = await postGraphQL(gateway, probe, {}, testReader);
      expect(body.errors?.[0]?.extensions?.["code"], probe).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(body.data ?? null, probe).toBeNull();
    }
  });

  it("does not let an editor give one of their people their own subject to read the person's contact details", async () => {
    // Chidi Placeholder works for Companies House; the editor's token's subject is `test-editor`.
    const { body } = await postGraphQL(
      gateway,
      `mutation {
      updatePeople(where: { id: { eq: "demo-person-03" } }, update: { id: { set: "test-editor" } }) { people { id email phone } }
    }`,
      {},
      companiesHouseEditor,
    );
    expect(body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(JSON.stringify(body)).not.toContain("@");
    expect(await personExists("demo-person-03")).toBe(true);
    expect(await personExists("test-editor")).toBe(false);
  });

  it("lets an editor change people and responsibilities of their own organisations only", async () => {
    const create = (id: string, organisation: string) => `mutation {
      createPeople(input: [{ id: "${id}", name: "Editor Test", organisations: { connect: [{ where: { node: { id: { eq: "${organisation}" } } } }] } }]) { people { id } }
    }`;
    const own = uniqueId("own");
    const foreign = uniqueId("foreign");
    created.push(own, foreign);
    expect((await postGraphQL(gateway, create(own, "companies-house"), {}, companiesHouseEditor)).body.errors).toBeUndefined();
    expect(await personExists(own)).toBe(true);

    const refused = await postGraphQL(gateway, create(foreign, "hm-revenue-customs"), {}, companiesHouseEditor);
    expect(refused.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(await personExists(foreign)).toBe(false);

    // A person of another organisation (the Department for Business and Trade's Amara Example).
    const rename = await postGraphQL(
      gateway,
      `mutation { updatePeople(where: { id: { eq: "demo-person-01" } }, update: { jobTitle: { set: "Changed" } }) { people { id } } }`,
      {},
      companiesHouseEditor,
    );
    expect(rename.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    const stored = await driver.executeQuery("MATCH (p:Person {id: 'demo-person-01'}) RETURN p.jobTitle AS t");
    expect(stored.records[0]!.get("t")).toBe("Service owner, Starting a Business");

    const membership = await postGraphQL(
      gateway,
      `mutation { updatePeople(where: { id: { eq: "${own}" } }, update: {
      communities: [{ connect: [{ where: { node: { id: { eq: "accessibility-community" } } }, edge: { role: "member" } }] }]
    }) { people { id } } }`,
      {},
      companiesHouseEditor,
    );
    expect(membership.body.errors).toBeUndefined();

    const responsibility = (organisation: string) => `mutation { updateStages(where: { id: { eq: "sab-trade-abroad" } }, update: {
      responsibleOrganisations: [{ connect: [{ where: { node: { id: { eq: "${organisation}" } } }, edge: { lane: SUPPORT } }] }]
    }) { stages { id } } }`;
    const before = await responsibleFor("sab-trade-abroad");
    const other = await postGraphQL(gateway, responsibility("hm-revenue-customs"), {}, companiesHouseEditor);
    expect(other.body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect(await responsibleFor("sab-trade-abroad")).toEqual(before);
    expect((await postGraphQL(gateway, responsibility("companies-house"), {}, companiesHouseEditor)).body.errors).toBeUndefined();
    expect(await responsibleFor("sab-trade-abroad")).toContain("companies-house");
    await driver.executeQuery("MATCH (:Organisation {id: 'companies-house'})-[r:RESPONSIBLE_FOR]->(:Stage {id: 'sab-trade-abroad'}) DELETE r");
  });

  it("answers each caller as themself when identical queries are in flight at once", async () => {
    const query = `{ people(where: { id: { eq: "demo-person-01" } }) { name } }`;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postGraphQL(gateway, query, {}, i % 2 ? testReader : anonymous)));
    answers.forEach(({ body }, i) => {
      if (i % 2) expect(body.data).toEqual({ people: [{ name: "Amara Example" }] });
      else expect(JSON.stringify(body)).not.toContain("Amara");
    });
  });

  it("refuses changes from readers and anonymous callers, and organisation changes from editors", async () => {
    const rename = `mutation { updateOrganisations(where: { id: { eq: "companies-house" } }, update: { name: { set: "Renamed" } }) { organisations { name } } }`;
    expect((await postGraphQL(gateway, rename, {}, anonymous)).body.errors?.[0]?.extensions?.["code"]).toBe("UNAUTHENTICATED");
    expect((await postGraphQL(gateway, rename, {}, testReader)).body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    expect((await postGraphQL(gateway, rename, {}, companiesHouseEditor)).body.errors?.[0]?.extensions?.["code"]).toBe("FORBIDDEN");
    await stillServing();
  });
});

describe("subgraphs called directly", () => {
  it("refuses every request the gateway did not sign, _entities included", async () => {
    const url = stack.subgraphs.people.running.url;
    const entities = `{ _entities(representations: [{ __typename: "Person", id: "demo-person-01" }]) { ... on Person { name email } } }`;
    const attempts: [string, Record<string, string>][] = [
      ["no header", {}],
      ["a client token instead", { authorization: `Bearer ${await tokenFor({ sub: "x", roles: ["admin"] })}` }],
      [
        "a header signed with another secret",
        { [gatewayTokenHeader]: await signGatewayToken({ roles: ["admin", "editor", "reader"], organisations: [] }, "another-secret-another-secret-another") },
      ],
      ["a header that is not a JWT", { [gatewayTokenHeader]: "admin" }],
    ];
    for (const [what, headers] of attempts) {
      const { status, body } = await postWithHeaders(url, headers, entities);
      expect(status, what).toBe(401);
      expect(body.errors?.[0]?.extensions?.code, what).toBe("UNAUTHENTICATED");
      expect(body.errors?.[0]?.message, what).toMatch(/^This subgraph answers only the gateway/);
      expect(JSON.stringify(body), what).not.toContain("Amara");
    }
    // The gateway's own calls still work.
    const { body } = await postGraphQL(gateway, `{ people(where: { id: { eq: "demo-person-01" } }) { name } }`, {}, testReader);
    expect(body.data).toEqual({ people: [{ name: "Amara Example" }] });
  });
});

async function responsibleFor(stageId: string): Promise<string[]> {
  const result = await driver.executeQuery("MATCH (o:Organisation)-[:RESPONSIBLE_FOR]->(:Stage {id: $stageId}) RETURN o.id AS id ORDER BY id", { stageId });
  return result.records.map((r) => r.get("id") as string);
}

/** A JWT with `alg: none`: no signature at all. */
function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}
