/**
 * `changes` reads every change of its period to order them before it cuts a page, so the period is
 * bounded: above the limit the question is refused, naming what narrows it, before the next family of
 * changes is read. Run on a limit of 3 over dated memberships in a year no real fact is dated in.
 */
import neo4j from "neo4j-driver";
import type { GraphQLError } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import { testDriver, uniqueId } from "../../test/helpers.js";
import type { Viewer } from "../../platform/caller.js";
import { organisationChanges } from "./resolvers/changes.js";

const reader: Viewer = { roles: ["reader"], organisations: [] };
const day = (iso: string) => neo4j.types.Date.fromStandardDate(new Date(`${iso}T00:00:00Z`));

describe("changes between two dates, bounded by the period", () => {
  const driver = testDriver();
  const community = uniqueId("community");
  const people = [1, 2, 3, 4].map(() => uniqueId("person"));
  const { changes } = organisationChanges(driver, undefined, { maxChanges: 3 }).resolvers.Query as unknown as {
    changes(source: unknown, args: Record<string, unknown>, context: { viewer: Viewer }): Promise<{ totalCount: number; edges: unknown[] }>;
  };
  const ask = (from: string, to: string, kinds: string[]) => changes(undefined, { from: day(from), to: day(to), kinds, first: 1 }, { viewer: reader });

  afterAll(async () => {
    await driver.executeQuery("MATCH (n) WHERE n.id IN $ids DETACH DELETE n", { ids: [community, ...people] });
    await driver.close();
  });

  it("answers a period within the limit and refuses one above it, naming the dates and the kinds", async () => {
    // Four people joined the community in 1750, three of them by June.
    await driver.executeQuery(
      `CREATE (c:Community {id: $community, name: 'Changes limit community', kind: 'COMMUNITY_OF_PRACTICE'})
       WITH c UNWIND range(0, size($people) - 1) AS i
       CREATE (:Person {id: $people[i], name: 'Limit person ' + i})-[:MEMBER_OF {role: 'member', since: date('1750-0' + (i * 2 + 1) + '-01')}]->(c)`,
      { community, people },
    );
    const early = await ask("1749-12-31", "1750-06-30", ["JOINED"]);
    expect(early.totalCount).toBe(3);
    expect(early.edges).toHaveLength(1);

    const refused = await ask("1749-12-31", "1750-12-31", ["JOINED"]).then(
      () => undefined,
      (error: GraphQLError) => error,
    );
    expect(refused?.extensions["code"]).toBe("BAD_USER_INPUT");
    expect(refused?.extensions["argument"]).toBe("from");
    expect(refused?.message).toBe(
      'More than 3 changes happened between 1749-12-31 and 1750-12-31 of the kinds asked, and all of them are read to order them: ask for a shorter period ("from", "to") or fewer "kinds".',
    );
    // The organisations' kinds alone stay within it: nothing of theirs is dated in 1750.
    expect((await ask("1749-12-31", "1750-12-31", ["OPENED", "CLOSED", "RENAMED", "MOVED"])).totalCount).toBe(0);
  });
});

describe("renames, from the GOV.UK snapshots of the demo data", () => {
  const driver = testDriver();
  const { changes } = organisationChanges(driver).resolvers.Query as unknown as {
    changes(
      source: unknown,
      args: Record<string, unknown>,
      context: { viewer: Viewer },
    ): Promise<{ edges: { node: { description: string; date: { toString(): string } } }[] }>;
  };

  afterAll(() => driver.close());

  it("names a rename a rename, and leaves out GOV.UK restyling a record or relabelling a closed one", async () => {
    const renames = (await changes(undefined, { from: day("2022-12-31"), kinds: ["RENAMED"], first: 500 }, { viewer: reader })).edges.map(
      (e) => `${e.node.date.toString()} ${e.node.description}`,
    );
    expect(renames).toContain("2026-07-20 Geffrye Museum (GMus) became Museum of the Home");
    expect(renames).toContain("2026-07-20 Defence Nuclear Safety Committee (DNSC) became Defence Nuclear Safety Expert Committee (DNSEC)");
    const about = (name: string) => renames.filter((r) => r.includes(name));
    // Relabelled once closed: "(2017 to 2023)" added and its acronym dropped on the day it closed, 2023-02-07.
    expect(about("Department for Digital, Culture, Media & Sport")).toEqual([]);
    // An acronym's case (OFP, OfP), an acronym the record stopped giving (EA), a title's case.
    expect(about("Office for Place")).toEqual([]);
    expect(about("Environment Agency")).toEqual([]);
    expect(about("National security and intelligence")).toEqual([]);
    for (const rename of renames) {
      const [before, after] = rename.slice(11).split(" became ");
      expect(before!.toLowerCase(), rename).not.toBe(after!.toLowerCase());
    }
  });
});
