import "../../platform/production-node.js";
import { runSubgraph } from "../../subgraph-kit/run.js";
import { createServicesSubgraph } from "./server.js";

await runSubgraph("services", createServicesSubgraph);
