import { buildASTSchema, parse } from "graphql";
import { transformSupergraphToPublicSchema } from "@theguild/federation-composition";
import { describe, expect, it } from "vitest";
import { readCommittedSupergraph } from "../schema/compose.js";
import { questions } from "./ide-docs.js";

describe("the IDE's docs", () => {
  it("list every hand-written question first: everything else on Query is a generated pair, `things` and `thingsConnection`", () => {
    const api = buildASTSchema(transformSupergraphToPublicSchema(parse(readCommittedSupergraph())));
    const rootFields = Object.keys(api.getQueryType()!.getFields());
    expect(rootFields).toEqual(expect.arrayContaining(questions));
    // A new analysis field fails here until it is added to `questions`.
    for (const name of rootFields.filter((field) => !questions.includes(field))) {
      expect(rootFields, name).toContain(name.endsWith("Connection") ? name.slice(0, -"Connection".length) : `${name}Connection`);
    }
  });
});
