import assert from "node:assert/strict";
import { test } from "node:test";
import { Item } from "./item.ts";
import { effectiveCapacity, Store } from "./store.ts";

const A = { qtype: "A", qclass: "IN", bits: 0 };
const item = (name: string) =>
  new Item({ type: "response", questions: [{ name, type: "A" }], answers: [] }, name, 30, 0);

test("a full store evicts the oldest name first and marks what it drops as removed", () => {
  const s = new Store(1);
  const cap = effectiveCapacity(1);
  assert.equal(s.capacity, cap);
  const items = Array.from({ length: cap + 10 }, (_, i) => item(`n${i}.`));
  items.forEach((it, i) => {
    s.add(`n${i}.`, A, it);
  });
  assert.equal(s.size, cap);
  for (let i = 0; i < 10; i++) {
    assert.equal(s.get(`n${i}.`, A), undefined);
    assert.equal(items[i].removed, true);
  }
  assert.equal(s.get(`n${cap + 9}.`, A), items[cap + 9]);
  assert.equal(items[cap + 9].removed, false);
});

test("deleted and replaced entries are not evicted twice; churn keeps the size at capacity", () => {
  const s = new Store(1);
  const cap = s.capacity;
  for (let i = 0; i < cap; i++) s.add(`n${i}.`, A, item(`n${i}.`));
  s.delete("n0.", A);
  const replaced = item("n1.");
  s.add("n1.", A, replaced);
  assert.equal(s.size, cap - 1);
  // Many rounds of unique names (search-path misses) through a full store.
  for (let i = 0; i < 20 * cap; i++) s.add(`u${i}.`, A, item(`u${i}.`));
  assert.equal(s.size, cap);
  assert.equal(s.get(`u${20 * cap - 1}.`, A)?.lname, `u${20 * cap - 1}.`);
  assert.equal(replaced.removed, true, "evicted in its turn");
});

test("deleteNames drops every entry of the matching names", () => {
  const s = new Store(10);
  const a = item("a.x.");
  s.add("a.x.", A, a);
  s.add("a.x.", { ...A, qtype: "AAAA" }, item("a.x."));
  s.add("b.y.", A, item("b.y."));
  assert.equal(
    s.deleteNames((n) => n.endsWith("x.")),
    2,
  );
  assert.equal(s.size, 1);
  assert.equal(a.removed, true);
  assert.equal(s.get("a.x.", A), undefined);
});
