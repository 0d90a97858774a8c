import "../../platform/production-node.js";
import { runSubgraph } from "../../subgraph-kit/run.js";
import { createPeopleSubgraph } from "./server.js";

await runSubgraph("people", createPeopleSubgraph);
