import assert from "node:assert/strict";
import { getMaxListeners, setMaxListeners } from "node:events";
import { test } from "node:test";
import { raiseMaxListeners } from "./informers.ts";

test("raiseMaxListeners raises a low limit and keeps a higher one", () => {
  const low = new AbortController().signal;
  raiseMaxListeners(low, 200);
  assert.equal(getMaxListeners(low), 200);
  const high = new AbortController().signal;
  setMaxListeners(500, high);
  raiseMaxListeners(high, 200);
  assert.equal(getMaxListeners(high), 500);
});

test("raiseMaxListeners leaves an unlimited signal alone (Node 20's getMaxListeners throws on 0)", async () => {
  const unlimited = new AbortController().signal;
  setMaxListeners(0, unlimited);
  assert.doesNotThrow(() => raiseMaxListeners(unlimited, 200));
  // Still unlimited: adding many listeners stays silent.
  let warned = false;
  const onWarning = () => {
    warned = true;
  };
  process.on("warning", onWarning);
  for (let i = 0; i < 300; i++) unlimited.addEventListener("abort", () => {});
  // The warning is emitted on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("warning", onWarning);
  assert.equal(warned, false);
});
