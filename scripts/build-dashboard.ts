/** npm run build:dashboard: the dashboard's browser code, bundled into dashboard/dist (dashboard/build.ts). */
import { buildDashboard, dashboardBundlePath } from "../dashboard/build.js";

await buildDashboard();
console.log(`Built ${dashboardBundlePath}`);
