import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { schemaDir } from "../platform/paths.js";
import { heapUsedAfterCollection } from "../test/heap.js";
import { heapBytesPerCharacter, personalFields, visibilityOf } from "./response-cache.js";

const reader = { sub: "demo-person-01", roles: ["reader" as const], organisations: [] };
const otherReader = { ...reader, sub: "demo-person-02" };
const admin = { sub: "someone", roles: ["admin" as const, "editor" as const, "reader" as const], organisations: [] };

describe("who may see what, as the response cache keys it", () => {
  it("keeps anonymous callers, each set of roles and admins apart", () => {
    const names = "{ people { name } }";
    const keys = new Set([
      visibilityOf(undefined, names),
      visibilityOf(reader, names),
      visibilityOf(admin, names),
      visibilityOf({ ...reader, roles: [] }, names),
    ]);
    expect(keys.size).toBe(4);
    // Readers share an answer that names no contact field, whoever they are.
    expect(visibilityOf(reader, names)).toBe(visibilityOf(otherReader, names));
  });

  it("keeps each person apart when a document names a contact field, but not admins, who see every one", () => {
    for (const document of ["{ people { email } }", "{ people { contact: phone } }", "query { ...F } fragment F on Query { people { email } }"]) {
      expect(visibilityOf(reader, document), document).not.toBe(visibilityOf(otherReader, document));
      expect(visibilityOf(admin, document), document).toBe(visibilityOf({ ...admin, sub: "another" }, document));
    }
  });

  it("knows every field a rule shows only to the token's subject", () => {
    const bySubject = new Set<string>();
    for (const file of readdirSync(schemaDir).filter((name) => name.endsWith(".graphql") && name !== "supergraph.graphql")) {
      for (const line of readFileSync(resolve(schemaDir, file), "utf8").split("\n")) {
        const field = /^\s*(\w+)\s*(\(|:)/.exec(line)?.[1];
        if (field && line.includes('"$jwt.sub"')) bySubject.add(field);
      }
    }
    expect([...bySubject].sort()).toEqual([...personalFields].sort());
  });

  it("estimates an answer's heap no smaller than what it takes", () => {
    // A journey's shape: stages, each with its organisations and people.
    const answer = (seed: number) => ({
      data: {
        service: {
          id: `service-${seed}`,
          name: `Service ${seed}`,
          stages: Array.from({ length: 12 }, (_, s) => ({
            id: `stage-${seed}-${s}`,
            name: `Stage ${s} of service ${seed}`,
            organisations: [{ id: `organisation-${s}`, name: `Organisation ${s}`, acronym: "ORG" }],
            people: Array.from({ length: 20 }, (_, p) => ({
              id: `person-${seed}-${s}-${p}`,
              name: `Person ${p}`,
              jobTitle: `Officer, team ${p}`,
              grade: "G7",
            })),
          })),
        },
      },
    });
    const kept: unknown[] = [];
    let characters = 0;
    const before = heapUsedAfterCollection();
    for (let i = 0; i < 200; i++) {
      const text = JSON.stringify(answer(i));
      characters += text.length;
      kept.push(JSON.parse(text));
    }
    const grown = heapUsedAfterCollection() - before;
    expect(kept).toHaveLength(200);
    expect(grown).toBeLessThan(characters * heapBytesPerCharacter);
  });
});
