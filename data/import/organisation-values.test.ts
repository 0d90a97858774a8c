import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildASTSchema, Kind, parse, type GraphQLEnumType } from "graphql";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../platform/paths.js";
import { enumNameOf, knownValue, organisationClosedStatuses, organisationStatuses, organisationTypes } from "./organisation-values.js";
import { servicePhases } from "./service-values.js";

/** The enums as the organisations and services subgraphs declare them. */
function enumValues(name: string): string[] {
  const sdl = ["organisations.graphql", "services.graphql", "shared.graphql"].map((f) => readFileSync(resolve(repoRoot, "schema", f), "utf8")).join("\n");
  // Only the enums matter here: build a schema of them alone.
  const document = parse(sdl);
  const enums = { ...document, definitions: document.definitions.filter((d) => d.kind === Kind.ENUM_TYPE_DEFINITION) };
  const type = buildASTSchema(enums, { assumeValidSDL: true }).getType(name) as GraphQLEnumType;
  return type.getValues().map((v) => v.name);
}

/** Every value of a field in the real GOV.UK snapshots. */
function snapshotValues(read: (record: { format?: string; details: Record<string, string | null> }) => string | null | undefined): Set<string> {
  const files = [
    "data/seed/data/govuk-organisations-2026-07-20.json",
    "test/data/govuk-organisations-2023-01-01.json",
    "test/data/govuk-organisations-2026-08-22.json",
  ];
  const values = files.flatMap((f) => (JSON.parse(readFileSync(resolve(repoRoot, f), "utf8")) as Parameters<typeof read>[0][]).map(read));
  return new Set(values.filter((v): v is string => typeof v === "string"));
}

describe("GOV.UK's words as the API's enums", () => {
  it("knows exactly the values the schema declares", () => {
    expect([...organisationTypes].sort()).toEqual(enumValues("OrganisationType").sort());
    expect([...organisationStatuses].sort()).toEqual(enumValues("OrganisationStatus").sort());
    expect([...organisationClosedStatuses].sort()).toEqual(enumValues("OrganisationClosedStatus").sort());
    expect([...servicePhases].sort()).toEqual(enumValues("ServicePhase").sort());
  });

  it("names GOV.UK's words as enum names, and knows every word of the three real snapshots", () => {
    expect(enumNameOf("Non-ministerial department")).toBe("NON_MINISTERIAL_DEPARTMENT");
    expect(enumNameOf("Ad-hoc advisory group")).toBe("AD_HOC_ADVISORY_GROUP");
    expect(enumNameOf("no_longer_exists")).toBe("NO_LONGER_EXISTS");
    const types = snapshotValues((r) => r.format);
    expect(types.size).toBe(17); // 16 a snapshot: "Devolved administration" became "Devolved government" in 2026
    for (const type of types) expect(organisationTypes).toContain(knownValue(type, "format", organisationTypes));
    for (const status of snapshotValues((r) => r.details["govuk_status"])) knownValue(status, "details.govuk_status", organisationStatuses);
    for (const closed of snapshotValues((r) => r.details["govuk_closed_status"])) knownValue(closed, "details.govuk_closed_status", organisationClosedStatuses);
  });

  it("refuses a word it does not know, naming the field and the word", () => {
    expect(() => knownValue("dissolved", "details.govuk_status", organisationStatuses)).toThrow(
      'details.govuk_status "dissolved" is not a known value (LIVE, CLOSED, EXEMPT, JOINING, TRANSITIONING, DEVOLVED)',
    );
  });
});
