import assert from "node:assert/strict";
import { test } from "node:test";
import { build, type Metafile } from "esbuild";
import { buildOptions } from "../../scripts/build.mjs";

/** Everything an output file loads before its code runs: static imports, through chunks. */
function staticClosure(meta: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const f = todo.pop() ?? "";
    if (seen.has(f)) continue;
    seen.add(f);
    for (const i of meta.outputs[f]?.imports ?? []) if (i.kind === "import-statement") todo.push(i.path);
  }
  return seen;
}

test("the bundle loads a subcommand's packages only when it runs: skiff dns has none of the apiserver's", async () => {
  const o = buildOptions({ outdir: "/nonexistent/skiff-build-test", sourcemap: false });
  const { metafile } = await build({ ...o, write: false, logLevel: "silent" });
  const outputs = Object.entries(metafile.outputs);
  const entry = outputs.find(([, v]) => v.entryPoint === "src/cli/main.ts")?.[0] ?? "";
  const dns = outputs.find(([, v]) => v.entryPoint === "src/cli/dns.ts")?.[0] ?? "";
  assert.ok(entry.endsWith("/skiff.mjs") && dns.includes("/chunks/"), "main and `skiff dns` are split");
  const loaded = new Set([...staticClosure(metafile, entry), ...staticClosure(metafile, dns)]);
  const inputs = new Set([...loaded].flatMap((f) => Object.keys(metafile.outputs[f]?.inputs ?? {})));
  // The apiserver's heavy packages, and the apiserver and controllers themselves.
  for (const pkg of ["better-sqlite3", "@peculiar/x509", "reflect-metadata", "protobufjs/minimal.js"])
    assert.ok(!loaded.has(pkg), `skiff dns loads ${pkg}`);
  for (const dir of ["src/api/server/", "src/api/storage/", "src/controllers/endpointslice/", "src/agent/"])
    assert.deepEqual(
      // version.ts is main's `skiff version` (package.json's version and nothing else).
      [...inputs].filter((f) => f.startsWith(dir) && f !== "src/api/server/version.ts"),
      [],
      `skiff dns loads ${dir}`,
    );
  assert.ok(inputs.has("src/dns/plugins/kubernetes/watch.ts"), "while the DNS code is there");
  // The apiserver's chunk does have them: the check above looks at the right graph.
  const api = outputs.find(([, v]) => v.entryPoint === "src/cli/apiserver.ts")?.[0] ?? "";
  assert.ok(staticClosure(metafile, api).has("better-sqlite3"));
});
