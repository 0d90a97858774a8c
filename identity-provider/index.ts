/** The demo OpenID provider as a process of its own, run by `npm start` with the settings of that run. */
import { startIdentityProvider, type IdentityProviderSettings } from "./provider.js";

const given = process.env["DEMO_IDENTITY_PROVIDER"];
if (!given) {
  console.error("DEMO_IDENTITY_PROVIDER is not set: this process is started by npm start (scripts/start.ts), which makes its settings.");
  process.exit(1);
}
const running = await startIdentityProvider(JSON.parse(given) as IdentityProviderSettings);
console.log(`identity provider listening at ${running.issuer}`);
const stop = async () => {
  await running.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
