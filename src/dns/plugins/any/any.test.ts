import assert from "node:assert/strict";
import { test } from "node:test";
import type { RecordType } from "dns-packet";
import { answering, FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { any } from "./any.ts";

const signal = new AbortController().signal;

// plugin/any/any.go: ANY gets one HINFO "ANY obsoleted" "See RFC 8482", TTL 8482, class IN.
test("ANY is answered with the RFC 8482 HINFO under the query's name", async () => {
  const w = new FakeWriter();
  const rc = await any(answering(0)).serveDNS(fakeRequest("ExAmple.ORG.", "ANY" as RecordType), w, signal);
  assert.equal(rc, 0);
  assert.equal(w.msgs.length, 1);
  assert.deepEqual(w.msgs[0].answers, [
    {
      name: "ExAmple.ORG.",
      type: "HINFO",
      class: "IN",
      ttl: 8482,
      data: { cpu: "ANY obsoleted", os: "See RFC 8482" },
    },
  ]);
  assert.equal((w.msgs[0].flags ?? 0) & 0xf, 0);
});

// plugin/any/any_test.go TestAnyNonANYQuery: other types reach the next plugin.
test("other types go to the next plugin", async () => {
  for (const t of ["A", "AAAA", "MX", "TXT", "CNAME"] as const) {
    const w = new FakeWriter();
    const rc = await any(answering(3)).serveDNS(fakeRequest("example.org.", t), w, signal);
    assert.equal(rc, 3);
    assert.equal(w.msgs[0].answers?.length, 0);
  }
});
