/**
 * The people subgraph's `auditTrail` query: the events that subgraph-kit/mutations/audit.ts records
 * for every change, newest first, a page at a time, for admins only.
 */
import { GraphQLError } from "graphql";
import type { Driver } from "neo4j-driver";
import { hasRole } from "../../../platform/caller.js";
import { connectionOf, pageOf } from "../../../subgraph-kit/connection.js";
import type { Resolvers } from "../generated/resolvers.js";
import type { Change } from "../../../subgraph-kit/mutations/audit.js";

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export function auditTrailResolvers(driver: Driver, database?: string) {
  return {
    Query: {
      async auditTrail(_source, args, context) {
        if (!hasRole(context.viewer, "admin")) {
          throw new GraphQLError("Reading the audit trail needs the admin role.", { extensions: { code: "FORBIDDEN" } });
        }
        const page = pageOf(args, 200);
        const conditions = [args.entityId != null ? "e.entityId = $entityId" : "", args.actor != null ? "e.actor = $actor" : ""].filter(Boolean);
        const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
        const parameters = { entityId: args.entityId ?? null, actor: args.actor ?? null, skip: page.skip, limit: page.limit };
        const options = { database, routing: "READ" as const };
        const [counted, listed] = await Promise.all([
          driver.executeQuery(`MATCH (e:AuditEvent) ${where} RETURN count(e) AS total`, parameters, options),
          driver.executeQuery(
            `MATCH (e:AuditEvent) ${where} WITH e ORDER BY e.at DESC, e.id DESC SKIP $skip LIMIT $limit RETURN e { .* } AS event`,
            parameters,
            options,
          ),
        ]);
        const edges = listed.records.map((record) => {
          const event = record.get("event") as Record<string, unknown> & { changes: string };
          const changes = (JSON.parse(event.changes) as Change[]).map((c) => ({ ...c, before: json(c.before), after: json(c.after) }));
          return { node: { ...event, changes } };
        });
        return connectionOf(edges, page, (counted.records[0]!.get("total") as { toNumber(): number }).toNumber());
      },
    },
  } satisfies Resolvers;
}
