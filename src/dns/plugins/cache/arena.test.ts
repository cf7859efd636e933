import assert from "node:assert/strict";
import { test } from "node:test";
import { Arena, MAX_SLOT } from "./arena.ts";

test("slots of every size hold their bytes without overlapping, and freed ones are reused", () => {
  const a = new Arena();
  const sizes = [1, 63, 64, 65, 200, 1000, 4096, 5000, 40_000, MAX_SLOT];
  const held = new Map<number, number>();
  // Enough slots of each size to span several chunks.
  for (let round = 0; round < 40; round++)
    for (const [k, size] of sizes.entries()) {
      const h = a.alloc(size);
      assert.ok(!held.has(h), "a live slot is not handed out twice");
      a.chunk(h).fill(k + round * 16, a.offset(h), a.offset(h) + size);
      held.set(h, size);
      assert.ok(a.offset(h) + size <= a.chunk(h).length);
    }
  for (const [h, size] of held) {
    const v = a.chunk(h)[a.offset(h)];
    assert.ok(
      a
        .chunk(h)
        .subarray(a.offset(h), a.offset(h) + size)
        .every((b) => b === v),
      "nothing overwrote it",
    );
  }
  const bytes = a.bytes;
  for (const h of held.keys()) a.release(h);
  for (const size of held.values()) a.alloc(size);
  assert.equal(a.bytes, bytes, "the freed slots served the same sizes again");
});

test("sizes outside 1 … 64 KiB are refused", () => {
  const a = new Arena();
  assert.throws(() => a.alloc(0), RangeError);
  assert.throws(() => a.alloc(MAX_SLOT + 1), RangeError);
  assert.equal(MAX_SLOT, 65536);
});
