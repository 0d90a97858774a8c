// Lint gate (issue 12, item 3): ESLint's recommended rules plus typescript-eslint's
// type-aware recommended set, with only the changes that matter here.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores([
    "**/node_modules/",
    // Generated code (the dashboard's operation types); the supergraph is SDL, not linted.
    "**/generated/**",
    // The local Neo4j, test reports and any build output.
    ".neo4j/",
    "test-results/",
    "**/dist/",
    "coverage/",
    "tmp/",
  ]),
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the nearest tsconfig.json, so the dashboard's browser
        // code (dashboard/client) uses its own DOM settings.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Apollo Server's plugin hooks (requestDidStart, willSendResponse, ...) and context
      // functions must return Promises by their types, so an `async` hook with no await is
      // the API, not a mistake; a forgotten await is no-floating-promises' job.
      "@typescript-eslint/require-await": "off",
      // Hive Gateway's and Yoga's hook payloads declare their callbacks (endResponse,
      // setOptions, fetchAPI) as methods, though they are closures meant to be destructured,
      // and this code hands out no class method to be called detached: every report was noise.
      "@typescript-eslint/unbound-method": "off",
      // Destructuring a key away (`const { spec: _spec, ...rest } = http`) is how this code
      // omits a field; the rest is what is used.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read JSON answers (GraphQL responses, logs, metrics) whose shape the
    // assertions themselves check; typing each one first would add nothing.
    files: ["**/*.test.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
