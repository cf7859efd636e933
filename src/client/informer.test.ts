import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { KubeObject } from "../api/machinery/types.ts";
import { Backoff } from "../util/backoff.ts";
import { namespaceIndex } from "./cache.ts";
import { Informer, type InformerOptions } from "./informer.ts";
import type { ListerWatcher } from "./reflector.ts";
import type { ResourceClient } from "./resource.ts";
import { RestClient } from "./rest.ts";
import { FakeApiserver } from "./testing/fake-apiserver.ts";
import { waitFor } from "./testing/wait.ts";

const configmaps = { group: "", version: "v1", plural: "configmaps", namespaced: true };

type Ev = ["add", string, string] | ["update", string, string, string] | ["delete", string, string, boolean];

/** An informer on the fake apiserver that records every handler call as [what, key, rv…]. */
class Harness {
  readonly events: Ev[] = [];
  readonly errors: Array<[string, unknown]> = [];
  readonly ac = new AbortController();
  readonly informer: Informer<KubeObject>;
  readonly rest: RestClient;
  readonly cms: ResourceClient;
  running: Promise<void> | undefined;

  constructor(
    api: FakeApiserver,
    opts: InformerOptions<KubeObject> = {},
    lw?: (c: ResourceClient) => ListerWatcher<KubeObject>,
  ) {
    this.rest = new RestClient({ server: api.url, namespace: "default" });
    this.cms = this.rest.resource(configmaps);
    this.informer = new Informer(lw ? lw(this.cms) : this.cms, {
      indexers: namespaceIndex,
      pageSize: 2,
      backoff: new Backoff({ initialMs: 5, maxMs: 50 }),
      onError: (err, phase) => this.errors.push([phase, err]),
      ...opts,
    });
    const key = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;
    this.informer.addEventHandler({
      onAdd: (o) => this.events.push(["add", key(o), o.metadata.resourceVersion ?? ""]),
      onUpdate: (a, b) =>
        this.events.push([
          "update",
          key(b),
          a.metadata.resourceVersion ?? "",
          b.metadata.resourceVersion ?? "",
        ]),
      onDelete: (o, info) =>
        this.events.push(["delete", key(o), o.metadata.resourceVersion ?? "", info.finalStateUnknown]),
    });
  }

  start(): void {
    this.running = this.informer.run(this.ac.signal);
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.running;
    this.rest.close();
  }

  data(key: string): unknown {
    return this.informer.get(key)?.data;
  }
}

