/** The names of cache entries off the heap (names.ts), against a Map as the model. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inZone } from "../../names.ts";
import { Arena } from "./arena.ts";
import { hashName, NameIndex } from "./names.ts";

test("names are found by their bytes, Latin-1 and UTF-16 alike, and read back as written", () => {
  const idx = new NameIndex(new Arena());
  idx.grow(4);
  const names = ["a.example.", "ÿé.example.", "名前.example.", "."];
  names.forEach((n, id) => {
    idx.write(id, n, hashName(n));
    idx.add(id);
  });
  names.forEach((n, id) => {
    assert.equal(idx.first(n, hashName(n)), id, n);
    assert.equal(idx.name(id), n);
    assert.equal(idx.firstOf(id), id);
  });
  assert.equal(idx.first("A.example.", hashName("A.example.")), -1, "case matters: keys are lowercase");
  assert.equal(idx.first("a.example", hashName("a.example")), -1);
  assert.equal(idx.size, 4);
});

test("random adds, head changes and removals agree with a Map, through rehashes and probe runs", () => {
  const idx = new NameIndex(new Arena());
  const N = 6000;
  idx.grow(N);
  /** name → entry ids of that name, the first one heading the chain (as store.ts keeps them). */
  const model = new Map<string, number[]>();
  const nameOf = new Map<number, string>();
  const free: number[] = Array.from({ length: N }, (_, i) => N - 1 - i);
  let seed = 7;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let step = 0; step < 40_000; step++) {
    const live = [...nameOf.keys()];
    if (free.length > 0 && (live.length === 0 || rnd(3) > 0)) {
      const id = free.pop() as number;
      const name = `svc-${rnd(3000)}.ns-${rnd(7)}.svc.cluster.local.`;
      const h = hashName(name);
      idx.write(id, name, h);
      const first = idx.first(name, h);
      const chain = model.get(name);
      assert.equal(first, chain ? chain[0] : -1, `first of ${name}`);
      if (first === -1) idx.add(id);
      else idx.replace(first, id);
      model.set(name, [id, ...(chain ?? [])]);
      nameOf.set(id, name);
    } else {
      const id = live[rnd(live.length)];
      const name = nameOf.get(id) as string;
      const chain = model.get(name) as number[];
      assert.equal(idx.firstOf(id), chain[0]);
      if (chain[0] === id) {
        if (chain.length === 1) idx.remove(id);
        else idx.replace(id, chain[1]);
      }
      const rest = chain.filter((x) => x !== id);
      if (rest.length === 0) model.delete(name);
      else model.set(name, rest);
      idx.release(id);
      nameOf.delete(id);
      free.push(id);
    }
    if (step % 997 === 0) {
      for (const [name, chain] of model) assert.equal(idx.first(name, hashName(name)), chain[0], name);
      assert.equal(idx.size, model.size);
    }
  }
  for (const [name, chain] of model) assert.equal(idx.first(name, hashName(name)), chain[0], name);
});

test("inZone on the stored bytes answers as names.ts inZone on the string", () => {
  const idx = new NameIndex(new Arena());
  const names = ["a.b.example.", "b.example.", "xb.example.", "example.", "名.example.", "."];
  const zones = [".", "example.", "b.example.", "a.b.example.", "名.example.", "e.", "xample."];
  idx.grow(names.length);
  for (const [id, n] of names.entries()) idx.write(id, n, hashName(n));
  for (const [id, n] of names.entries())
    for (const z of zones) assert.equal(idx.inZone(id, z), inZone(n, z), `${n} in ${z}`);
});
