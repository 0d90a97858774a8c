/** npm run seed: loads the demo data into the graph (idempotent). */
import { withGraph } from "../graph/with-graph.js";
import { seedDemoData } from "../data/seed/seed.js";

await withGraph(async ({ driver, database, uri }) => {
  const summary = await seedDemoData(driver, database);
  console.log(
    `Seeded ${uri}: ${Object.entries(summary)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")}`,
  );
});
