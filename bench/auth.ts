/**
 * npm run bench:auth — the token work each request costs: the gateway verifies the client's token and
 * signs one for the subgraphs, which a subgraph verifies. Measured with the HMAC key imported once (as
 * the servers do) and, side by side in the same run, with raw key bytes that jose imports on every call.
 */
import { SignJWT, jwtVerify } from "jose";
import { createTokenVerifier } from "../gateway/auth.js";
import { signGatewayToken, verifyGatewayToken } from "../platform/caller.js";
import { signClientToken } from "../platform/demo-tokens.js";

const rounds = Number(process.argv[2] ?? 5000);
const clientSecret = "client-secret-of-the-benchmark-0123456789";
const subgraphSecret = "subgraph-secret-of-the-benchmark-0123456789";
const claims = { iss: "https://bench.example", aud: "service-graph" };
const bytes = (secret: string) => new TextEncoder().encode(secret);
const clientToken = await signClientToken(clientSecret, { sub: "bench", roles: ["reader"], issuer: claims.iss, audience: claims.aud, expiresAt: "1h" });

const verifyClient = createTokenVerifier({ jwtSecret: clientSecret, issuer: claims.iss, audience: claims.aud });
const withImportedKey = async () => {
  const viewer = await verifyClient(`Bearer ${clientToken}`);
  await verifyGatewayToken(await signGatewayToken(viewer, subgraphSecret), subgraphSecret);
};
const withRawBytes = async () => {
  const { payload } = await jwtVerify(clientToken, bytes(clientSecret), { algorithms: ["HS256"], issuer: claims.iss, audience: claims.aud });
  const signed = await new SignJWT({ viewer: payload })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer("g")
    .setAudience("s")
    .setExpirationTime("2m")
    .sign(bytes(subgraphSecret));
  await jwtVerify(signed, bytes(subgraphSecret), { algorithms: ["HS256"], issuer: "g", audience: "s" });
};

const ways = { "key imported once": withImportedKey, "raw bytes each call": withRawBytes };
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
for (let i = 0; i < rounds; i++) {
  // Interleaved, so both ways meet the same machine load.
  for (const [name, run] of Object.entries(ways)) {
    const started = performance.now();
    await run();
    samples[name]!.push(performance.now() - started);
  }
}
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const medians: Record<string, number> = {};
for (const [name, times] of Object.entries(samples)) {
  times.sort((a, b) => a - b);
  medians[name] = percentile(times, 50);
  console.log(`${name.padEnd(20)} p50 ${percentile(times, 50).toFixed(3)} ms  p95 ${percentile(times, 95).toFixed(3)} ms  (${rounds} requests)`);
}
console.log(`ratio of medians, raw bytes / imported key: ${(medians["raw bytes each call"]! / medians["key imported once"]!).toFixed(2)}`);
