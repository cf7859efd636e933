/**
 * Where the apiserver's time goes: one apiserver under `node --cpu-prof`, driven through the
 * creates pattern and then the list pattern; the profile's samples are split by phase (V8's
 * profile clock and process.hrtime are both the monotonic clock) and summed by function (self
 * time), by function with callees (inclusive) and by source file.
 *   node --import tsx bench/apiserver/profile.ts [--creates 5000] [--services 10000] [--lists 20] [--top 15]
 *     [--keep FILE.cpuprofile]
 */
import { copyFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type CpuProfile, report, summarize } from "./cpuprofile.ts";
import { benchNamespace, ensureNamespace } from "./creates.ts";
import {
  Client,
  expectStatus,
  intArg,
  load,
  removeDir,
  runPool,
  startApiserver,
  strArg,
  tempDir,
} from "./lib.ts";
import { createServices, tableAccept } from "./list.ts";

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

const top = intArg("top", 15);
const creates = intArg("creates", 5000);
const services = intArg("services", 10_000);
const lists = intArg("lists", 20);
const profDir = tempDir("skiff-bench-prof-");
const api = await startApiserver({ cpuProfDir: profDir });
let windows: { creates: [number, number]; lists: [number, number] };
try {
  console.error(
    `profile: ${creates} creates, ${services} services, ${lists} lists of each kind (load ${load()})`,
  );
  const c = new Client(api.endpoint, 64);
  await ensureNamespace(c);
  const cStart = nowUs();
  await runPool(creates, 64, performance.now() + 120_000, async (i) => {
    const r = await c.request("POST", `/api/v1/namespaces/${benchNamespace}/configmaps`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `cm-${i}`, labels: { app: "bench" } },
      data: { "app.properties": `index=${i}\n` },
    });
    expectStatus(r, 201, "create");
  });
  const cEnd = nowUs();
  await createServices(api.endpoint, services);
  const lStart = nowUs();
  for (let i = 0; i < lists; i++) {
    expectStatus(await c.request("GET", `/api/v1/namespaces/${benchNamespace}/services`), 200, "list");
    expectStatus(
      await c.request("GET", `/api/v1/namespaces/${benchNamespace}/services`, undefined, {
        Accept: tableAccept,
      }),
      200,
      "table",
    );
  }
  windows = { creates: [cStart, cEnd], lists: [lStart, nowUs()] };
  c.close();
} finally {
  // Keep the data dir removal after the profile is written: stop() waits for the exit.
  await api.stop();
}
try {
  // The main thread's profile is the one with the most samples (tsx's loader thread writes one too).
  const files = readdirSync(profDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(profDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${profDir}`);
  const prof = JSON.parse(readFileSync(files[0], "utf8")) as CpuProfile;
  // --keep FILE: the raw profile, for Chrome DevTools or VS Code.
  const keep = strArg("keep");
  if (keep) copyFileSync(files[0], keep);
  console.log(
    report(`Creates (${creates} ConfigMaps, concurrency 64)`, summarize(prof, ...windows.creates, top)),
  );
  console.log("");
  console.log(
    report(
      `Lists (${lists} JSON + ${lists} Table full lists of ${services} Services)`,
      summarize(prof, ...windows.lists, top),
    ),
  );
} finally {
  removeDir(profDir);
}
