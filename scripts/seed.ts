/** npm run seed: loads the demo data into the graph (idempotent). */
import { withGraph } from "../graph/with-graph.js";
import { describeSeed, seedDemoData } from "../data/seed/seed.js";

await withGraph(async ({ driver, database, uri }) => {
  const started = performance.now();
  const summary = await seedDemoData(driver, database);
  console.log(`Seeded ${uri}: ${describeSeed(summary, (performance.now() - started) / 1000)}.`);
});
