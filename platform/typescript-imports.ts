/**
 * Lets Node run the project's TypeScript itself (its own type stripping) instead of through tsx, whose
 * loader thread and transformed sources held about 70 MB of each server process. The sources import
 * each other as `./x.js`, as TypeScript's NodeNext resolution wants; a `.js` that is not there is its
 * `.ts`. Registered in the process's own thread (module.registerHooks), so it adds no thread of its own.
 */
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith("./") || specifier.startsWith("../");
      if (!relative || !specifier.endsWith(".js") || (error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
