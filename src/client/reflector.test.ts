import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../api/machinery/types.ts";
import { Backoff } from "../util/backoff.ts";
import { ApiError } from "./api-error.ts";
import { type ListerWatcher, Reflector, type ReflectorStore } from "./reflector.ts";
import type { ListOptions, ObjectList, WatchOptions } from "./resource.ts";
import { status } from "./testing/fake-apiserver.ts";
import { waitFor } from "./testing/wait.ts";
import type { WatchEvent } from "./watch.ts";

type Step = WatchEvent<KubeObject>[] | Error;

const cm = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: "d", resourceVersion: rv },
});

/** A ListerWatcher that answers from scripts: each watch call takes the next step. */
class Scripted implements ListerWatcher<KubeObject> {
  lists: ListOptions[] = [];
  watches: WatchOptions[] = [];
  listAnswers: Array<ObjectList<KubeObject> | Error> = [];
  watchSteps: Step[] = [];

  async list(opts: ListOptions): Promise<ObjectList<KubeObject>> {
    this.lists.push(opts);
    const a = this.listAnswers.shift() ?? { metadata: { resourceVersion: "100" }, items: [] };
    if (a instanceof Error) throw a;
    return a;
  }

  async *watch(opts: WatchOptions): AsyncGenerator<WatchEvent<KubeObject>> {
    this.watches.push(opts);
    const step = this.watchSteps.shift();
    if (step === undefined) {
      // Nothing scripted: hang until aborted, like a quiet watch.
      await new Promise<void>((r) => opts.signal?.addEventListener("abort", () => r(), { once: true }));
      return;
    }
    if (step instanceof Error) throw step;
    yield* step;
  }
}

function recorder(): ReflectorStore<KubeObject> & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    replace: (items, rv) => log.push(`replace ${items.map((i) => i.metadata.name).join(",")} @${rv}`),
    upsert: (o) => log.push(`upsert ${o.metadata.name}`),
    remove: (o) => log.push(`remove ${o.metadata.name}`),
  };
}

const fastBackoff = (): Backoff => new Backoff({ initialMs: 1, maxMs: 4 });

