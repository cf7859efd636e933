/**
 * One conformance suite for every Store backend. Expectations follow etcd (and so kube-apiserver
 * over etcd): one global revision, conditional writes, reads at a past revision until compacted,
 * watches from a revision that replay history then stream live events in order.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import type { KubeObject } from "../machinery/types.ts";
import type { AutoCompactionOptions } from "./auto-compaction.ts";
import {
  ExpiredError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type Store,
  type WatchEvent,
  type Watcher,
} from "./types.ts";

export interface ConformanceStore extends Store {
  startAutoCompaction(opts: AutoCompactionOptions): () => void;
  runAutoCompaction(): Map<string, number>;
  floorFor(prefix: string): number;
}

function obj(name: string, data: Record<string, string> = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data, ...extra };
}

/** Polls a condition until it holds or the deadline passes. */
async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending replays and timers run (the store delivers on later turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

interface Recorder {
  events: WatchEvent[];
  closed: (Error | undefined)[];
  watcher: Watcher;
}

function record(
  store: Store,
  prefix: string,
  afterRevision: number,
  onEvent?: (ev: WatchEvent) => void,
): Recorder {
  const rec: Recorder = { events: [], closed: [], watcher: { stop() {} } };
  rec.watcher = store.watch(prefix, {
    afterRevision,
    onEvent: (ev) => {
      rec.events.push(ev);
      onEvent?.(ev);
    },
    onClose: (err) => rec.closed.push(err),
  });
  return rec;
}

function revisionsOf(events: WatchEvent[]): number[] {
  return events.map((e) => e.revision);
}

function assertStrictlyIncreasing(revs: number[]): void {
  for (let i = 1; i < revs.length; i++)
    assert.ok(revs[i] > revs[i - 1], `revision ${revs[i]} after ${revs[i - 1]}`);
}

export function runStoreConformance(
  name: string,
  makeStore: () => ConformanceStore | Promise<ConformanceStore>,
): void {
  describe(`Store conformance: ${name}`, () => {
    const open: ConformanceStore[] = [];
    async function fresh(): Promise<ConformanceStore> {
      const s = await makeStore();
      open.push(s);
      return s;
    }
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    test("an empty store is at revision 0 and holds nothing", async () => {
      const s = await fresh();
      assert.equal(s.currentRevision(), 0);
      assert.equal(s.compactedRevision(), 0);
      assert.equal(await s.get("/configmaps/default/a"), undefined);
      assert.deepEqual(await s.list("/configmaps/"), { items: [], revision: 0, remaining: 0 });
      assert.equal(await s.count("/"), 0);
    });

    test("create stores a copy without metadata.resourceVersion and returns revisions", async () => {
      const s = await fresh();
      const input = obj("a", { k: "v" });
      input.metadata.resourceVersion = "999";
      // Only the object's own resourceVersion is the store's: references keep theirs.
      input.involvedObject = { kind: "Pod", name: "p", resourceVersion: "42" };
      const created = await s.create("/configmaps/default/a", input);
      assert.equal(created.key, "/configmaps/default/a");
      assert.equal(created.modRevision, 1);
      assert.equal(created.createRevision, 1);
      assert.equal(created.object.metadata.resourceVersion, undefined);
      assert.equal(created.object.involvedObject.resourceVersion, "42");
      assert.equal(input.metadata.resourceVersion, "999", "the caller's object is not modified");
      input.data.k = "changed";
      created.object.data.k = "mutated";
      const got = await s.get("/configmaps/default/a");
      assert.ok(got);
      assert.deepEqual(got.object.data, { k: "v" });
      got.object.data.k = "mutated again";
      assert.deepEqual((await s.get("/configmaps/default/a"))?.object.data, { k: "v" });
      assert.equal(s.currentRevision(), 1);
    });

    test("create of an existing key fails with KeyExistsError and uses no revision", async () => {
      const s = await fresh();
      await s.create("/configmaps/default/a", obj("a"));
      await assert.rejects(s.create("/configmaps/default/a", obj("a")), (err: unknown) => {
        assert.ok(err instanceof KeyExistsError);
        assert.equal(err.key, "/configmaps/default/a");
        return true;
      });
      assert.equal(s.currentRevision(), 1);
    });

    test("update needs the current revision; a stale one gets RevisionConflictError with the current object", async () => {
      const s = await fresh();
      const c = await s.create("/configmaps/default/a", obj("a", { v: "1" }));
      const u = await s.update("/configmaps/default/a", obj("a", { v: "2" }), c.modRevision);
      assert.equal(u.modRevision, 2);
      assert.equal(u.createRevision, 1);
      assert.deepEqual(u.object.data, { v: "2" });
      await assert.rejects(
        s.update("/configmaps/default/a", obj("a", { v: "3" }), c.modRevision),
        (err: unknown) => {
          assert.ok(err instanceof RevisionConflictError);
          assert.equal(err.key, "/configmaps/default/a");
          assert.equal(err.current.modRevision, 2);
          assert.deepEqual(err.current.object.data, { v: "2" });
          return true;
        },
      );
      await assert.rejects(s.update("/configmaps/default/missing", obj("missing"), 1), KeyNotFoundError);
      assert.equal(s.currentRevision(), 2);
      assert.deepEqual((await s.get("/configmaps/default/a"))?.object.data, { v: "2" });
    });

    test("delete: conditional and unconditional, missing keys, re-create after delete", async () => {
      const s = await fresh();
      await assert.rejects(s.delete("/configmaps/default/a"), KeyNotFoundError);
      const c = await s.create("/configmaps/default/a", obj("a", { v: "1" }));
      await s.update("/configmaps/default/a", obj("a", { v: "2" }), c.modRevision);
      await assert.rejects(s.delete("/configmaps/default/a", c.modRevision), (err: unknown) => {
        assert.ok(err instanceof RevisionConflictError);
        assert.equal(err.current.modRevision, 2);
        return true;
      });
      const d = await s.delete("/configmaps/default/a", 2);
      assert.equal(d.modRevision, 3, "the deleted object carries the delete's revision");
      assert.equal(d.createRevision, 1);
      assert.deepEqual(d.object.data, { v: "2" });
      assert.equal(await s.get("/configmaps/default/a"), undefined);
      await assert.rejects(s.delete("/configmaps/default/a"), KeyNotFoundError);
      await assert.rejects(s.update("/configmaps/default/a", obj("a"), 3), KeyNotFoundError);
      const again = await s.create("/configmaps/default/a", obj("a", { v: "new" }));
      assert.equal(again.modRevision, 4);
      assert.equal(again.createRevision, 4);
      const gone = await s.delete("/configmaps/default/a");
      assert.equal(gone.modRevision, 5);
      assert.equal(s.currentRevision(), 5);
    });

    test("revisions strictly increase across every kind of write", async () => {
      const s = await fresh();
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) {
        const k = `/configmaps/default/k${i % 3}`;
        const cur = await s.get(k);
        if (!cur) seen.push((await s.create(k, obj(`k${i}`))).modRevision);
        else if (i % 2 === 0) seen.push((await s.update(k, obj(`k${i}`), cur.modRevision)).modRevision);
        else seen.push((await s.delete(k)).modRevision);
        assert.equal(s.currentRevision(), seen[seen.length - 1]);
      }
      assertStrictlyIncreasing(seen);
      assert.deepEqual(
        seen,
        seen.map((_, i) => i + 1),
      );
    });

    test("list: prefix, key order, the revision read at, count", async () => {
      const s = await fresh();
      for (const n of ["b", "a", "c"]) await s.create(`/configmaps/default/${n}`, obj(n));
      await s.create("/configmaps/defaultx/z", obj("z"));
      await s.create("/secrets/default/a", obj("a"));
      await s.delete("/configmaps/default/c");
      const r = await s.list("/configmaps/default/");
      assert.deepEqual(
        r.items.map((i) => i.key),
        ["/configmaps/default/a", "/configmaps/default/b"],
      );
      assert.equal(r.revision, 6);
      assert.equal(r.remaining, 0);
      assert.deepEqual(r.items[0], {
        key: "/configmaps/default/a",
        object: obj("a"),
        modRevision: 2,
        createRevision: 2,
      });
      assert.equal((await s.list("/configmaps/")).items.length, 3);
      assert.equal((await s.list("")).items.length, 4);
      assert.equal(await s.count("/configmaps/default/"), 2);
      assert.equal(await s.count("/configmaps/"), 3);
      assert.equal(await s.count("/"), 4);
      const listed = (await s.list("/configmaps/default/")).items[0];
      listed.object.metadata.name = "mutated";
      assert.equal((await s.get("/configmaps/default/a"))?.object.metadata.name, "a");
    });

    test("list pages: limit, startAfter, remaining, every page at the first page's revision", async () => {
      const s = await fresh();
      for (let i = 0; i < 10; i++) await s.create(`/configmaps/default/k${i}`, obj(`k${i}`, { v: "old" }));
      const first = await s.list("/configmaps/default/", { limit: 4 });
      assert.deepEqual(
        first.items.map((i) => i.object.metadata.name),
        ["k0", "k1", "k2", "k3"],
      );
      assert.equal(first.remaining, 6);
      // Writes between pages must not show in later pages read at the first page's revision.
      await s.create("/configmaps/default/k45", obj("k45"));
      await s.delete("/configmaps/default/k5");
      const k6 = await s.get("/configmaps/default/k6");
      assert.ok(k6);
      await s.update("/configmaps/default/k6", obj("k6", { v: "new" }), k6.modRevision);
      const opts = { limit: 4, startAfter: first.items[3].key, revision: first.revision };
      const second = await s.list("/configmaps/default/", opts);
      assert.equal(second.revision, first.revision);
      assert.deepEqual(
        second.items.map((i) => i.object.metadata.name),
        ["k4", "k5", "k6", "k7"],
      );
      assert.deepEqual(second.items[2].object.data, { v: "old" });
      assert.equal(second.remaining, 2);
      const third = await s.list("/configmaps/default/", { ...opts, startAfter: second.items[3].key });
      assert.deepEqual(
        third.items.map((i) => i.object.metadata.name),
        ["k8", "k9"],
      );
      assert.equal(third.remaining, 0);
      const now = await s.list("/configmaps/default/");
      assert.deepEqual(
        now.items.map((i) => i.object.metadata.name),
        ["k0", "k1", "k2", "k3", "k4", "k45", "k6", "k7", "k8", "k9"],
      );
      assert.equal(now.revision, s.currentRevision());
      // An exactly full page still reports what is left (0).
      const exact = await s.list("/configmaps/default/", { limit: 10 });
      assert.equal(exact.items.length, 10);
      assert.equal(exact.remaining, 0);
      await assert.rejects(s.list("/configmaps/", { revision: s.currentRevision() + 1 }), /future/);
    });

    test("list pages: remaining stays exact for pages of varying size, a repeated page, and a later revision", async () => {
      const s = await fresh();
      for (let i = 0; i < 9; i++) await s.create(`/configmaps/default/k${i}`, obj(`k${i}`));
      const page = (limit: number, startAfter: string, revision?: number) =>
        s.list("/configmaps/default/", { limit, startAfter, revision });
      const first = await s.list("/configmaps/default/", { limit: 1 });
      assert.equal(first.remaining, 8);
      const rev = first.revision;
      const second = await page(3, first.items[0].key, rev);
      assert.equal(second.remaining, 5);
      // A client retrying the same continue token gets the same page and count.
      const again = await page(3, first.items[0].key, rev);
      assert.deepEqual(
        again.items.map((i) => i.key),
        second.items.map((i) => i.key),
      );
      assert.equal(again.remaining, 5);
      await s.delete("/configmaps/default/k8");
      await s.create("/configmaps/default/k9", obj("k9"));
      await s.create("/configmaps/default/k91", obj("k91"));
      // The same start at the new revision counts the new state, not the old page's count.
      const later = await page(3, first.items[0].key);
      assert.equal(later.remaining, 6);
      const third = await page(2, second.items[2].key, rev);
      assert.deepEqual(
        third.items.map((i) => i.object.metadata.name),
        ["k4", "k5"],
      );
      assert.equal(third.remaining, 3);
    });

    test("compaction: lists below the compacted revision are Expired; at or above it they are exact", async () => {
      const s = await fresh();
      const a = await s.create("/configmaps/default/a", obj("a", { v: "1" })); // 1
      await s.create("/configmaps/default/b", obj("b")); // 2
      await s.update("/configmaps/default/a", obj("a", { v: "2" }), a.modRevision); // 3
      await s.delete("/configmaps/default/b"); // 4
      await s.create("/configmaps/default/c", obj("c")); // 5
      const atThree = await s.list("/configmaps/", { revision: 3 });
      await s.compact(3);
      assert.equal(s.compactedRevision(), 3);
      await assert.rejects(s.list("/configmaps/", { revision: 2 }), (err: unknown) => {
        assert.ok(err instanceof ExpiredError);
        assert.equal(err.requested, 2);
        assert.equal(err.compacted, 3);
        return true;
      });
      assert.deepEqual(await s.list("/configmaps/", { revision: 3 }), atThree);
      assert.deepEqual(
        (await s.list("/configmaps/", { revision: 4 })).items.map((i) => i.key),
        ["/configmaps/default/a"],
      );
      assert.deepEqual(
        (await s.list("/configmaps/")).items.map((i) => [i.key, i.modRevision]),
        [
          ["/configmaps/default/a", 3],
          ["/configmaps/default/c", 5],
        ],
      );
      // Compacting backwards is a no-op; into the future is refused.
      await s.compact(1);
      assert.equal(s.compactedRevision(), 3);
      await assert.rejects(s.compact(99), /future/);
      // Compacting everything keeps the live keys and the revision counter.
      await s.compact(5);
      assert.equal((await s.get("/configmaps/default/a"))?.modRevision, 3);
      assert.equal((await s.create("/configmaps/default/d", obj("d"))).modRevision, 6);
    });

    test("watch replays history in revision order, then streams live events", async () => {
      const s = await fresh();
      const a = await s.create("/configmaps/default/a", obj("a", { v: "1" }));
      await s.update("/configmaps/default/a", obj("a", { v: "2" }), a.modRevision);
      await s.create("/configmaps/default/b", obj("b"));
      await s.delete("/configmaps/default/a");
      const rec = record(s, "/configmaps/", 0);
      await waitFor("replay", () => rec.events.length === 4);
      assert.deepEqual(
        rec.events.map((e) => [e.type, e.current.key, e.revision]),
        [
          ["ADDED", "/configmaps/default/a", 1],
          ["MODIFIED", "/configmaps/default/a", 2],
          ["ADDED", "/configmaps/default/b", 3],
          ["DELETED", "/configmaps/default/a", 4],
        ],
      );
      const [added, modified, , deleted] = rec.events;
      assert.equal(added.previous, undefined);
      assert.equal(added.current.createRevision, 1);
      assert.deepEqual(modified.current.object.data, { v: "2" });
      assert.deepEqual(modified.previous?.object.data, { v: "1" });
      assert.equal(modified.previous?.modRevision, 1);
      assert.equal(deleted.current.modRevision, 4);
      assert.deepEqual(deleted.current.object.data, { v: "2" }, "DELETED carries the last state");
      assert.equal(deleted.previous?.modRevision, 2);
      await s.create("/configmaps/default/c", obj("c"));
      await waitFor("live event", () => rec.events.length === 5);
      assert.equal(rec.events[4].type, "ADDED");
      assert.equal(rec.events[4].revision, 5);
      // Watching from a revision skips what came before it.
      const later = record(s, "/configmaps/", 3);
      await waitFor("replay from 3", () => later.events.length === 2);
      assert.deepEqual(revisionsOf(later.events), [4, 5]);
    });

    test("watch event objects are shared between watchers and frozen", async () => {
      const s = await fresh();
      const one = record(s, "/configmaps/", 0);
      const two = record(s, "/configmaps/", 0);
      await settle();
      await s.create("/configmaps/default/a", obj("a"));
      await waitFor("events", () => one.events.length === 1 && two.events.length === 1);
      assert.equal(one.events[0].current.object, two.events[0].current.object);
      assert.ok(Object.isFrozen(one.events[0].current.object.metadata));
      assert.throws(() => {
        one.events[0].current.object.metadata.name = "x";
      }, TypeError);
    });

    test("watch has no gaps or duplicates when writes happen during replay", async () => {
      const s = await fresh();
      // More than one replay batch (500), with writes interleaved between batches and from callbacks.
      for (let i = 0; i < 1200; i++) await s.create(`/configmaps/default/k${i}`, obj(`k${i}`));
      let wroteFromCallback = false;
      const rec = record(s, "/configmaps/", 0, (ev) => {
        if (ev.revision === 10 && !wroteFromCallback) {
          wroteFromCallback = true;
          void s.create("/configmaps/default/from-callback", obj("from-callback"));
        }
      });
      let extra = 0;
      const writer = (async () => {
        while (extra < 300) {
          await s.create(`/configmaps/default/x${extra}`, obj(`x${extra}`));
          extra++;
          await new Promise((r) => setImmediate(r));
        }
      })();
      await writer;
      const total = 1200 + 300 + 1;
      await waitFor("all events", () => rec.events.length >= total);
      await settle();
      const revs = revisionsOf(rec.events);
      assert.equal(revs.length, total);
      assert.deepEqual(
        revs,
        Array.from({ length: total }, (_, i) => i + 1),
      );
    });

    test("a watcher's callback that writes does not reorder events for other watchers", async () => {
      const s = await fresh();
      const writer = record(s, "/configmaps/", 0, (ev) => {
        if (ev.current.key === "/configmaps/default/a") void s.create("/configmaps/default/b", obj("b"));
      });
      const other = record(s, "/configmaps/", 0);
      await settle();
      await s.create("/configmaps/default/a", obj("a"));
      await waitFor("both events", () => other.events.length === 2 && writer.events.length === 2);
      assert.deepEqual(revisionsOf(other.events), [1, 2]);
      assert.deepEqual(revisionsOf(writer.events), [1, 2]);
    });

    test("watch of a prefix sees only that prefix", async () => {
      const s = await fresh();
      const ns = record(s, "/configmaps/default/", 0);
      const all = record(s, "/", 0);
      await settle();
      await s.create("/configmaps/default/a", obj("a"));
      await s.create("/configmaps/defaultx/a", obj("a"));
      await s.create("/secrets/default/a", obj("a"));
      await s.create("/configmaps/default/b", obj("b"));
      await waitFor("events", () => all.events.length === 4 && ns.events.length === 2);
      await settle();
      assert.deepEqual(
        ns.events.map((e) => e.current.key),
        ["/configmaps/default/a", "/configmaps/default/b"],
      );
      assert.deepEqual(revisionsOf(all.events), [1, 2, 3, 4]);
    });

    test("watch from below the compacted revision throws ExpiredError at once", async () => {
      const s = await fresh();
      const a = await s.create("/configmaps/default/a", obj("a"));
      await s.update("/configmaps/default/a", obj("a", { v: "2" }), a.modRevision);
      await s.update("/configmaps/default/a", obj("a", { v: "3" }), 2);
      await s.compact(2);
      assert.throws(
        () => s.watch("/configmaps/", { afterRevision: 1, onEvent: () => {} }),
        (err: unknown) => err instanceof ExpiredError && err.requested === 1 && err.compacted === 2,
      );
      // From the compacted revision itself: the events after it, with their previous state.
      const rec = record(s, "/configmaps/", 2);
      await waitFor("replay", () => rec.events.length === 1);
      assert.equal(rec.events[0].type, "MODIFIED");
      assert.deepEqual(rec.events[0].previous?.object.data, { v: "2" });
    });

    test("a compaction that overtakes a replaying watch ends it with ExpiredError through onClose", async () => {
      const s = await fresh();
      let rev = (await s.create("/configmaps/default/a", obj("a", { v: "0" }))).modRevision;
      for (let i = 1; i < 5; i++)
        rev = (await s.update("/configmaps/default/a", obj("a", { v: `${i}` }), rev)).modRevision;
      const rec = record(s, "/configmaps/", 0);
      // Replay has not started yet (it begins on a later turn): events 1..4 are now gone.
      await s.compact(4);
      await waitFor("close", () => rec.closed.length === 1);
      assert.ok(rec.closed[0] instanceof ExpiredError);
      assert.deepEqual(rec.events, []);
    });

    test("stop() ends delivery; close() ends watches with onClose and refuses further use", async () => {
      const s = await fresh();
      const stopped = record(s, "/configmaps/", 0);
      const open = record(s, "/configmaps/", 0);
      await settle();
      await s.create("/configmaps/default/a", obj("a"));
      await waitFor("first events", () => stopped.events.length === 1 && open.events.length === 1);
      stopped.watcher.stop();
      await s.create("/configmaps/default/b", obj("b"));
      await waitFor("second event", () => open.events.length === 2);
      await settle();
      assert.equal(stopped.events.length, 1);
      assert.deepEqual(stopped.closed, [], "stop() is not a close");
      // A watcher stopped before its replay began gets nothing.
      const early = record(s, "/configmaps/", 0);
      early.watcher.stop();
      await settle();
      assert.equal(early.events.length, 0);
      await s.close();
      assert.deepEqual(open.closed, [undefined]);
      await assert.rejects(s.get("/configmaps/default/a"), /closed/);
      await assert.rejects(s.create("/configmaps/default/c", obj("c")), /closed/);
      assert.throws(() => s.watch("/", { afterRevision: 0, onEvent: () => {} }), /closed/);
    });

    test("auto-compaction keeps the newest events of each type and everything younger than minAge", async () => {
      const s = await fresh();
      let now = 1_000_000;
      const stop = s.startAutoCompaction({
        intervalMs: 3_600_000,
        minAgeMs: 75_000,
        minEventsPerType: 3,
        now: () => now,
      });
      const c = await s.create("/configmaps/default/a", obj("a", { v: "0" })); // 1
      let rev = c.modRevision;
      for (let i = 1; i <= 6; i++)
        rev = (await s.update("/configmaps/default/a", obj("a", { v: `${i}` }), rev)).modRevision; // 2..7
      await s.create("/secrets/default/s", obj("s")); // 8: a type with few events
      // Everything is younger than minAge: nothing may go.
      assert.deepEqual(s.runAutoCompaction(), new Map());
      assert.equal(s.floorFor("/configmaps/"), 0);
      now += 75_000;
      // Keep configmaps' newest 3 events (5, 6, 7): compact to 4. Secrets: only 1 event, untouched.
      assert.deepEqual(s.runAutoCompaction(), new Map([["/configmaps/", 4]]));
      assert.equal(s.floorFor("/configmaps/default/"), 4);
      assert.equal(s.floorFor("/secrets/"), 0);
      assert.equal(s.floorFor("/"), 4, "a watch across types needs every type's history");
      assert.throws(() => s.watch("/configmaps/", { afterRevision: 3, onEvent: () => {} }), ExpiredError);
      await assert.rejects(s.list("/configmaps/", { revision: 3 }), ExpiredError);
      const cms = record(s, "/configmaps/", 4);
      const secrets = record(s, "/secrets/", 0);
      await waitFor("replays", () => cms.events.length === 3 && secrets.events.length === 1);
      assert.deepEqual(revisionsOf(cms.events), [5, 6, 7]);
      assert.deepEqual(cms.events[0].previous?.object.data, { v: "3" });
      assert.deepEqual((await s.list("/configmaps/", { revision: 4 })).items[0].object.data, { v: "3" });
      // New writes are young again: the next pass may not pass them.
      for (let i = 7; i <= 10; i++)
        rev = (await s.update("/configmaps/default/a", obj("a", { v: `${i}` }), rev)).modRevision; // 9..12
      // Revision 8 (the secret) is old now, but configmaps' newest three are 10..12.
      assert.deepEqual(s.runAutoCompaction(), new Map([["/configmaps/", 8]]));
      now += 75_000;
      assert.deepEqual(s.runAutoCompaction(), new Map([["/configmaps/", 9]]));
      assert.equal((await s.get("/configmaps/default/a"))?.object.data.v, "10");
      stop();
      assert.deepEqual(s.runAutoCompaction(), new Map(), "stopped");
    });
  });
}
