import { readFileSync } from "node:fs";
import { loadConfig, subgraphUrls } from "../lib/config.js";
import { supergraphPath } from "../lib/paths.js";
import { createGateway, listenGateway } from "./gateway.js";

const config = loadConfig();
const gateway = createGateway({
  supergraphSdl: readFileSync(supergraphPath, "utf8"),
  subgraphUrls: subgraphUrls(config),
  subgraphTimeoutMs: config.SUBGRAPH_TIMEOUT_MS,
  logging: config.LOG_LEVEL === "silent" ? false : config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? "debug" : "info",
});
const running = await listenGateway(gateway, config.GATEWAY_PORT, config.HOST);
console.log(JSON.stringify({ level: 30, name: "gateway", msg: "gateway listening", url: running.url }));

const shutdown = async () => {
  await running.close();
  process.exit(0);
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
