/** Literals refused as variables are (literal-errors.ts): where a value sits, and which validation errors become refusals. */
import { buildSchema, parse, validate, type DocumentNode } from "graphql";
import { describe, expect, it } from "vitest";
import { literalRefusal } from "./literal-errors.js";

const schema = buildSchema(`
  enum Status { LIVE CLOSED }
  input StatusFilter { eq: Status in: [Status!] }
  input Where { status: StatusFilter OR: [Where!] name: String }
  type Organisation { id: ID! children(where: Where, limit: Int): [Organisation!]! }
  type Query { organisations(where: Where, limit: Int): [Organisation!]! statuses(of: [Status!]): [Status!]! }
  directive @mark(status: Status) on FIELD
`);

const refusals = (query: string) => {
  const document: DocumentNode = parse(query);
  return validate(schema, document).map((error) => {
    const refusal = literalRefusal(document, error);
    return refusal ? [refusal.extensions["code"], refusal.extensions["argument"], refusal.message] : [error.extensions["code"], undefined, error.message];
  });
};

describe("a literal that does not fit its argument", () => {
  it("names the argument, its field and the path down to the value, through objects and lists", () => {
    expect(refusals('{ organisations(where: { OR: [{ name: "a" }, { status: { in: [LIVE, OPEN] } }] }) { id } }')).toEqual([
      [
        "BAD_USER_INPUT",
        "where",
        'Argument "where" of "organisations" got invalid value OPEN at "where.OR[1].status.in[1]"; Value "OPEN" does not exist in "Status" enum.',
      ],
    ]);
  });

  it("names a nested field's argument under an alias by the field's own name, and a whole argument without a path", () => {
    expect(refusals('{ organisations(limit: 1) { kids: children(limit: "two") { id } } statuses(of: OPEN) }')).toEqual([
      ["BAD_USER_INPUT", "limit", 'Argument "limit" of "children" got invalid value "two"; Int cannot represent non-integer value: "two"'],
      ["BAD_USER_INPUT", "of", 'Argument "of" of "statuses" got invalid value OPEN; Value "OPEN" does not exist in "Status" enum.'],
    ]);
  });

  it("leaves other validation errors as GraphQL's: an unknown input field, a value in a directive", () => {
    expect(refusals("{ organisations(where: { colour: LIVE }) { id @mark(status: OPEN) } }")).toEqual([
      [undefined, undefined, 'Field "colour" is not defined by type "Where".'],
      [undefined, undefined, 'Value "OPEN" does not exist in "Status" enum.'],
    ]);
  });
});
