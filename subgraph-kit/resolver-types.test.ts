import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { subgraphNames } from "../platform/config.js";
import { generateResolverTypes, resolverTypesPath } from "./resolver-types.js";

describe("each subgraph's resolver types", () => {
  for (const name of subgraphNames) {
    it(`subgraphs/${name}/generated/resolvers.ts is what schema/${name}.graphql generates (run \`npm run generate:resolver-types\`)`, async () => {
      expect(readFileSync(resolverTypesPath(name), "utf8")).toBe(await generateResolverTypes(name));
    });
  }
});
