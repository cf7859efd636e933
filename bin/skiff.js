#!/usr/bin/env node
// Runs the bundle from `npm run build` when it is newer than every source file; otherwise the
// TypeScript sources through tsx, so an edited tree never runs stale code.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bundle = join(root, "dist/skiff.mjs");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const fresh =
  existsSync(bundle) &&
  statSync(bundle).mtimeMs >=
    Math.max(newestSource(join(root, "src")), statSync(join(root, "package.json")).mtimeMs);
if (fresh) {
  await import(bundle);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
