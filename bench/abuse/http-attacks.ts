/**
 * The HTTP attacks of issue 11 (items 5, 8 and 10's gateway parts), each a function of the gateway's
 * URL (`http://host:port/graphql`) that returns what it observed, for `npm run bench:abuse` and for
 * a look by hand. None of them changes stored data.
 */
import { SignJWT } from "jose";

const origin = (gatewayUrl: string) => new URL(gatewayUrl).origin;
const anotherSite = "https://attacker.example";

/** The client keys of the stack under attack, for the token attacks (an insider's, or a leaked secret's). */
export interface ClientKeys {
  secret: string;
  issuer: string;
  audience: string;
}

const headerNames = ["content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"] as const;

/**
 * Item 5: one request whose subgraph answers FORBIDDEN, and how many times the subgraph ran it, read
 * from the subgraph's own /metrics (`subgraph_requests_total` for the operation). Before: 3. After: 1.
 */
export async function retriedSubgraphErrors(gatewayUrl: string, options: { peopleSubgraphUrl: string }) {
  const operationName = "AbuseRetryProbe";
  const executions = async () => {
    const text = await (await fetch(options.peopleSubgraphUrl.replace(/graphql$/, "metrics"))).text();
    const line = new RegExp(`^subgraph_requests_total\\{(?=[^}]*operationName="${operationName}")[^}]*\\} (\\d+)$`, "m").exec(text);
    return Number(line?.[1] ?? 0);
  };
  const before = await executions();
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `query ${operationName} { auditTrail { edges { node { at } } } }` }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, codes: body.errors?.map((error) => error.extensions?.code), subgraphExecutions: (await executions()) - before };
}

/**
 * Item 8: a page of another site calling the API with a signed-in user's token: its preflight asking
 * for `authorization`, then the POST. Before: the origin echoed with credentials. After: no CORS headers.
 */
export async function corsFromAnotherSite(gatewayUrl: string) {
  const preflight = await fetch(gatewayUrl, {
    method: "OPTIONS",
    headers: { origin: anotherSite, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
  });
  const post = await fetch(gatewayUrl, {
    method: "POST",
    headers: { origin: anotherSite, "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  const cors = (response: Response) => ({
    status: response.status,
    allowOrigin: response.headers.get("access-control-allow-origin"),
    allowCredentials: response.headers.get("access-control-allow-credentials"),
    allowHeaders: response.headers.get("access-control-allow-headers"),
  });
  return { preflight: cors(preflight), post: cors(post) };
}

/**
 * Item 8: the security headers of every kind of answer (pages, API, health, metrics, errors, 404s).
 * Before: only the dashboard's files had nosniff. After: every answer has all four.
 */
export async function securityHeadersEverywhere(gatewayUrl: string) {
  const base = origin(gatewayUrl);
  const json = { "content-type": "application/json" };
  const requests: [string, string, RequestInit][] = [
    ["dashboard page", `${base}/dashboard`, {}],
    ["dashboard script", `${base}/dashboard/dashboard.js`, {}],
    ["dashboard 404", `${base}/dashboard/no-such-file`, {}],
    ["IDE (or its refusal)", gatewayUrl, { headers: { accept: "text/html" } }],
    ["GraphQL answer", gatewayUrl, { method: "POST", headers: json, body: JSON.stringify({ query: "{ __typename }" }) }],
    ["GraphQL 415", gatewayUrl, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }],
    ["healthcheck", `${base}/healthcheck`, {}],
    ["readiness", `${base}/readiness`, {}],
    ["metrics", `${base}/metrics`, {}],
    ["404", `${base}/no-such-page`, {}],
  ];
  const answers = [];
  for (const [what, url, init] of requests) {
    const response = await fetch(url, init);
    await response.arrayBuffer();
    const headers = Object.fromEntries(headerNames.map((name) => [name, response.headers.get(name)]));
    answers.push({ what, status: response.status, missing: headerNames.filter((name) => !headers[name]), headers });
  }
  return { answers, answersMissingAHeader: answers.filter((answer) => answer.missing.length > 0).map((answer) => answer.what) };
}

/** Item 8: /metrics without its token. Before, in production: 200 and every operation's traffic. After: 404 (or 401 with a token set). */
export async function metricsWithoutToken(gatewayUrl: string) {
  const response = await fetch(`${origin(gatewayUrl)}/metrics`);
  const text = await response.text();
  return { status: response.status, servesMetrics: text.includes("graphql_gateway_http_responses_total") };
}

/** Item 8: `Content-Type: APPLICATION/JSON` (media types are case-insensitive). Before: 415. After: 200. */
export async function uppercaseMediaType(gatewayUrl: string) {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "APPLICATION/JSON; charset=UTF-8" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  return { status: response.status, body: await response.text() };
}

/** Item 10: a body that is not JSON, from a client that accepts application/json. Before: 200. After: 400. */
export async function malformedJson(gatewayUrl: string) {
  const response = await fetch(gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: '{"query": "{ __typename }"',
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Item 10: tokens signed with the right key that live too long: issued a day ahead, expiring in the
 * year 3000, valid 48 hours; and a 12-hour token like the demo ones, which must still pass.
 * Before: all 200. After: 401 with the reason, and 200 for the 12-hour one.
 */
export async function overlongTokens(gatewayUrl: string, keys: ClientKeys) {
  const now = Math.floor(Date.now() / 1000);
  const sign = (iat: number | undefined, exp: number) => {
    const token = new SignJWT({ roles: ["reader"] })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(keys.issuer)
      .setAudience(keys.audience)
      .setSubject("abuse-probe")
      .setExpirationTime(exp);
    if (iat !== undefined) token.setIssuedAt(iat);
    return token.sign(new TextEncoder().encode(keys.secret));
  };
  const tokens: [string, Promise<string>][] = [
    ["iat a day ahead", sign(now + 86_400, now + 86_400 + 3600)],
    ["exp in the year 3000", sign(now, 32_503_680_000)],
    ["exp in the year 3000, no iat", sign(undefined, 32_503_680_000)],
    ["valid 48 hours", sign(now, now + 48 * 3600)],
    ["valid 12 hours (as the demo tokens)", sign(now, now + 12 * 3600)],
  ];
  const observed = [];
  for (const [what, token] of tokens) {
    const response = await fetch(gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await token}` },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    const body = (await response.json()) as { errors?: { message: string }[] };
    observed.push({ what, status: response.status, message: body.errors?.[0]?.message });
  }
  return observed;
}
