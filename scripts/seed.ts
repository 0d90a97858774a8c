/** npm run seed: loads the demo data into the graph (idempotent). */
import { withGraph } from "../lib/with-graph.js";
import { seedDemoData } from "../seed/seed.js";

await withGraph(async ({ driver, database, uri }) => {
  const summary = await seedDemoData(driver, database);
  console.log(
    `Seeded ${uri}: ${Object.entries(summary)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")}`,
  );
});
