import assert from "node:assert/strict";
import { test } from "node:test";
import { invalidationBus } from "./invalidation.ts";

test("one bus per instance and server block; listeners get announcements until they leave", () => {
  const instance = { corefile: () => "", reload: async () => {} };
  const other = { corefile: () => "", reload: async () => {} };
  const bus = invalidationBus({ instance, serverBlockIndex: 0 });
  assert.equal(invalidationBus({ instance, serverBlockIndex: 0 }), bus);
  assert.notEqual(invalidationBus({ instance, serverBlockIndex: 1 }), bus);
  assert.notEqual(invalidationBus({ instance: other, serverBlockIndex: 0 }), bus);
  const got: string[][] = [];
  const off = bus.onPositive((n) => got.push(n));
  bus.onPositive(() => {
    throw new Error("a failing listener does not stop the others");
  });
  bus.announcePositive(["a.ns.svc.cluster.local."]);
  invalidationBus({ instance, serverBlockIndex: 1 }).announcePositive(["b."]);
  off();
  bus.announcePositive(["c."]);
  assert.deepEqual(got, [["a.ns.svc.cluster.local."]]);
});