describe("Reflector", () => {
  test("watch resumes from the last event's RV after a clean end; a watch error resumes without relisting", async () => {
    const lw = new Scripted();
    lw.listAnswers = [{ metadata: { resourceVersion: "10" }, items: [cm("a", "9")] }];
    lw.watchSteps = [
      [
        { type: "ADDED", object: cm("b", "11") },
        { type: "MODIFIED", object: cm("a", "12") },
      ],
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      [{ type: "BOOKMARK", object: cm("", "20") }],
      [{ type: "DELETED", object: cm("b", "21") }],
    ];
    const store = recorder();
    const errors: string[] = [];
    const r = new Reflector(lw, store, { backoff: fastBackoff(), onError: (_e, p) => errors.push(p) });
    const ac = new AbortController();
    const run = r.run(ac.signal);
    await waitFor(() => lw.watches.length === 5, "five watch calls");
    ac.abort();
    await run;
    assert.deepEqual(
      lw.watches.map((w) => w.resourceVersion),
      ["10", "12", "12", "20", "21"],
    );
    assert.equal(lw.lists.length, 1);
    assert.deepEqual(store.log, ["replace a @10", "upsert b", "upsert a", "remove b"]);
    assert.deepEqual(errors, ["watch"]);
    assert.equal(r.lastSyncResourceVersion, "21");
  });

  test("a 410 answer to the watch request relists at once; another 410 in a row backs off", async () => {
    const lw = new Scripted();
    const gone = new ApiError(status(410, "Expired", "too old resource version"));
    lw.listAnswers = [
      { metadata: { resourceVersion: "5" }, items: [] },
      { metadata: { resourceVersion: "50" }, items: [cm("x", "40")] },
      { metadata: { resourceVersion: "60" }, items: [] },
    ];
    lw.watchSteps = [gone, [{ type: "ERROR", object: status(410, "Expired", "too old") }]];
    const store = recorder();
    const r = new Reflector(lw, store, { backoff: fastBackoff() });
    const ac = new AbortController();
    const run = r.run(ac.signal);
    await waitFor(() => lw.watches.length === 3, "third watch");
    ac.abort();
    await run;
    assert.equal(lw.lists.length, 3);
    assert.deepEqual(
      lw.watches.map((w) => w.resourceVersion),
      ["5", "50", "60"],
    );
    assert.deepEqual(store.log, ["replace  @5", "replace x @50", "replace  @60"]);
  });

  test("a non-410 ERROR event is reported and relists after backoff", async () => {
    const lw = new Scripted();
    lw.watchSteps = [[{ type: "ERROR", object: status(500, "InternalError", "boom") }]];
    const errs: unknown[] = [];
    const r = new Reflector(lw, recorder(), { backoff: fastBackoff(), onError: (e) => errs.push(e) });
    const ac = new AbortController();
    const run = r.run(ac.signal);
    await waitFor(() => lw.watches.length === 2, "second watch");
    ac.abort();
    await run;
    assert.equal(lw.lists.length, 2);
    assert.ok(errs[0] instanceof ApiError && errs[0].code === 500);
  });

  test("very short empty watches back off instead of spinning", async () => {
    const lw = new Scripted();
    lw.watchSteps = Array.from({ length: 6 }, () => []);
    let delays = 0;
    const backoff = new Backoff({ initialMs: 1, maxMs: 4 });
    const next = backoff.next.bind(backoff);
    backoff.next = () => {
      delays++;
      return next();
    };
    const r = new Reflector(lw, recorder(), { backoff, shortWatchMs: 60_000 });
    const ac = new AbortController();
    const run = r.run(ac.signal);
    await waitFor(() => lw.watches.length === 7, "seventh watch");
    ac.abort();
    await run;
    assert.equal(delays, 6);
    assert.equal(lw.lists.length, 1, "short watches resume, they do not relist");
  });

  test("selectors and page size reach list and watch; run twice at once is refused", async () => {
    const lw = new Scripted();
    const r = new Reflector(lw, recorder(), {
      labelSelector: "app=a",
      fieldSelector: "metadata.name=x",
      pageSize: 0,
    });
    const ac = new AbortController();
    const run = r.run(ac.signal);
    await assert.rejects(r.run(ac.signal), /already running/);
    await waitFor(() => lw.watches.length === 1, "watch");
    ac.abort();
    await run;
    assert.equal(lw.lists[0].labelSelector, "app=a");
    assert.equal(lw.lists[0].fieldSelector, "metadata.name=x");
    assert.equal(lw.lists[0].limit, undefined);
    assert.equal(lw.watches[0].labelSelector, "app=a");
    assert.equal(lw.watches[0].allowWatchBookmarks, true);
  });

  test("transform reaches the store for every listed page and watched object; resume uses the raw RV", async () => {
    const lw = new Scripted();
    lw.listAnswers = [
      { metadata: { resourceVersion: "10", continue: "c1" }, items: [cm("a", "1")] },
      { metadata: { resourceVersion: "10" }, items: [cm("b", "2")] },
    ];
    lw.watchSteps = [
      [
        { type: "ADDED", object: cm("c", "11") },
        { type: "BOOKMARK", object: cm("", "15") },
        { type: "DELETED", object: cm("a", "16") },
      ],
    ];
    const seen: string[] = [];
    const store = recorder();
    const r = new Reflector<KubeObject>(lw, store, {
      backoff: fastBackoff(),
      pageSize: 1,
      // Drops the resourceVersion, as a transform that keeps only what its consumer reads may.
      transform: (o) => {
        seen.push(o.metadata.name ?? "");
        return { metadata: { name: `t-${o.metadata.name}`, namespace: o.metadata.namespace } };
      },
    });
    const ac = new AbortController();
    const run = r.run(ac.signal);
    await waitFor(() => lw.watches.length === 2, "second watch");
    ac.abort();
    await run;
    assert.equal(lw.lists.length, 2);
    assert.deepEqual(store.log, ["replace t-a,t-b @10", "upsert t-c", "remove t-a"]);
    assert.deepEqual(seen, ["a", "b", "c", "a"], "bookmarks are not transformed");
    assert.deepEqual(
      lw.watches.map((w) => w.resourceVersion),
      ["10", "16"],
    );
  });
});
