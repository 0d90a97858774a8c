/** npm run generate -- --scale tiny|small|medium|civil-service [--seed N]: the synthetic graph (data/generate/generate.ts). */
import { parseArgs } from "node:util";
import { withGraph } from "../graph/with-graph.js";
import { generate, scales, type Scale } from "../data/generate/generate.js";
import { graphIsEmpty, seedDemoData } from "../data/seed/seed.js";

const { values } = parseArgs({ options: { scale: { type: "string", default: "small" }, seed: { type: "string", default: "2026" } } });
if (!(values.scale in scales)) {
  console.error(`--scale must be one of ${Object.keys(scales).join(", ")}`);
  process.exit(2);
}
const seed = Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error("--seed must be a whole number");
  process.exit(2);
}

await withGraph(async ({ driver, database }) => {
  // The generated graph stands on the real organisations and professions.
  if (await graphIsEmpty(driver, database)) await seedDemoData(driver, database);
  const summary = await generate({
    driver,
    database,
    scale: values.scale as Scale,
    seed,
    onProgress: (stage, done) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${stage}: ${done.toLocaleString("en-GB")}      `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(JSON.stringify(summary));
});
