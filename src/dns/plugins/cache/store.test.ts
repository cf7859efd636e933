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

test("a replaced entry keeps its place in the eviction order; the old one is marked removed", () => {
  const s = new Store(1);
  const cap = s.capacity;
  for (let i = 0; i < cap; i++) s.add(`n${i}.`, A, item(`n${i}.`));
  const first = s.get("n0.", A);
  const again = item("n0.");
  s.add("n0.", A, again);
  assert.equal(first?.removed, true);
  assert.equal(s.get("n0.", A), again);
  // The next insert evicts the oldest place: n0's, now held by its replacement.
  s.add("new.", A, item("new."));
  assert.equal(s.get("n0.", A), undefined);
  assert.equal(again.removed, true);
  assert.ok(s.get("n1.", A));
});

test("a name's entries for several types and bits live and go one by one", () => {
  const s = new Store(10);
  const AAAA = { ...A, qtype: "AAAA" };
  const DO = { ...A, bits: 1 };
  const [a, aaaa, ado] = [item("x."), item("x."), item("x.")];
  s.add("x.", A, a);
  s.add("x.", AAAA, aaaa);
  s.add("x.", DO, ado);
  assert.deepEqual([s.get("x.", A), s.get("x.", AAAA), s.get("x.", DO)], [a, aaaa, ado]);
  assert.equal(s.delete("x.", AAAA), true);
  assert.deepEqual([s.get("x.", A), s.get("x.", AAAA), s.get("x.", DO)], [a, undefined, ado]);
  assert.equal(s.delete("x.", A), true);
  assert.equal(s.get("x.", DO), ado);
  assert.equal(s.size, 1);
  assert.equal(s.delete("x.", DO), true);
  assert.equal(s.delete("x.", DO), false);
  assert.equal(s.size, 0);
  assert.ok(a.removed && aaaa.removed && ado.removed);
});

test("deletes and invalidations under churn keep the count exact and evict only live entries", () => {
  const s = new Store(1);
  const cap = s.capacity;
  const live = new Map<string, ReturnType<typeof item>>();
  for (let i = 0; i < 10 * cap; i++) {
    const n = `u${i}.`;
    const it = item(n);
    s.add(n, A, it);
    live.set(n, it);
    if (i % 3 === 0) {
      s.delete(n, A);
      live.delete(n);
    }
    if (i % 97 === 0) s.deleteNames((x) => x.endsWith("7."));
  }
  // What was neither deleted, invalidated nor evicted is exactly what the store holds.
  for (const [k, v] of live) if (v.removed) live.delete(k);
  assert.equal(s.size, live.size);
  for (const [k, v] of live) assert.equal(s.get(k, A), v);
});

test("a success and a denial store sharing their names each see, evict and drop only their own", () => {
  const names = new Map();
  const pos = new Store(1, names, false);
  const neg = new Store(1, names, true);
  const deny = (name: string) =>
    new Item({ type: "response", questions: [{ name, type: "A" }], answers: [] }, name, 30, 0, true);
  const p = item("x.");
  const n = deny("x.");
  pos.add("x.", A, p);
  neg.add("x.", A, n);
  assert.equal(pos.get("x.", A), p);
  assert.equal(neg.get("x.", A), n);
  assert.equal(names.size, 1, "one name, two entries");
  // Filling the denial store evicts its own oldest entry, never the success entry of that name.
  for (let i = 0; i < neg.capacity; i++) neg.add(`d${i}.`, A, deny(`d${i}.`));
  assert.equal(n.removed, true);
  assert.equal(neg.get("x.", A), undefined);
  assert.equal(pos.get("x.", A), p);
  assert.equal(pos.size, 1);
  const n2 = deny("x.");
  neg.add("x.", A, n2);
  assert.equal(
    neg.deleteNames((name) => name === "x."),
    1,
  );
  assert.equal(pos.get("x.", A), p, "invalidating denials keeps the name's success entry");
  assert.equal(pos.delete("x.", A), true);
  assert.equal(names.has("x."), false);
  assert.equal(neg.size, neg.capacity - 1);
});
