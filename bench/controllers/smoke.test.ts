/**
 * The controllers benchmark at a tiny size against real processes (apiserver and
 * `skiff controllers`), so it keeps working as the controllers change.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { benchControllers, controllersReport } from "./bench.ts";

test("controllers bench, tiny: every slice correct, flips seen, floor written", {
  timeout: 120_000,
}, async () => {
  const r = await benchControllers(
    { services: 10, podsPerService: 2, namespaces: 2, nodes: 2, flips: 1, deadlineMs: 60_000 },
    () => {},
  );
  assert.ok(r.cold.slicesMs > 0 && r.cold.endpointsMs > 0);
  assert.ok(r.cold.sliceEvents >= 10 && r.cold.endpointsEvents >= 10);
  assert.equal(r.flip.sendToSlice.n, 1);
  assert.equal(r.floor.objects, 20, "10 slices and 10 Endpoints copied");
  assert.ok(r.rss.ready > 0 && r.rss.peak >= r.rss.ready);
  assert.match(controllersReport(r), /every EndpointSlice correct/);
});
