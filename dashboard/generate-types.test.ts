import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Kind, parse, visit, type ArgumentNode } from "graphql";
import { generateDashboardTypes, generatedTypesPath, operationsDir } from "./generate-types.js";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";

describe("the dashboard's typed operations", () => {
  it("the committed client/generated/graphql.ts is what the supergraph and the operations generate (run `npm run generate:dashboard-types`)", async () => {
    expect(readFileSync(generatedTypesPath, "utf8")).toBe(await generateDashboardTypes());
  });

  it("bound every list they ask for at the root, so no request fetches the whole graph", () => {
    // Root fields that take a page size; journey is one service's, departmentMatrix at most 100 organisations'.
    const paged = new Set(["services", "organisations", "people", "handoffs", "gaps", "search", "organisationLinks"]);
    for (const file of readdirSync(operationsDir).filter((f) => f.endsWith(".graphql"))) {
      const document = parse(readFileSync(resolve(operationsDir, file), "utf8"));
      visit(document, {
        OperationDefinition(operation) {
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD || !paged.has(selection.name.value)) continue;
            const bounds = (selection.arguments ?? []).filter((a: ArgumentNode) => a.name.value === "limit" || a.name.value === "first");
            expect(bounds, `${file}: ${selection.name.value}`).toHaveLength(1);
          }
        },
      });
    }
  });
});
