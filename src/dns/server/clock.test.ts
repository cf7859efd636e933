import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { inBatch, now } from "./clock.ts";

test("now() is the batch's time inside a batch, and moves again after it (also after a throw)", () => {
  let inside: number[] = [];
  inBatch(() => {
    const t0 = now();
    // Wait for the real clock to move: the batch's time must not.
    const deadline = performance.now() + 1000;
    while (performance.now() <= t0 + 1 && performance.now() < deadline) {}
    inside = [t0, now()];
  });
  assert.equal(inside[0], inside[1]);
  assert.ok(now() > inside[0] + 1);
  assert.throws(() =>
    inBatch(() => {
      throw new Error("boom");
    }),
  );
  const a = now();
  const deadline = performance.now() + 1000;
  while (now() === a && performance.now() < deadline) {}
  assert.notEqual(now(), a);
});
