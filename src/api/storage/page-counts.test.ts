import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PageCounts } from "./page-counts.ts";

describe("PageCounts", () => {
  test("a count is taken once, for its prefix, revision and start key only", () => {
    const c = new PageCounts();
    c.set("/services/", 7, "/services/a/x", 40);
    assert.equal(c.take("/services/", 8, "/services/a/x"), undefined);
    assert.equal(c.take("/pods/", 7, "/services/a/x"), undefined);
    assert.equal(c.take("/services/", 7, "/services/a/y"), undefined);
    assert.equal(c.take("/services/", 7, "/services/a/x"), 40);
    assert.equal(c.take("/services/", 7, "/services/a/x"), undefined);
  });

  test("holds at most its capacity, dropping the oldest", () => {
    const c = new PageCounts(2);
    c.set("/p/", 1, "a", 1);
    c.set("/p/", 1, "b", 2);
    c.set("/p/", 1, "c", 3);
    assert.equal(c.take("/p/", 1, "a"), undefined);
    assert.equal(c.take("/p/", 1, "b"), 2);
    assert.equal(c.take("/p/", 1, "c"), 3);
  });
});
