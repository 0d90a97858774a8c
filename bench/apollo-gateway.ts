/**
 * The benchmark's peer: @apollo/gateway (Elastic-2.0, used only here) over the committed supergraph,
 * listening on GATEWAY_PORT and calling the subgraphs at PEOPLE_URL, ORGANISATIONS_URL and SERVICES_URL.
 * Its subgraph timeout is unset by default; it gets SUBGRAPH_TIMEOUT_MS, as our gateway does, so both fail alike.
 */
import { readFileSync } from "node:fs";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { loadConfig, subgraphUrls, type SubgraphName } from "../platform/config.js";
import { supergraphPath } from "../platform/paths.js";
import { gatewayTokenHeader } from "../platform/caller.js";

const config = loadConfig();
const urls = subgraphUrls(config);
// Not gateway/gateway.ts's withSubgraphUrls: importing it would load Hive Gateway into this process and its memory.
const supergraphSdl = readFileSync(supergraphPath, "utf8").replace(
  /@join__graph\(name: "([a-z]+)", url: "[^"]*"\)/g,
  (_match, name: string) => `@join__graph(name: "${name}", url: "${urls[name as SubgraphName]}")`,
);

interface PeerContext {
  gatewayToken?: string;
}

// It does not verify client tokens: the benchmark's client sends the token our gateway would sign, and it is passed on.
const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<PeerContext>({
      url,
      fetcher: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(config.SUBGRAPH_TIMEOUT_MS) } as RequestInit),
      willSendRequest({ request, context }) {
        if (typeof context.gatewayToken === "string") request.http?.headers.set(gatewayTokenHeader, context.gatewayToken);
      },
    }),
});
const server = new ApolloServer<PeerContext>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: config.GATEWAY_PORT, host: config.HOST },
  context: async ({ req }) => {
    const token = req.headers[gatewayTokenHeader];
    return typeof token === "string" ? { gatewayToken: token } : {};
  },
});
console.log(JSON.stringify({ msg: "@apollo/gateway listening", url }));

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown());
process.once("SIGINT", () => void shutdown());
