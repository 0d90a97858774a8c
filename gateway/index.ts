import { readFileSync } from "node:fs";
import { loadConfig, subgraphUrls } from "../lib/config.js";
import { supergraphPath } from "../lib/paths.js";
import { createGateway, listenGateway } from "./gateway.js";

const config = loadConfig();
// Hive Gateway's logger also reads LOG_LEVEL itself and throws on pino's "fatal" and "silent" (and,
// despite its message, on "false"): it gets the level from the `logging` option below instead.
delete process.env["LOG_LEVEL"];
const gateway = createGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  subgraphUrls: subgraphUrls(config),
  subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
  logging: config.LOG_LEVEL === "silent" ? false : config.LOG_LEVEL === "fatal" ? "error" : config.LOG_LEVEL === "trace" ? "debug" : config.LOG_LEVEL,
});
const running = await listenGateway(gateway, config.GATEWAY_PORT, config.HOST);
console.log(JSON.stringify({ level: 30, name: "gateway", msg: "gateway listening", url: running.url }));

const shutdown = async () => {
  await running.close();
  process.exit(0);
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
