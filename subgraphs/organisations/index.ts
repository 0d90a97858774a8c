import "../../platform/production-node.js";
import { runSubgraph } from "../../subgraph-kit/run.js";
import { createOrganisationsSubgraph } from "./server.js";

await runSubgraph("organisations", createOrganisationsSubgraph);
