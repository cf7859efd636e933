/** The compression dictionary: suffix hashes per label, exact (case-sensitive) lookups, reset. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Dictionary, Labels } from "./dictionary.ts";

test("labels are split at every dot, numbered from the right, with equal hashes for equal suffixes", () => {
  const l = new Labels();
  const n = l.split("www.example.com", 15);
  assert.equal(n, 3);
  assert.deepEqual([...l.start.subarray(0, n)], [12, 4, 0]);
  assert.equal(l.ascii, true);
  const h = [...l.hash.subarray(0, n)];
  l.split("mail.example.com.", 16);
  assert.deepEqual([l.hash[0], l.hash[1]], [h[0], h[1]], "com and example.com hash alike");
  assert.notEqual(l.hash[2], h[2]);
  assert.equal(l.split("a..b", 4), 3, "an empty label is a label");
  l.split("bücher.de", 9);
  assert.equal(l.ascii, false);
  // More labels than the arrays first hold.
  const many = Array.from({ length: 300 }, () => "a").join(".");
  assert.equal(l.split(many, many.length), 300);
  assert.equal(l.start[299], 0);
});

test("find returns the offset of an equal suffix only, case-sensitively; clear forgets", () => {
  const l = new Labels();
  const d = new Dictionary();
  const s = "web.Default.svc";
  const n = l.split(s, s.length);
  for (let i = n - 1; i >= 0; i--) assert.ok(d.add(s, l.start[i], s.length, l.hash[i], 12 + i));
  const t = "api.Default.svc.";
  const m = l.split(t, t.length - 1);
  assert.equal(m, 3);
  assert.equal(d.find(t, l.start[0], t.length - 1, l.hash[0]), 12, "svc");
  assert.equal(d.find(t, l.start[1], t.length - 1, l.hash[1]), 13, "Default.svc");
  assert.equal(d.find(t, l.start[2], t.length - 1, l.hash[2]), -1, "api.Default.svc");
  const u = "default.svc";
  l.split(u, u.length);
  assert.equal(d.find(u, l.start[1], u.length, l.hash[1]), -1, "the case differs");
  d.clear();
  l.split(t, t.length - 1);
  assert.equal(d.find(t, l.start[0], t.length - 1, l.hash[0]), -1);
});
