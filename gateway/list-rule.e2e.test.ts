/**
 * One rule for every list, through the gateway with the real servers: a size above a list's maximum
 * is refused as BAD_USER_INPUT naming the argument, whether the size is written in the document or
 * given as a variable, and before any subgraph is asked; nothing is cut to the maximum without a word.
 */
import { describe, expect, it } from "vitest";
import { postGraphQL, stackForSuite } from "../test/helpers.js";

describe("a list's size above its maximum", () => {
  const stack = stackForSuite();

  const refusal = async (query: string, variables: Record<string, unknown> = {}) => {
    const { status, body } = await postGraphQL(stack.gateway.url, query, variables);
    expect(status).toBe(400);
    expect(body.data ?? null).toBeNull();
    return body.errors!.map((e) => ({ message: e.message, code: e.extensions?.["code"], argument: e.extensions?.["argument"] }));
  };

  it.each([
    [
      "an analysis page",
      "handoffs(first: 9999) { totalCount }",
      "handoffs(first: $n) { totalCount }",
      9999,
      '"first" of "handoffs" must be from 0 to 500; it was 9999.',
    ],
    [
      "a generated list",
      "organisations(limit: 5000) { id }",
      "organisations(limit: $n) { id }",
      5000,
      '"limit" of "organisations" must be from 0 to 1,000; it was 5000.',
    ],
    [
      "a nested connection",
      "organisations(limit: 1) { childrenConnection(first: 1001) { totalCount } }",
      "organisations(limit: 1) { childrenConnection(first: $n) { totalCount } }",
      1001,
      '"first" of "childrenConnection" must be from 0 to 1,000; it was 1001.',
    ],
    [
      "the journey's people per stage",
      'journey(serviceId: "starting-a-business", peoplePerStage: 101) { asAt }',
      'journey(serviceId: "starting-a-business", peoplePerStage: $n) { asAt }',
      101,
      '"peoplePerStage" of "journey" must be from 0 to 100; it was 101.',
    ],
  ])("%s is refused naming the argument, as a literal and as a variable alike", async (_kind, literal, variable, n, message) => {
    const argument = message.slice(1, message.indexOf('"', 1));
    const expected = [{ message, code: "BAD_USER_INPUT", argument }];
    expect(await refusal(`{ ${literal} }`)).toEqual(expected);
    expect(await refusal(`query ($n: Int) { ${variable} }`, { n })).toEqual(expected);
  });

  it("runs a page of 500 with a nested list the same, as a literal or as a variable", async () => {
    const page = "organisationsConnection(first: 500) { edges { node { parents { id } } } }";
    const literal = await postGraphQL(stack.gateway.url, `{ ${page} }`);
    const variable = await postGraphQL(stack.gateway.url, `query ($n: Int) { ${page.replace("500", "$n")} }`, { n: 500 });
    expect(literal.body.errors).toBeUndefined();
    expect(variable.body).toEqual(literal.body);
    expect(literal.body.data!["organisationsConnection"].edges).toHaveLength(500);
  });
});
