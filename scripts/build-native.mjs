#!/usr/bin/env node
// Builds the native UDP addon (native/udpio) with node-gyp. Tolerant: when it cannot build (not
// Linux, no compiler, no headers), it prints one line saying why and exits 0, and skiff dns uses
// Node's dgram socket instead. Skips the build when the addon is newer than its sources.
// Usage: node scripts/build-native.mjs [--force]
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "native", "udpio");
const out = join(dir, "build", "Release", "udpio.node");
const sources = ["udpio.c", "gcstats.cc", "binding.gyp"].map((f) => join(dir, f));

function skip(why) {
  console.log(`native UDP addon not built (${why}); skiff dns will use Node's dgram socket`);
  process.exit(0);
}

if (process.platform !== "linux") skip(`recvmmsg/sendmmsg need Linux, this is ${process.platform}`);

const force = process.argv.includes("--force");
if (!force && existsSync(out)) {
  const built = statSync(out).mtimeMs;
  if (sources.every((s) => statSync(s).mtimeMs <= built)) process.exit(0);
}

const has = (t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0;
const missing = ["python3", "make", "cc"].filter((t) => !has(t));
if (missing.length > 0) skip(`missing ${missing.join(", ")}: apt-get install python3 make gcc`);
// The GC counters (gcstats.cc) are C++; without a C++ compiler the addon is built without them
// (and linked with cc), and skiff dns counts collections with prom-client's observer instead.
const withGcStats = has("c++");
if (!withGcStats)
  console.log("native addon: no C++ compiler (apt-get install g++), building it without the GC counters");

// npm sets npm_config_node_gyp when it runs a script; otherwise use the node-gyp bundled with
// the npm next to this node (works offline, unlike npx fetching one).
const prefix = dirname(dirname(process.execPath));
const gyp = [
  process.env.npm_config_node_gyp,
  join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
].find((p) => p && existsSync(p));
if (!gyp) skip("node-gyp not found (it comes with npm)");

// Headers: the system's node (Debian installs them under /usr/include/node) rather than a
// download, which fails offline.
const args = [gyp, "rebuild", "--directory", dir];
const nodedir = process.env.npm_config_nodedir;
if (!nodedir && existsSync(join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
// After "--": for gyp itself (binding.gyp's variable).
args.push("--", `-Dwith_gcstats=${withGcStats ? 1 : 0}`);

// gyp's makefiles link with the C++ compiler; the C-only addon links with cc as well.
const env = withGcStats ? process.env : { ...process.env, LINK: "cc" };
const r = spawnSync(process.execPath, args, { encoding: "utf8", env });
if (r.status !== 0 || !existsSync(out)) {
  const lines = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.split("\n");
  const why = lines.find((l) => /error/i.test(l) && !/gyp info/.test(l)) ?? `node-gyp exited ${r.status}`;
  skip(`node-gyp failed: ${why.trim()}`);
}
console.log(`native UDP addon built: ${out.slice(root.length + 1)}`);
