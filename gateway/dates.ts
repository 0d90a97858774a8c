/**
 * The caller's Date and DateTime values are checked at the gateway as on the subgraphs
 * (platform/dates.ts: strictly ISO 8601, a day that exists), so that a refusal names the caller's own
 * variable (`$asAt`) and comes before the query plan, which renames variables for each subgraph
 * (`$_journey_asAt`) and would leave the rest of the answer to fail field by field.
 */
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { GraphQLSchema } from "graphql";
import { refuseInvalidDates } from "../platform/dates.js";

export function useStrictDates(): GatewayPlugin {
  return {
    onSchemaChange({ schema }) {
      // The runtime's schema is graphql-js's, typed loosely by the plugin interface.
      refuseInvalidDates(schema as GraphQLSchema);
    },
  };
}
