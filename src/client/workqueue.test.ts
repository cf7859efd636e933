import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { waitFor } from "./testing/wait.ts";
import { runWorkers, WorkQueue } from "./workqueue.ts";

// Semantics follow client-go's util/workqueue (queue.go, delaying_queue.go,
// default_rate_limiters.go) and its queue_test.go.
describe("WorkQueue", () => {
  test("add dedups while queued and keeps FIFO order", async () => {
    const q = new WorkQueue();
    q.add("a");
    q.add("b");
    q.add("a");
    q.add("c");
    q.add("b");
    assert.equal(q.len(), 3);
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), "b");
    assert.equal(await q.get(), "c");
    assert.equal(q.len(), 0);
  });

  test("a key being processed is not handed out again; re-add is requeued after done", async () => {
    const q = new WorkQueue();
    q.add("a");
    const k = await q.get();
    assert.equal(k, "a");
    q.add("a");
    q.add("a");
    assert.equal(q.len(), 0, "dirty while processing, not queued");
    let second: string | undefined;
    const p = q.get().then((v) => {
      second = v;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(second, undefined, "get waits: a is still being processed");
    q.done("a");
    await p;
    assert.equal(second, "a");
    q.done("a");
    assert.equal(q.len(), 0, "only one requeue for many adds");
  });

  test("done without a re-add does not requeue", async () => {
    const q = new WorkQueue();
    q.add("x");
    await q.get();
    q.done("x");
    assert.equal(q.len(), 0);
  });

  test("get waits for an add", async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add("late");
    assert.equal(await p, "late");
  });

  test("addAfter delivers later and keeps the earliest time", async () => {
    const q = new WorkQueue();
    const t0 = Date.now();
    q.addAfter("k", 10_000);
    q.addAfter("k", 30);
    q.addAfter("k", 5_000); // later than the pending 30 ms: ignored
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), "k");
    const dt = Date.now() - t0;
    assert.ok(dt >= 25 && dt < 4000, String(dt));
    q.done("k");
    q.shutDown(); // clears the 10 s timer
  });

  test("addAfter with a non-positive delay adds at once", () => {
    const q = new WorkQueue();
    q.addAfter("now", 0);
    assert.equal(q.len(), 1);
  });

  test("per-key exponential backoff, forget resets it", () => {
    const q = new WorkQueue({ baseDelayMs: 5, maxDelayMs: 1000 });
    const delays = Array.from({ length: 10 }, () => q.when("a"));
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    assert.equal(q.when("b"), 5, "keys back off independently");
    assert.equal(q.numRequeues("a"), 10);
    q.forget("a");
    assert.equal(q.numRequeues("a"), 0);
    assert.equal(q.when("a"), 5);
  });

  test("addRateLimited delays by the key's backoff", async () => {
    const q = new WorkQueue({ baseDelayMs: 20, maxDelayMs: 1000 });
    const t0 = Date.now();
    q.addRateLimited("r");
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), "r");
    assert.ok(Date.now() - t0 >= 15);
    assert.equal(q.numRequeues("r"), 1);
  });

  test("shutDown: waiters and later gets resolve undefined; adds are ignored", async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add("a");
    q.addAfter("b", 1);
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
    assert.equal(q.isShuttingDown, true);
  });

  test("shutDownWithDrain waits for keys in process", async () => {
    const q = new WorkQueue();
    q.add("a");
    await q.get();
    let drained = false;
    const p = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false);
    q.done("a");
    await p;
    assert.equal(drained, true);
  });
});

describe("runWorkers", () => {
  test("never reconciles one key concurrently, collapses bursts, runs keys in parallel", async () => {
    const q = new WorkQueue();
    const ac = new AbortController();
    const active = new Set<string>();
    let maxParallel = 0;
    const calls: string[] = [];
    const gates = new Map<string, () => void>();
    const run = runWorkers(
      q,
      4,
      async (key) => {
        assert.ok(!active.has(key), `${key} processed twice at once`);
        active.add(key);
        maxParallel = Math.max(maxParallel, active.size);
        calls.push(key);
        await new Promise<void>((r) => gates.set(key, r));
        active.delete(key);
      },
      ac.signal,
    );
    q.add("a");
    q.add("b");
    await waitFor(() => gates.has("a") && gates.has("b"), "a and b to start");
    assert.equal(maxParallel, 2);
    for (let i = 0; i < 10; i++) q.add("a"); // burst while a runs
    const release = (k: string): void => {
      const g = gates.get(k);
      gates.delete(k);
      g?.();
    };
    release("a");
    await waitFor(() => gates.has("a"), "a to run again");
    release("a");
    release("b");
    await waitFor(() => active.size === 0 && q.len() === 0, "idle");
    assert.deepEqual(calls.filter((c) => c === "a").length, 2, "burst collapsed into one rerun");
    ac.abort();
    await run;
  });

  test("failures are retried with backoff until they succeed, then forgotten", async () => {
    const q = new WorkQueue({ baseDelayMs: 1, maxDelayMs: 20 });
    const ac = new AbortController();
    let attempts = 0;
    const errors: unknown[] = [];
    const run = runWorkers(
      q,
      2,
      async () => {
        attempts++;
        if (attempts < 4) throw new Error(`fail ${attempts}`);
      },
      ac.signal,
      { onError: (_k, e) => errors.push(e) },
    );
    q.add("k");
    await waitFor(() => attempts === 4, "4 attempts");
    await waitFor(() => q.numRequeues("k") === 0, "forget after success");
    assert.equal(errors.length, 3);
    ac.abort();
    await run;
  });

  test("abort stops idle workers", async () => {
    const q = new WorkQueue();
    const ac = new AbortController();
    const run = runWorkers(q, 3, async () => {}, ac.signal);
    ac.abort();
    await run;
    assert.equal(q.isShuttingDown, true);
  });
});
