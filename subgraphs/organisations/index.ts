import { runSubgraph } from "../../lib/run-subgraph.js";
import { createOrganisationsSubgraph } from "./server.js";

await runSubgraph("organisations", createOrganisationsSubgraph);
