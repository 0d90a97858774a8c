import { describe, expect, it } from "vitest";
import { isInputObjectType } from "graphql";
import { composeSupergraph, publicApiSchema, readCommittedSupergraph } from "../schema/compose.js";

describe("supergraph", () => {
  it("the committed schema/supergraph.graphql is what schema/*.graphql compose to (run `npm run compose`)", async () => {
    expect(readCommittedSupergraph()).toBe(await composeSupergraph());
  });

  it("keeps the owner's filters on entities that other subgraphs reference", () => {
    // Federation merges input types by intersection: without the stub renaming in subgraph-kit/federation.ts
    // the stubs' OrganisationWhere { id } would leave only `id` here.
    const api = publicApiSchema();
    const organisationWhere = api.getType("OrganisationWhere");
    const personWhere = api.getType("PersonWhere");
    if (!isInputObjectType(organisationWhere) || !isInputObjectType(personWhere)) throw new Error("filter inputs missing");
    expect(Object.keys(organisationWhere.getFields())).toEqual(expect.arrayContaining(["id", "name", "status", "type", "parents", "successors"]));
    expect(Object.keys(personWhere.getFields())).toEqual(expect.arrayContaining(["id", "name", "jobTitle", "organisations", "professions"]));
  });

  it("serves no root field of a stub: clients read each type from its owner", () => {
    const api = publicApiSchema();
    const rootFields = Object.keys(api.getQueryType()!.getFields());
    expect(rootFields.filter((name) => name.endsWith("References") || name.endsWith("ReferencesConnection"))).toEqual([]);
    expect(rootFields).toEqual(expect.arrayContaining(["organisations", "people", "services", "journey", "organisationLinks", "brokers"]));
  });
});
