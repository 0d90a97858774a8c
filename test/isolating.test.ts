import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../platform/paths.js";
import { isolating } from "../vitest.config.js";

describe("the files that run two at a time (vitest.config.ts)", () => {
  it("name files that exist, each of its own kind: a moved file would run alone without a word", () => {
    for (const [kind, files] of Object.entries(isolating))
      for (const file of files) {
        expect(existsSync(resolve(repoRoot, file)), file).toBe(true);
        expect(file.endsWith(`.${kind}.test.ts`), file).toBe(true);
      }
  });
});
