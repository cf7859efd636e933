/** IntTable (int-table.ts) against a Map as the model. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { IntTable, staysInRun } from "./int-table.ts";

test("IntTable agrees with a Map through random sets, overwrites, deletes, growth and clear", () => {
  const t = new IntTable();
  const m = new Map<number, number>();
  let seed = 11;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let step = 0; step < 60_000; step++) {
    // Keys from a small range collide in their buckets; some come in runs of neighbours.
    const key = rnd(2) === 0 ? rnd(5000) : rnd(0x3fffffff);
    const op = rnd(10);
    if (op < 6) {
      t.set(key, step);
      m.set(key, step);
    } else if (op < 9) {
      t.delete(key);
      m.delete(key);
    } else {
      const k = [...m.keys()][rnd(m.size || 1)];
      if (k !== undefined) {
        t.delete(k);
        m.delete(k);
      }
    }
    if (step === 30_000) {
      t.clear();
      m.clear();
    }
    if (step % 1009 === 0) {
      assert.equal(t.size, m.size);
      for (const [k, v] of m) assert.equal(t.get(k), v);
      assert.equal(t.get(0x3fffffff + 1), undefined);
    }
  }
  for (const [k, v] of m) assert.equal(t.get(k), v);
  assert.equal(t.size, m.size);
});

test("staysInRun: an entry moves into the hole unless its home lies cyclically in (hole, j]", () => {
  // A run inside the table: hole at 2, the entry at 5.
  assert.equal(staysInRun(3, 2, 5), true);
  assert.equal(staysInRun(5, 2, 5), true);
  assert.equal(staysInRun(2, 2, 5), false, "home is the hole itself");
  assert.equal(staysInRun(0, 2, 5), false, "home before the hole");
  // A run wrapping past the table's end: hole at 6 of 8, the entry at 1.
  assert.equal(staysInRun(7, 6, 1), true);
  assert.equal(staysInRun(0, 6, 1), true);
  assert.equal(staysInRun(1, 6, 1), true);
  assert.equal(staysInRun(6, 6, 1), false, "home is the hole itself");
  assert.equal(staysInRun(5, 6, 1), false, "home before the hole");
  assert.equal(staysInRun(3, 6, 1), false);
});
