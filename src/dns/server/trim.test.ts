import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { trimMallocEvery } from "./trim.ts";
import { loadAddon } from "./udp-batch.ts";

test("trims every period until stopped; without the addon's trim nothing runs", () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    let calls = 0;
    const stop = trimMallocEvery(1000, {
      addon: {
        trim: () => {
          calls++;
          return true;
        },
      },
    });
    mock.timers.tick(999);
    assert.equal(calls, 0);
    mock.timers.tick(2001);
    assert.equal(calls, 3);
    stop();
    mock.timers.tick(5000);
    assert.equal(calls, 3);
    // An addon built before trim existed, or none at all.
    trimMallocEvery(1000, { addon: {} })();
    trimMallocEvery(1000, { reason: "not built" })();
  } finally {
    mock.timers.reset();
  }
});

test("the addon's trim runs and says whether memory went back", {
  skip: "addon" in loadAddon() ? false : "the native addon is not built",
}, () => {
  const a = loadAddon();
  assert.ok("addon" in a && a.addon.trim, "a fresh build has trim (npm run build:native)");
  assert.equal(typeof a.addon.trim(), "boolean");
});
