import { runSubgraph } from "../../lib/run-subgraph.js";
import { createPeopleSubgraph } from "./server.js";

await runSubgraph("people", createPeopleSubgraph);
