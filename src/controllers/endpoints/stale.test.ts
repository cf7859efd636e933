import assert from "node:assert/strict";
import { test } from "node:test";
import { StaleEndpointsTracker } from "./stale.ts";

// Behaviour of kube's pkg/controller/endpoint staleEndpointsTracker (IsStale / Stale / Delete).
test("a cache still showing the version we replaced is stale until the informer catches up", () => {
  const t = new StaleEndpointsTracker();
  assert.equal(t.isStale("ns/a", "5"), false, "never written: not stale");
  t.wrote("ns/a", "5");
  assert.equal(t.isStale("ns/a", "5"), true);
  assert.equal(t.isStale("ns/a", "6"), false, "our write arrived");
  assert.equal(t.isStale("ns/b", "5"), false, "per key");
});

test("after a create, an empty cache entry is stale; forget ends the wait", () => {
  const t = new StaleEndpointsTracker();
  t.wrote("ns/a", undefined);
  assert.equal(t.isStale("ns/a", undefined), true);
  assert.equal(t.isStale("ns/a", "7"), false);
  // Deleted by someone else before we saw our create: the next sync must create it again.
  t.forget("ns/a");
  assert.equal(t.isStale("ns/a", undefined), false);
});
