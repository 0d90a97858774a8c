/**
 * `npm run build:dashboard` (run by `npm install` and before `npm start` and `npm test`): bundles the
 * browser code of client/ into dist/dashboard.js, which the gateway serves as it is.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

export const dashboardDir = import.meta.dirname;
export const dashboardBundlePath = resolve(dashboardDir, "dist", "dashboard.js");

/** The browser code as one script, from client/main.ts. */
export async function bundleDashboard(): Promise<string> {
  const result = await build({
    entryPoints: [resolve(dashboardDir, "client/main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    loader: { ".graphql": "text" },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export async function buildDashboard(): Promise<void> {
  const script = await bundleDashboard();
  await mkdir(dirname(dashboardBundlePath), { recursive: true });
  await writeFile(dashboardBundlePath, script);
}
