/**
 * The import boundaries of DESIGN.md §3, checked on every source file: each layer may import
 * only the layers listed for it (and itself). cli may import anything.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const src = resolve(new URL("../src", import.meta.url).pathname);

/** Layer of a file: the longest matching folder prefix. */
const layers = [
  "util",
  "api/machinery",
  "api/schema",
  "api/storage",
  "api/resources",
  "api/openapi",
  "api/server",
  "client",
  "controllers",
  "agent",
  "dns",
  "cli",
] as const;
type Layer = (typeof layers)[number];

const allowed: Record<Layer, Layer[]> = {
  util: [],
  // The protobuf codec is driven by the schema; the schema uses only machinery's JSON types.
  "api/machinery": ["util", "api/schema"],
  "api/schema": ["api/machinery"],
  "api/storage": ["api/machinery", "util"],
  "api/resources": ["api/machinery", "util"],
  "api/openapi": ["api/schema", "api/resources", "api/machinery"],
  "api/server": ["api/resources", "api/openapi", "api/machinery", "api/schema", "api/storage", "util"],
  client: ["api/machinery", "util"],
  controllers: ["client", "api/machinery", "util"],
  agent: ["client", "api/machinery", "util"],
  // DNS core and its plugins; only the kubernetes plugin reads the API, through the client.
  dns: ["client", "api/machinery", "util"],
  cli: [...layers],
};

function layerOf(file: string): Layer | undefined {
  const rel = relative(src, file);
  return [...layers].sort((a, b) => b.length - a.length).find((l) => rel === l || rel.startsWith(`${l}/`));
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("every import stays within the layers DESIGN.md allows", () => {
  const violations: string[] = [];
  for (const file of walk(src)) {
    const from = layerOf(file);
    if (!from) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/g)) {
      const target = resolve(dirname(file), m[1]);
      const to = layerOf(target);
      if (!to || to === from) continue;
      if (!allowed[from].includes(to))
        violations.push(`${relative(src, file)} (${from}) imports ${m[1]} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});
