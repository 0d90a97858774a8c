/**
 * The dashboard's static files, served by the gateway process beside /graphql: the page, its browser
 * code (built into dashboard/dist by `npm run build:dashboard`, which installing runs) and GOV.UK
 * Frontend's styles, fonts and images from node_modules. Nothing comes from a CDN, so it works with no
 * internet access.
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, resolve, sep } from "node:path";
import { dashboardBundlePath, dashboardDir } from "../dashboard/build.js";
import { dashboardContentSecurityPolicy } from "./browser-access.js";
import type { DashboardSignIn } from "../platform/config.js";

export const dashboardPath = "/dashboard";

const govukDist = resolve(dirname(createRequire(import.meta.url).resolve("govuk-frontend/package.json")), "dist/govuk");
const govukAssets = resolve(govukDist, "assets");

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

interface StaticFile {
  body: Buffer | string;
  type: string;
}

/** The built browser code; a gateway without it refuses to start rather than serve a page that does nothing. */
async function readBundle(): Promise<string> {
  try {
    return await readFile(dashboardBundlePath, "utf8");
  } catch (error) {
    throw new Error(`The dashboard is not built (${dashboardBundlePath} is missing): run npm run build:dashboard.`, { cause: error });
  }
}

/**
 * GOV.UK Frontend's snippet that marks the page as having JavaScript before it is drawn, as a file:
 * the page's Content-Security-Policy allows no inline script.
 */
const jsEnabled = "document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');\n";

/** Files that are the same for every request, read and built once. */
async function loadFixedFiles(signIn: DashboardSignIn | undefined): Promise<Map<string, StaticFile>> {
  const [page, styles, govukCss, script] = await Promise.all([
    readFile(resolve(dashboardDir, "index.html"), "utf8"),
    readFile(resolve(dashboardDir, "dashboard.css"), "utf8"),
    readFile(resolve(govukDist, "govuk-frontend.min.css"), "utf8"),
    readBundle(),
  ]);
  return new Map<string, StaticFile>([
    [dashboardPath, { body: page, type: contentTypes[".html"]! }],
    [`${dashboardPath}/`, { body: page, type: contentTypes[".html"]! }],
    [`${dashboardPath}/dashboard.css`, { body: styles, type: contentTypes[".css"]! }],
    // The precompiled CSS expects its fonts and images under /assets/; here they live under /dashboard/assets/.
    [`${dashboardPath}/govuk-frontend.min.css`, { body: govukCss.replaceAll("url(/assets/", `url(${dashboardPath}/assets/`), type: contentTypes[".css"]! }],
    [`${dashboardPath}/dashboard.js`, { body: script, type: contentTypes[".js"]! }],
    [`${dashboardPath}/js-enabled.js`, { body: jsEnabled, type: contentTypes[".js"]! }],
    // How the browser code signs people in: null when it takes a pasted token only.
    [`${dashboardPath}/sign-in.json`, { body: JSON.stringify(signIn ?? null), type: contentTypes[".json"]! }],
  ]);
}

/** GOV.UK Frontend's fonts and images, refusing any path that leaves its assets folder. */
async function readAsset(relativePath: string): Promise<StaticFile | undefined> {
  const file = resolve(govukAssets, decodeURIComponent(relativePath));
  if (!file.startsWith(govukAssets + sep)) return undefined;
  const type = contentTypes[extname(file)];
  if (!type) return undefined;
  try {
    return { body: await readFile(file), type };
  } catch {
    return undefined;
  }
}

export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** A handler that answers /dashboard and the files under it, and returns false for every other path. */
export async function createDashboardHandler(signIn?: DashboardSignIn): Promise<DashboardHandler> {
  const fixed = await loadFixedFiles(signIn);
  const contentSecurityPolicy = dashboardContentSecurityPolicy(signIn ? new URL(signIn.issuer).origin : undefined);
  return async (request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path !== dashboardPath && !path.startsWith(`${dashboardPath}/`)) return false;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const assetPrefix = `${dashboardPath}/assets/`;
    const file = fixed.get(path) ?? (path.startsWith(assetPrefix) ? await readAsset(path.slice(assetPrefix.length)) : undefined);
    if (!file) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found");
      return true;
    }
    response.writeHead(200, {
      "content-type": file.type,
      // Fonts and images are named by their content; the page and its code change with each release.
      "cache-control": path.startsWith(assetPrefix) ? "public, max-age=86400" : "no-cache",
      "x-content-type-options": "nosniff",
      // The gateway's other security headers (browser-access.ts) are set already; this page's policy is its own.
      "content-security-policy": contentSecurityPolicy,
    });
    response.end(request.method === "HEAD" ? undefined : file.body);
    return true;
  };
}
