/**
 * The gateway: Hive Gateway runtime over the committed supergraph (schema/supergraph.graphql),
 * with a timeout on every subgraph call, masked errors, health endpoints and a GraphiQL whose
 * assets are served from here (no CDN), preloaded with the example operations.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createGatewayRuntime, type GatewayRuntime } from "@graphql-hive/gateway-runtime";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { SubgraphName } from "../lib/config.js";

const examplesDir = resolve(import.meta.dirname, "examples");

export interface ExampleOperation {
  name: string;
  query: string;
}

/** The example operations in gateway/examples, the journey trace first. */
export function exampleOperations(): ExampleOperation[] {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith(".graphql")).sort();
  const ordered = [...files.filter((f) => f === "journey-trace.graphql"), ...files.filter((f) => f !== "journey-trace.graphql")];
  return ordered.map((file) => ({ name: file.replace(/\.graphql$/, ""), query: readFileSync(resolve(examplesDir, file), "utf8") }));
}

/** Points each subgraph of the supergraph at the URL given for it (the composed file holds the defaults). */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<SubgraphName, string>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([a-z]+)", url: "[^"]*"\)/g, (match, name: string) => {
    const url = urls[name as SubgraphName];
    return url ? `@join__graph(name: "${name}", url: "${url}")` : match;
  });
}

export interface GatewayOptions {
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** The longest one subgraph call may take before the gateway gives up on it. */
  subgraphTimeoutMs: number;
  logging?: boolean | "debug" | "info" | "warn" | "error";
}

export function createGateway(options: GatewayOptions): GatewayRuntime {
  const supergraph = withSubgraphUrls(options.supergraphSdl, options.subgraphUrls);
  return createGatewayRuntime({
    supergraph,
    graphqlEndpoint: "/graphql",
    healthCheckEndpoint: "/healthcheck",
    readinessCheckEndpoint: "/readiness",
    landingPage: false,
    logging: options.logging ?? false,
    // Neither gateway sets a subgraph timeout by default: without one a hung subgraph hangs the client.
    upstreamTimeout: options.subgraphTimeoutMs,
    maskedErrors: true,
    graphiql: {
      title: "Service Graph",
      defaultTabs: exampleOperations().map((example) => ({ query: example.query })),
    },
    renderGraphiQL,
  });
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the gateway on the port (0: any free one); GET /graphql in a browser opens the IDE. */
export async function listenGateway(gateway: GatewayRuntime, port: number, host = "127.0.0.1"): Promise<RunningGateway> {
  const server: Server = createServer(gateway);
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(port, host, () => resolveListen());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actualPort}/graphql`,
    port: actualPort,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await gateway.dispose();
    },
  };
}
