import assert from "node:assert/strict";
import { test } from "node:test";
import type { Answer, Packet } from "dns-packet";
import { Flag } from "../../message/message.ts";
import { fqdnLower } from "../../names.ts";
import { typify, typifyCounts } from "../../response/classify.ts";
import { answersQuestion, examine, minimalTTLOf, ReplyFacts } from "./reply.ts";

test("typify from counts agrees with typify on every rcode, opcode and section shape", () => {
  const soa: Answer = {
    name: "x.",
    type: "SOA",
    ttl: 5,
    data: { mname: "m.", rname: "r.", serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 },
  };
  const ns: Answer = { name: "x.", type: "NS", ttl: 5, data: "ns.x." };
  const a: Answer = { name: "x.", type: "A", ttl: 5, data: "10.0.0.1" };
  for (const opcode of [0, 4, 5])
    for (const rcode of [0, 2, 3, 4, 5])
      for (const qt of ["A", "AXFR"] as const)
        for (const answers of [[], [a]])
          for (const authorities of [[], [soa], [ns], [ns, soa]]) {
            const m: Packet = {
              type: "response",
              flags: (opcode << 11) | rcode,
              questions: [{ name: "x.", type: qt }],
              answers,
              authorities,
            };
            const f = examine(m, undefined, new ReplyFacts());
            const want = typify(m);
            const got = typifyCounts(
              m.flags ?? 0,
              qt,
              answers.length,
              authorities.includes(soa),
              authorities.filter((r) => r.type === "NS").length,
            );
            assert.equal(got, want);
            // examine only turns NOERROR into NODATA (never here: the answers answer).
            assert.equal(f.t, want);
          }
});

const q = (name: string, type: "A" | "CNAME" | "AAAA" = "A") => [{ name, type, class: "IN" as const }];
const A = (name: string, ttl = 30): Answer => ({ name, type: "A", class: "IN", ttl, data: "10.0.0.1" });
const cname = (name: string, target: string, ttl = 30): Answer => ({
  name,
  type: "CNAME",
  ttl,
  data: target,
});
const soa = (ttl: number, minimum: number): Answer => ({
  name: "example.",
  type: "SOA",
  ttl,
  data: { mname: "ns.example.", rname: "h.example.", serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});

// cache.go isNODATA / cacheResponseType and key(): which answers answer the question.
test("examine: NODATA and cacheability follow the CNAME chain, the type and the class", () => {
  const cases: { m: Packet; t: string; cacheable: boolean }[] = [
    { m: { flags: 0, questions: q("W.example."), answers: [A("w.EXAMPLE")] }, t: "NOERROR", cacheable: true },
    {
      m: { flags: 0, questions: q("w.example."), answers: [A("other.example.")] },
      t: "NOERROR",
      cacheable: false,
    },
    {
      m: { flags: 0, questions: q("w.example."), answers: [A("other.example.")], authorities: [soa(30, 30)] },
      t: "NODATA",
      cacheable: true,
    },
    {
      m: {
        flags: 0,
        questions: q("w.example."),
        answers: [cname("w.example.", "T.example."), A("t.example.")],
      },
      t: "NOERROR",
      cacheable: true,
    },
    {
      m: {
        flags: 0,
        questions: q("w.example."),
        answers: [cname("w.example.", "a."), cname("a.", "w.example.")],
      },
      t: "NOERROR",
      cacheable: false,
    },
    {
      m: { flags: 0, questions: q("w.example.", "CNAME"), answers: [cname("w.example.", "t.")] },
      t: "NOERROR",
      cacheable: true,
    },
    {
      m: { flags: 0, questions: q("w.example.", "AAAA"), answers: [A("w.example.")] },
      t: "NOERROR",
      cacheable: false,
    },
    {
      m: { flags: 3, questions: q("w.example."), authorities: [soa(30, 30)] },
      t: "NXDOMAIN",
      cacheable: true,
    },
    { m: { flags: 3, questions: q("w.example.") }, t: "NXDOMAIN", cacheable: false },
    {
      m: { flags: Flag.TC, questions: q("w.example."), answers: [A("w.example.")] },
      t: "NOERROR",
      cacheable: false,
    },
    { m: { flags: 2, questions: q("w.example.") }, t: "SERVERERROR", cacheable: true },
    { m: { flags: 5, questions: q("w.example.") }, t: "OTHERERROR", cacheable: false },
  ];
  for (const { m, t, cacheable } of cases) {
    const f = examine({ type: "response", ...m }, undefined, new ReplyFacts());
    assert.deepEqual([f.t, f.cacheable], [t, cacheable], JSON.stringify(m));
    // The question's lowercase name, when the caller knows it, changes nothing.
    const g = examine({ type: "response", ...m }, fqdnLower(m.questions?.[0].name ?? ""), new ReplyFacts());
    assert.deepEqual([g.t, g.cacheable], [t, cacheable]);
    if (t === "NOERROR" && (m.answers?.length ?? 0) > 0 && (m.flags ?? 0) === 0)
      assert.equal(answersQuestion({ type: "response", ...m }), cacheable);
  }
});

// dnsutil.MinimalTTL: the lowest TTL, the SOA MINIMUM for denials, OPT in additionals ignored.
test("minimal TTL: lowest record TTL, SOA MINIMUM for denials only, 5s without records", () => {
  const opt = { name: ".", type: "OPT", udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Answer;
  const pos = examine(
    {
      type: "response",
      flags: 0,
      questions: q("a."),
      answers: [A("a.", 300), A("a.", 60)],
      additionals: [opt],
    },
    "a.",
    new ReplyFacts(),
  );
  assert.equal(minimalTTLOf(pos, 3600), 60);
  assert.equal(minimalTTLOf(pos, 30), 30);
  assert.equal(pos.opt, true);
  assert.ok(Number.isNaN(pos.sameTTL), "TTLs differ");
  const deny = examine(
    { type: "response", flags: 3, questions: q("a."), authorities: [soa(300, 45)] },
    "a.",
    new ReplyFacts(),
  );
  assert.equal(minimalTTLOf(deny, 3600), 45);
  assert.equal(deny.sameTTL, 300);
  const none = examine(
    { type: "response", flags: 0, questions: q("a."), additionals: [opt] },
    "a.",
    new ReplyFacts(),
  );
  assert.equal(none.t, "NOERROR");
  assert.equal(minimalTTLOf(none, 3600), 5);
  // A positive reply with an SOA among its records: MINIMUM does not bound it.
  const withSOA = examine(
    { type: "response", flags: 0, questions: q("a."), answers: [A("a.", 300)], additionals: [soa(200, 10)] },
    "a.",
    new ReplyFacts(),
  );
  assert.equal(minimalTTLOf(withSOA, 3600), 200);
});
