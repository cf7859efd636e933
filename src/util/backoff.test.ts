import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Backoff, sleep } from "./backoff.ts";

describe("Backoff", () => {
  test("doubles from initial up to the cap", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000 });
    const got = Array.from({ length: 7 }, () => b.next());
    assert.deepEqual(got, [100, 200, 400, 800, 1000, 1000, 1000]);
  });

  test("custom factor", () => {
    const b = new Backoff({ initialMs: 10, maxMs: 1e6, factor: 3 });
    assert.deepEqual([b.next(), b.next(), b.next()], [10, 30, 90]);
  });

  test("jitter adds up to jitter*delay on top (client-go wait.Jitter)", () => {
    let r = 0;
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 1, random: () => r });
    assert.equal(b.next(), 100);
    r = 0.5;
    assert.equal(b.next(), 300); // 200 + 0.5*200
    r = 0.999;
    const capped = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => r });
    const d = capped.next();
    assert.ok(d >= 1000 && d < 1500, String(d));
  });

  test("real random jitter stays within bounds", () => {
    const b = new Backoff({ initialMs: 50, maxMs: 400, jitter: 1 });
    for (let i = 0; i < 50; i++) {
      const base = Math.min(50 * 2 ** i, 400);
      const d = b.next();
      assert.ok(d >= base && d <= 2 * base, `${i}: ${d}`);
    }
  });

  test("reset starts over", () => {
    const b = new Backoff({ initialMs: 5, maxMs: 100 });
    b.next();
    b.next();
    b.next();
    assert.equal(b.steps, 3);
    b.reset();
    assert.equal(b.steps, 0);
    assert.equal(b.next(), 5);
  });

  test("resets by itself after a quiet period", () => {
    let now = 0;
    const b = new Backoff({ initialMs: 10, maxMs: 1000, resetAfterMs: 60_000, now: () => now });
    assert.deepEqual([b.next(), b.next(), b.next()], [10, 20, 40]);
    now += 59_000;
    assert.equal(b.next(), 80);
    now += 60_001;
    assert.equal(b.next(), 10);
  });

  test("many steps never overflow", () => {
    const b = new Backoff({ initialMs: 1, maxMs: 30_000 });
    let d = 0;
    for (let i = 0; i < 5000; i++) d = b.next();
    assert.equal(d, 30_000);
  });

  test("rejects a cap below the initial delay", () => {
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), RangeError);
  });
});

describe("sleep", () => {
  test("resolves true after the delay", async () => {
    const t0 = Date.now();
    assert.equal(await sleep(20), true);
    assert.ok(Date.now() - t0 >= 15);
  });

  test("resolves false at once when aborted", async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    ac.abort();
    assert.equal(await p, false);
    assert.equal(await sleep(60_000, ac.signal), false);
  });
});
