import { runSubgraph } from "../../lib/run-subgraph.js";
import { createServicesSubgraph } from "./server.js";

await runSubgraph("services", createServicesSubgraph);
