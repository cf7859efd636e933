#!/usr/bin/env node
// Node 20's --test does not glob: find the test files here and hand them over.
// Usage: node scripts/test.mjs [path-prefix ...]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const prefixes = process.argv.slice(2);
const roots = ["src", "test", "bench"];
let files = roots.flatMap((r) => walk(r, []));
if (prefixes.length > 0) files = files.filter((f) => prefixes.some((p) => f.startsWith(p)));
files.sort();
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
