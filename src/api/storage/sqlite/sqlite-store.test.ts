import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runStoreConformance } from "../conformance.ts";
import { SqliteStore } from "./sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "skiff-sqlite-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const nextPath = () => join(dir, `store-${files++}.db`);

runStoreConformance("sqlite", () => SqliteStore.open(nextPath()));

const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { v: name } });

describe("SqliteStore persistence", () => {
  test("data, revisions and compaction survive close and reopen", async () => {
    const path = nextPath();
    let s = SqliteStore.open(path);
    await s.create("/configmaps/default/a", cm("a"));
    await s.create("/configmaps/default/b", cm("b"));
    await s.delete("/configmaps/default/b");
    await s.close();
    s = SqliteStore.open(path);
    assert.equal(s.currentRevision(), 3);
    assert.equal((await s.get("/configmaps/default/a"))?.modRevision, 1);
    assert.equal(await s.get("/configmaps/default/b"), undefined);
    await s.compact(2);
    await s.close();
    s = SqliteStore.open(path);
    assert.equal(s.compactedRevision(), 2);
    assert.equal((await s.create("/configmaps/default/c", cm("c"))).modRevision, 4);
    await s.close();
  });

  test("the revision survives compaction of everything and a restart", async () => {
    const path = nextPath();
    let s = SqliteStore.open(path);
    for (const n of ["a", "b", "c"]) await s.create(`/configmaps/default/${n}`, cm(n));
    for (const n of ["a", "b", "c"]) await s.delete(`/configmaps/default/${n}`);
    await s.compact(6);
    assert.equal(await s.count("/"), 0);
    await s.close();
    s = SqliteStore.open(path);
    assert.equal(s.currentRevision(), 6, "AUTOINCREMENT keeps the sequence with no rows left");
    assert.equal(s.compactedRevision(), 6);
    assert.equal((await s.create("/configmaps/default/a", cm("a"))).modRevision, 7);
    await s.close();
  });

  test("automatic per-type compaction floors survive a restart", async () => {
    const path = nextPath();
    let s = SqliteStore.open(path);
    let now = 0;
    s.startAutoCompaction({ intervalMs: 3_600_000, minAgeMs: 10, minEventsPerType: 2, now: () => now });
    let rev = (await s.create("/configmaps/default/a", cm("a"))).modRevision;
    for (let i = 0; i < 4; i++) rev = (await s.update("/configmaps/default/a", cm(`a${i}`), rev)).modRevision;
    now = 100;
    assert.deepEqual(s.runAutoCompaction(), new Map([["/configmaps/", 3]]));
    await s.close();
    s = SqliteStore.open(path);
    assert.equal(s.floorFor("/configmaps/"), 3);
    assert.throws(() => s.watch("/configmaps/", { afterRevision: 2, onEvent: () => {} }), /compacted/);
    // History from before the restart counts toward the newest events of a type.
    s.startAutoCompaction({ intervalMs: 3_600_000, minAgeMs: 0, minEventsPerType: 2, now: () => now });
    assert.deepEqual(s.runAutoCompaction(), new Map(), "still at its floor: the newest two are 4 and 5");
    await s.update("/configmaps/default/a", cm("a5"), rev);
    assert.deepEqual(s.runAutoCompaction(), new Map([["/configmaps/", 4]]));
    await s.close();
  });

  test("every acknowledged create survives kill -9 of the writing process", async () => {
    const path = nextPath();
    const fixture = fileURLToPath(new URL("./crash-writer.fixture.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", fixture, path], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: string[] = [];
    let partial = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      acked.push(...lines);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 30_000;
    try {
      while (acked.length < 3000) {
        if (child.exitCode !== null) throw new Error(`writer exited early: ${stderr}`);
        if (Date.now() > deadline)
          throw new Error(`only ${acked.length} creates acknowledged in 30 s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    }
    assert.equal(await exited, "SIGKILL");
    const store = SqliteStore.open(path);
    try {
      const { items } = await store.list("/configmaps/default/");
      const present = new Set(items.map((i) => i.key));
      const missing = acked.filter((k) => !present.has(k));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged creates lost`);
      const maxOld = Math.max(...items.map((i) => i.modRevision));
      assert.ok(store.currentRevision() >= maxOld);
      const fresh = await store.create("/configmaps/default/after-crash", cm("after-crash"));
      assert.ok(fresh.modRevision > maxOld, `${fresh.modRevision} > ${maxOld}`);
    } finally {
      await store.close();
    }
  });
});