describe("Informer against a fake apiserver", () => {
  let api: FakeApiserver;
  let h: Harness | undefined;
  beforeEach(async () => {
    api = new FakeApiserver();
    await api.start();
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    await api.stop();
  });

  test("paginated list, sync, then watch from the list's resourceVersion", async () => {
    for (const n of ["a", "b", "c", "d", "e"]) api.put(n === "e" ? "kube-system" : "default", n, { n });
    h = new Harness(api);
    assert.equal(h.informer.hasSynced(), false);
    h.start();
    assert.equal(await h.informer.waitForSync(), true);
    assert.equal(h.informer.hasSynced(), true);
    // 5 objects in pages of 2: three list requests, the later ones with continue tokens.
    const lists = api.requestsOf("list");
    assert.equal(lists.length, 3);
    assert.deepEqual(
      lists.map((r) => [r.query.get("limit"), r.query.has("continue")]),
      [
        ["2", false],
        ["2", true],
        ["2", true],
      ],
    );
    assert.equal(h.informer.size, 5);
    assert.equal(h.events.filter((e) => e[0] === "add").length, 5);
    assert.equal(h.informer.get("default/a")?.kind, "ConfigMap");
    assert.deepEqual(
      h.informer.byIndex("namespace", "kube-system").map((o) => o.metadata.name),
      ["e"],
    );
    assert.equal(h.informer.byIndex("namespace", "nope").length, 0);
    await waitFor(() => api.watchCount === 1, "watch");
    const w = api.requestsOf("watch")[0].query;
    assert.equal(w.get("resourceVersion"), String(api.rev));
    assert.equal(w.get("allowWatchBookmarks"), "true");
    const timeout = Number(w.get("timeoutSeconds"));
    assert.ok(timeout >= 300 && timeout < 600, `client-go picks 5-10 min, got ${timeout}`);
  });

  test("ADDED, MODIFIED, DELETED reach the cache, the index and the handlers", async () => {
    api.put("default", "a", { v: "1" });
    h = new Harness(api);
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    h.events.length = 0;
    const b = api.put("ns2", "b", { v: "1" });
    const a2 = api.put("default", "a", { v: "2" });
    await waitFor(
      () => h!.data("default/a") !== undefined && (h!.data("default/a") as { v: string }).v === "2",
      "update",
    );
    api.remove("ns2", "b");
    await waitFor(() => h!.informer.get("ns2/b") === undefined, "delete");
    assert.deepEqual(h.events, [
      ["add", "ns2/b", b.metadata.resourceVersion],
      ["update", "default/a", "2", a2.metadata.resourceVersion],
      ["delete", "ns2/b", String(api.rev), false],
    ]);
    assert.deepEqual(h.informer.byIndex("namespace", "ns2"), []);
    assert.equal(h.informer.lastSyncResourceVersion, String(api.rev));
  });

  test("transform: the cache, the indexes and the handlers see only the transformed objects", async () => {
    api.put("default", "a", { v: "1", big: "x".repeat(100) });
    h = new Harness(api, {
      transform: (o) => ({
        metadata: {
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          resourceVersion: o.metadata.resourceVersion,
        },
        data: { v: (o.data as { v: string }).v },
      }),
    });
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    assert.deepEqual(h.data("default/a"), { v: "1" });
    assert.equal(h.informer.get("default/a")?.kind, undefined, "apiVersion/kind dropped too");
    api.put("ns2", "b", { v: "2", big: "y" });
    await waitFor(() => h!.data("ns2/b") !== undefined, "add");
    assert.deepEqual(h.data("ns2/b"), { v: "2" });
    assert.deepEqual(
      h.informer.byIndex("namespace", "ns2").map((o) => o.data),
      [{ v: "2" }],
    );
    assert.deepEqual(
      h.events.map((e) => e.slice(0, 2)),
      [
        ["add", "default/a"],
        ["add", "ns2/b"],
      ],
    );
  });

  test("a bookmark moves the resourceVersion; a dropped connection resumes from it without a relist", async () => {
    api.put("default", "a", {});
    h = new Harness(api);
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    api.paused = true; // the watcher misses this change, only the bookmark tells it the new RV
    api.put("other", "x", {});
    api.paused = false;
    api.bookmark();
    const bookmarkRV = String(api.rev);
    await waitFor(() => h!.informer.lastSyncResourceVersion === bookmarkRV, "bookmark RV");
    api.dropWatches();
    await waitFor(() => api.requestsOf("watch").length === 2 && api.watchCount === 1, "re-watch");
    assert.equal(api.requestsOf("watch")[1].query.get("resourceVersion"), bookmarkRV);
    assert.equal(api.requestsOf("list").length, 1, "no relist after a dropped connection");
    // The resumed watch still delivers.
    api.put("default", "after", { z: "1" });
    await waitFor(() => h!.informer.get("default/after") !== undefined, "event after resume");
    assert.equal(h.informer.get("other/x"), undefined, "skipped by the bookmark, as the server said");
  });

  test("a dropped connection after events resumes from the last event's resourceVersion", async () => {
    h = new Harness(api);
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    api.put("default", "a", {});
    const last = api.put("default", "b", {});
    await waitFor(() => h!.informer.size === 2, "two objects");
    api.dropWatches();
    api.put("default", "c", {}); // made while the client reconnects: replayed from history
    await waitFor(() => h!.informer.size === 3, "missed event replayed");
    assert.equal(api.requestsOf("watch")[1].query.get("resourceVersion"), last.metadata.resourceVersion);
    assert.equal(api.requestsOf("list").length, 1);
  });

  test("ERROR 410 relists: deletes, updates and adds for what the watch missed", async () => {
    api.put("default", "keep", {});
    api.put("default", "change", { v: "1" });
    api.put("default", "vanish", {});
    h = new Harness(api);
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    h.events.length = 0;
    const vanishRV = h.informer.get("default/vanish")?.metadata.resourceVersion;
    api.paused = true;
    const changed = api.put("default", "change", { v: "2" });
    api.remove("default", "vanish");
    const added = api.put("default", "new", {});
    api.compact();
    api.expireWatches();
    api.paused = false;
    await waitFor(() => api.requestsOf("list").length === 2, "relist");
    await waitFor(() => h!.informer.get("default/new") !== undefined, "relisted state");
    assert.deepEqual(
      [...h.events].sort(),
      [
        ["add", "default/new", added.metadata.resourceVersion],
        ["delete", "default/vanish", vanishRV, true],
        ["update", "default/change", "3", changed.metadata.resourceVersion],
      ].sort(),
    );
    assert.deepEqual(h.informer.keys().sort(), ["default/change", "default/keep", "default/new"]);
    await waitFor(() => api.watchCount === 1, "watching again");
    assert.equal(api.requestsOf("watch").at(-1)?.query.get("resourceVersion"), String(api.rev));
  });

  test("server restart: back off while it is down, then resume from the last RV", async () => {
    api.put("default", "a", {});
    h = new Harness(api);
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    const rvBefore = h.informer.lastSyncResourceVersion;
    await api.stop();
    await waitFor(() => h!.errors.some(([p]) => p === "watch"), "a failed reconnect");
    // The store survived the restart (like SQLite): changes made meanwhile are replayed.
    api.put("default", "while-down", {});
    await api.start();
    await waitFor(() => h!.informer.get("default/while-down") !== undefined, "missed change after restart");
    assert.equal(api.requestsOf("list").length, 1, "history was kept: no relist");
    const resumed = api.requestsOf("watch").filter((r) => r.query.get("resourceVersion") === rvBefore);
    assert.ok(resumed.length >= 2, "the reconnect asked for the RV seen before the restart");
    assert.ok(h.informer.get("default/a"), "cache kept while the server was down");
  });

  test("server restart that lost history: 410, relist, deletes for what disappeared", async () => {
    api.put("default", "a", {});
    api.put("default", "b", {});
    h = new Harness(api);
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    await api.stop();
    api.remove("default", "a");
    api.compact();
    await api.start();
    await waitFor(() => h!.informer.get("default/a") === undefined, "relist removed a");
    assert.equal(api.requestsOf("list").length, 2);
    assert.ok(h.events.some((e) => e[0] === "delete" && e[1] === "default/a" && e[3] === true));
    assert.ok(h.informer.get("default/b"));
  });

  test("list failures back off and retry until the server answers", async () => {
    api.put("default", "a", {});
    api.failLists = { count: 3, code: 503 };
    h = new Harness(api);
    h.start();
    assert.equal(await h.informer.waitForSync(), true);
    assert.equal(api.requestsOf("list").length, 4);
    assert.deepEqual(
      h.errors.map(([p, e]) => [p, (e as { code?: number }).code]),
      [
        ["list", 503],
        ["list", 503],
        ["list", 503],
      ],
    );
  });

  test("an expired continue token falls back to a full list", async () => {
    for (const n of ["a", "b", "c", "d"]) api.put("default", n, {});
    let pages = 0;
    h = new Harness(api, {}, (cms) => ({
      list: async (opts) => {
        const page = await cms.list(opts);
        if (++pages === 1) {
          // The first page's snapshot is compacted away before page 2 is asked for.
          api.put("default", "e", {});
          api.compact();
        }
        return page;
      },
      watch: (opts) => cms.watch(opts),
    }));
    h.start();
    await h.informer.waitForSync();
    assert.equal(h.informer.size, 5);
    const lists = api.requestsOf("list");
    assert.deepEqual(
      lists.map((r) => [r.query.get("limit"), r.query.has("continue")]),
      [
        ["2", false],
        ["2", true],
        [null, false],
      ],
    );
  });

  test("waitForSync resolves false on abort; a late handler gets adds; resync calls onUpdate", async () => {
    api.failLists = { count: 1_000_000, code: 500 };
    h = new Harness(api);
    h.start();
    const ac = new AbortController();
    const waiting = h.informer.waitForSync(ac.signal);
    ac.abort();
    assert.equal(await waiting, false);
    await h.stop();

    api.failLists = { count: 0, code: 500 };
    api.put("default", "a", {});
    h = new Harness(api, { resyncMs: 10 });
    h.start();
    await h.informer.waitForSync();
    const late: string[] = [];
    const remove = h.informer.addEventHandler({ onAdd: (o) => late.push(o.metadata.name ?? "") });
    assert.deepEqual(late, ["a"]);
    remove();
    api.put("default", "b", {});
    await waitFor(() => h!.informer.size === 2, "b");
    assert.deepEqual(late, ["a"], "removed handler hears nothing");
    await waitFor(() => h!.events.some((e) => e[0] === "update" && e[2] === e[3]), "a resync update");
  });

  test("a throwing handler does not stop the informer", async () => {
    const handlerErrors: unknown[] = [];
    h = new Harness(api, { onHandlerError: (e) => handlerErrors.push(e) });
    h.informer.addEventHandler({
      onAdd: () => {
        throw new Error("boom");
      },
    });
    h.start();
    await h.informer.waitForSync();
    await waitFor(() => api.watchCount === 1, "watch");
    api.put("default", "a", {});
    api.put("default", "b", {});
    await waitFor(() => h!.informer.size === 2, "both objects despite the throwing handler");
    assert.equal(handlerErrors.length, 2);
  });
});
