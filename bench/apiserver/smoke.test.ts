/**
 * Every scenario at a tiny size against real processes, so the benchmarks keep working as the
 * apiserver changes: answers are checked inside the scenarios, here only the accounting.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { benchCreates, createsReport } from "./creates.ts";
import { benchList, listReport } from "./list.ts";
import { benchWatch, watchReport } from "./watch.ts";

const quiet = () => {};

describe("apiserver benchmarks, tiny", { timeout: 120_000 }, () => {
  test("creates: every create done against skiff and the peer, SQLite rows inserted", async () => {
    const r = await benchCreates(60, 8, quiet);
    assert.equal(r.skiff.done, 60);
    assert.equal(r.peer.done, 60);
    assert.equal(r.sqlite.rows, 60);
    assert.ok(r.skiff.perSec > 0 && r.skiff.latencyMs.n === 60);
    assert.ok(r.rssMiB.idle > 0);
    assert.match(createsReport(r), /creates\/s/);
  });

  test("list: full, Table and paginated lists of more than one page", async () => {
    const r = await benchList(1200, 2, quiet);
    assert.equal(r.skiff.jsonMs.n, 2);
    assert.equal(r.skiff.tableMs.n, 2);
    assert.equal(r.skiff.pageMs.n, 2 * 3, "1200 items at limit=500 is 3 pages per walk");
    assert.equal(r.peer.pageMs.n, 2 * 3, "the peer answered the same URLs");
    assert.ok(r.skiff.tableBytes > 0 && r.skiff.jsonBytes > r.skiff.tableBytes / 10);
    assert.match(listReport(r), /Table/);
  });

  test("watch: every watcher gets every write", async () => {
    const r = await benchWatch(5, 20, quiet);
    assert.equal(r.skiff.delivered, 100);
    assert.equal(r.peer.delivered, 100);
    assert.equal(r.skiff.sendToAllMs.n, 20);
    assert.match(watchReport(r), /exactly once/);
  });
});
