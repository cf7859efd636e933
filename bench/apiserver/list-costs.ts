/**
 * What serving one big list costs, step by step, in-process (no HTTP): the embedded store's own
 * list (SQL + one JSON.parse per row), the floor of a plain range scan, JSON.parse, JSON.stringify,
 * structuredClone of each object's metadata (what Table rows with metadata do), and splicing the
 * stored JSON strings into a body with the resourceVersion put in. Evidence for where a list's
 * time goes; run it after changing the list path.
 *   node --import tsx bench/apiserver/list-costs.ts [--services 10000] [--reps 10]
 */

import { join } from "node:path";
import Database from "better-sqlite3";
import type { KubeObject } from "../../src/api/machinery/types.ts";
import { SqliteStore } from "../../src/api/storage/index.ts";
import { fmt, intArg, load, removeDir, stats, tempDir } from "./lib.ts";

const services = intArg("services", 10_000);
const reps = intArg("reps", 10);
const prefix = "/services/bench/";

/** A Service as the apiserver stores it after defaulting. */
const service = (i: number): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: {
    name: `svc-${i}`,
    namespace: "bench",
    uid: `6efc48ae-e3af-4755-b0ce-${String(i).padStart(12, "0")}`,
    creationTimestamp: "2026-11-22T06:14:18Z",
    labels: { app: `app-${i % 100}` },
  },
  spec: {
    selector: { app: `app-${i % 100}` },
    ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }],
    sessionAffinity: "None",
    type: "ClusterIP",
    internalTrafficPolicy: "Cluster",
  },
  status: { loadBalancer: {} },
});

async function time(label: string, f: () => unknown | Promise<unknown>): Promise<[string, number]> {
  await f();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return [label, stats(ms).p50];
}

const dir = tempDir("skiff-bench-listcost-");
try {
  const path = join(dir, "state.db");
  const store = SqliteStore.open(path);
  for (let i = 0; i < services; i++) await store.create(`${prefix}svc-${i}`, service(i));
  const raw = new Database(path, { readonly: true });
  const scan = raw.prepare("SELECT id, value FROM log WHERE name >= ? AND name < ?").raw();
  const rows = scan.all(prefix, `${prefix.slice(0, -1)}0`) as Array<[number, string]>;
  if (rows.length !== services) throw new Error(`scan saw ${rows.length} rows, want ${services}`);
  const objects = rows.map(([, v]) => JSON.parse(v) as KubeObject);

  console.error(`list-costs: ${services} services, median of ${reps} (load ${load()})`);
  const results = [
    await time("store.list (the SqliteStore path: SQL + JSON.parse per row)", async () => {
      const l = await store.list(prefix);
      if (l.items.length !== services) throw new Error("short list");
    }),
    await time("plain range scan, raw rows (SQL floor: one row per name)", () =>
      scan.all(prefix, `${prefix.slice(0, -1)}0`),
    ),
    await time("JSON.parse of every stored value", () => rows.map(([, v]) => JSON.parse(v))),
    await time("JSON.stringify of the whole list", () =>
      JSON.stringify({ kind: "ServiceList", items: objects }),
    ),
    await time("structuredClone of every object's metadata", () =>
      objects.map((o) => structuredClone(o.metadata)),
    ),
    await time("splice stored JSON into a body, resourceVersion put in", () => {
      const parts: string[] = [];
      for (const [id, v] of rows)
        parts.push(v.replace('"metadata":{', `"metadata":{"resourceVersion":"${id}",`));
      return `{"kind":"ServiceList","items":[${parts.join(",")}]}`;
    }),
  ];
  raw.close();
  await store.close();
  console.log(`List costs for ${services} Services, in-process, median of ${reps} runs`);
  console.log("");
  console.log("| step | ms |");
  console.log("|---|---|");
  for (const [label, ms] of results) console.log(`| ${label} | ${fmt(ms)} |`);
} finally {
  removeDir(dir);
}
