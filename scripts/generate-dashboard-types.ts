/** npm run generate:dashboard-types: writes the dashboard's operation types (gateway/dashboard/generate-types.ts). */
import { writeFileSync } from "node:fs";
import { generateDashboardTypes, generatedTypesPath } from "../gateway/dashboard/generate-types.js";

writeFileSync(generatedTypesPath, await generateDashboardTypes());
console.log(`Wrote ${generatedTypesPath}`);
