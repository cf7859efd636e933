// RFC 7386 appendix A examples, plus evanphx/json-patch v4 MergePatch behaviour that kube exposes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PatchError } from "./errors.ts";
import { applyMergePatch, createMergePatch } from "./merge-patch.ts";

const cases: Array<[string, Record<string, unknown>, unknown, unknown]> = [
  ["replace a member", { a: "b" }, { a: "c" }, { a: "c" }],
  ["add a member", { a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  ["null deletes", { a: "b" }, { a: null }, {}],
  ["null deletes one of two", { a: "b", b: "c" }, { a: null }, { b: "c" }],
  ["arrays replace", { a: ["b"] }, { a: "c" }, { a: "c" }],
  ["scalar by array", { a: "c" }, { a: ["b"] }, { a: ["b"] }],
  ["nested merge and delete", { a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  ["array of objects replaces wholesale", { a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [
    "nulls inside a new object are dropped",
    { e: null },
    { a: 1, c: { d: null, e: 1 } },
    { e: null, a: 1, c: { e: 1 } },
  ],
  ["nulls inside arrays are kept", {}, { a: [null, { b: null }] }, { a: [null, {}] }],
  ["empty patch changes nothing", { a: { b: 1 } }, {}, { a: { b: 1 } }],
  [
    "labels: kubectl label a=b",
    { metadata: { name: "x" } },
    { metadata: { labels: { a: "b" } } },
    { metadata: { name: "x", labels: { a: "b" } } },
  ],
  [
    "labels: kubectl label a-",
    { metadata: { labels: { a: "b", c: "d" } } },
    { metadata: { labels: { a: null } } },
    { metadata: { labels: { c: "d" } } },
  ],
  ["an array patch replaces the document", { a: 1 }, [1, 2], [1, 2]],
];

for (const [name, doc, patch, want] of cases)
  test(`merge patch: ${name}`, () => {
    const before = structuredClone(doc);
    assert.deepEqual(applyMergePatch(doc, patch), want);
    assert.deepEqual(doc, before);
  });

for (const bad of [null, "x", 3, true])
  test(`merge patch: ${JSON.stringify(bad)} is "Invalid JSON Patch"`, () => {
    assert.throws(
      () => applyMergePatch({}, bad),
      (e: unknown) =>
        e instanceof PatchError && e.kind === "badRequest" && e.message === "Invalid JSON Patch",
    );
  });

test("createMergePatch round-trips", () => {
  const a = { metadata: { labels: { a: "1", b: "2" } }, spec: { ports: [1, 2], x: 1 } };
  const b = { metadata: { labels: { a: "1", c: "3" } }, spec: { ports: [1], y: 2 } };
  const p = createMergePatch(a, b);
  assert.deepEqual(p, { metadata: { labels: { c: "3", b: null } }, spec: { ports: [1], y: 2, x: null } });
  assert.deepEqual(applyMergePatch(a, p), b);
});
