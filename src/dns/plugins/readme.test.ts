/**
 * Every plugin folder has a README with Name, Description, Syntax and Examples sections, and each
 * ```corefile (or ~~~ corefile) example in it parses and sets up (nothing is bound or started).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { buildConfig } from "../config.ts";
import { HttpListeners } from "../http.ts";
import { makeLogger } from "../index.ts";
import { Metrics } from "../server/metrics.ts";
import { PLUGINS } from "./index.ts";

const dir = new URL(".", import.meta.url).pathname;
const folders = readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory());

test("every registered plugin has a folder and every folder is registered", () => {
  assert.deepEqual([...PLUGINS.map((p) => p.name)].sort(), [...folders].sort());
});

for (const name of folders) {
  const readme = readFileSync(join(dir, name, "README.md"), "utf8");
  test(`${name}: README sections`, () => {
    for (const s of ["## Name", "## Description", "## Syntax", "## Examples"])
      assert.ok(readme.includes(s), `${name} README lacks ${s}`);
  });
  const examples = [...readme.matchAll(/(?:~~~|```) ?corefile\n([\s\S]*?)(?:~~~|```)/g)].map((m) => m[1]);
  test(`${name}: README has Corefile examples`, () => assert.ok(examples.length > 0));
  examples.forEach((text, i) => {
    test(`${name}: README example ${i + 1} sets up`, async () => {
      const cfg = await buildConfig(text, {
        corefilePath: `${name}/README.md`,
        defaultPort: 53,
        defaultHost: "",
        env: {},
        metrics: new Metrics(new Registry()),
        http: new HttpListeners(),
        logger: makeLogger(() => {}, false),
        instance: { corefile: () => text, reload: async () => {} },
      });
      assert.ok(cfg.blocks.length > 0);
      assert.ok(
        cfg.blocks.some((b) => b.plugins.includes(name)),
        `example ${i + 1} uses ${name}`,
      );
    });
  });
}
