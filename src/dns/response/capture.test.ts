/** A request with a new question (CoreDNS's request.NewWithQuestion) and what it keeps. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CachedReply, Request } from "../plugin.ts";
import { fakeRequest } from "../testing/fake.ts";
import { withQuestion } from "./capture.ts";

const entry: CachedReply = {
  keep: () => -1,
  source: {
    match: () => 0,
    render: () => 0,
    matchedType: "A",
    matchedDo: false,
    matchedRcode: 0,
    watchDrops: () => {},
  },
};

test("the new question keeps the client's flags and gets notes of its own", () => {
  const asker: Request = { ...fakeRequest("Outer.Example.", "A"), notes: {} };
  const inner = withQuestion(asker, "inner.example", "AAAA");
  assert.equal(inner.name, "inner.example.");
  assert.equal(inner.lname, "inner.example.");
  assert.equal(inner.qtype, "AAAA");
  assert.equal(inner.msg.flags, asker.msg.flags);
  assert.notEqual(inner.notes, asker.notes);
  // A cache hit for the inner question must not mark the asker's reply as a cached one.
  assert.ok(inner.notes);
  inner.notes.cached = entry;
  assert.equal(asker.notes?.cached, undefined);
  const plain = withQuestion(fakeRequest("a.example.", "A"), "b.example.", "A");
  assert.equal(plain.notes, undefined, "no notes where the asker had none");
});
