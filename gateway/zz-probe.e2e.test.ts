import { it } from "vitest";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { postGraphQL, startStack, testReader, testAdmin, testDriver } from "../test/helpers.js";

const dir = "/work/main/tmp/probeq";
it("probe server", async () => {
  const stack = await startStack();
  const driver = testDriver();
  writeFileSync(`${dir}/READY`, stack.gateway.url);
  const callers: Record<string, unknown> = { anon: null, reader: testReader, admin: testAdmin,
    editor: { sub: "test-editor", roles: ["editor"], organisations: ["companies-house"] } };
  const deadline = Date.now() + 40 * 60_000;
  while (Date.now() < deadline && !existsSync(`${dir}/STOP`)) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".req.json"))) {
      const req = JSON.parse(readFileSync(`${dir}/${f}`, "utf8"));
      const out: unknown[] = [];
      for (const r of req) {
        try {
          if (r.cypher) { const res = await driver.executeQuery(r.cypher, r.params ?? {}); out.push({ cypher: r.cypher, rows: res.records.map((x) => x.toObject()) }); continue; }
          const caller = typeof r.as === "string" ? callers[r.as] : r.as;
          const res = await postGraphQL(stack.gateway.url, r.query, r.variables ?? {}, caller as never);
          out.push({ as: r.as, query: r.query, status: res.status, body: res.body });
        } catch (e) { out.push({ error: String(e) }); }
      }
      writeFileSync(`${dir}/${f.replace(".req.json", ".res.json")}`, JSON.stringify(out, null, 1));
      renameSync(`${dir}/${f}`, `${dir}/${f}.done`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await driver.close();
  await stack.close();
}, 45 * 60_000);
