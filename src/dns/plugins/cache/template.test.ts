/** Reply templates (template.ts): what a replayed reply is, and which replies can be replayed. */
import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket, { type Answer } from "dns-packet";
import { Flag } from "../../message/message.ts";
import { encodeQuery as query } from "../../testing/dig.ts";
import {
  compileReply,
  MAX_TEMPLATE,
  renderTemplate,
  templateMatch,
  templateReply,
  templateSize,
  writeTemplate,
} from "./template.ts";

/** A reply as the server encodes it. */
function reply(q: Buffer, answers: Answer[]): Buffer {
  const d = dnsPacket.decode(q);
  return dnsPacket.encode({
    id: d.id,
    type: "response",
    flags: Flag.RD | Flag.AA,
    questions: d.questions,
    answers,
  });
}

/** A template of `r` for `q` written at offset 7 of a buffer of its own (as in an arena slot). */
function kept(q: Buffer, r: Buffer, shuffle = false): { buf: Buffer; at: number } {
  const c = compileReply(q, r, shuffle);
  assert.ok(c, "replayable");
  const buf = Buffer.alloc(7 + templateSize(q, r, c) + 5, 0xee);
  writeTemplate(buf, 7, q, r, c);
  return { buf, at: 7 };
}

function render(t: { buf: Buffer; at: number }, q: Buffer, ttl: number): Buffer {
  const len = templateMatch(t.buf, t.at, q);
  assert.ok(len > 0, "the template answers this query");
  const out = Buffer.alloc(len);
  assert.equal(renderTemplate(t.buf, t.at, q, ttl, out, 0), len);
  return out;
}

const dataOf = (a: Answer): string => ("data" in a ? String(a.data) : "");
const ttlOf = (a: Answer): number => ("ttl" in a ? (a.ttl ?? -1) : -1);

test("a replay is the kept reply with the query's id and the TTL left in every record", () => {
  const q = query("a.example.", "A", 7);
  const r = reply(q, [
    { name: "a.example.", type: "A", ttl: 30, data: "10.0.0.1" },
    { name: "a.example.", type: "TXT", ttl: 30, data: "x" },
  ]);
  const t = kept(q, r);
  const out = dnsPacket.decode(render(t, query("a.example.", "A", 9), 12));
  assert.equal(out.id, 9);
  assert.deepEqual((out.answers ?? []).map(ttlOf), [12, 12]);
  assert.deepEqual(render(t, query("a.example.", "A", 7), 30), r, "byte for byte, TTL and id aside");
  assert.deepEqual(templateReply(t.buf, t.at), r);
});

test("a template answers only the very query it was kept for (any id)", () => {
  const q = query("a.example.", "A", 1);
  const t = kept(q, reply(q, [{ name: "a.example.", type: "A", ttl: 30, data: "10.0.0.1" }]));
  assert.ok(templateMatch(t.buf, t.at, query("a.example.", "A", 2)) > 0);
  for (const other of [
    query("b.example.", "A", 1),
    query("A.example.", "A", 1),
    query("a.example.", "AAAA", 1),
    query("a.example.", "A", 1, {
      additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as unknown as Answer],
    }),
  ])
    assert.equal(templateMatch(t.buf, t.at, other), 0);
});

test("a reply is written at an offset of a shared buffer, touching nothing else", () => {
  const q = query("b.example.", "A", 3);
  const r = reply(q, [
    { name: "b.example.", type: "A", ttl: 30, data: "10.0.0.1" },
    { name: "b.example.", type: "A", ttl: 30, data: "10.0.0.2" },
  ]);
  const t = kept(q, r, true);
  const before = Buffer.from(t.buf);
  const q2 = query("b.example.", "A", 0x4242);
  const out = Buffer.alloc(100 + r.length + 100, 0xee);
  const n = renderTemplate(t.buf, t.at, q2, 17, out, 100);
  assert.equal(n, r.length);
  assert.ok(
    out.subarray(0, 100).every((b) => b === 0xee),
    "bytes before the slot untouched",
  );
  assert.ok(
    out.subarray(100 + n).every((b) => b === 0xee),
    "bytes after the slot untouched",
  );
  const got = dnsPacket.decode(out.subarray(100, 100 + n));
  assert.equal(got.id, 0x4242);
  assert.deepEqual((got.answers ?? []).map(ttlOf), [17, 17]);
  assert.deepEqual((got.answers ?? []).map(dataOf).sort(), ["10.0.0.1", "10.0.0.2"]);
  assert.deepEqual(t.buf, before, "the template itself is not changed by the shuffle or patches");
});

test("with the shuffle, records other records point into are never moved", () => {
  // A CNAME to a name first written in full as the owner of the first A record, then
  // compressed against it: moving that record would break the later pointers.
  const q = query("w.example.", "A");
  const answers: Answer[] = [
    { name: "w.example.", type: "CNAME", ttl: 30, data: "t.other." },
    { name: "t.other.", type: "A", ttl: 30, data: "10.0.0.1" },
    { name: "t.other.", type: "A", ttl: 30, data: "10.0.0.2" },
  ];
  const raw = reply(q, answers);
  // dns-packet writes names in full; compress the third record's owner against the second.
  const ownerAt = raw.indexOf(Buffer.from("\x01t\x05other\x00", "latin1"), 12);
  const second = raw.indexOf(Buffer.from("\x01t\x05other\x00", "latin1"), ownerAt + 1);
  const thirdOwner = raw.indexOf(Buffer.from("\x01t\x05other\x00", "latin1"), second + 1);
  assert.ok(thirdOwner > second && second > ownerAt);
  const compressed = Buffer.concat([
    raw.subarray(0, thirdOwner),
    Buffer.from([0xc0 | (second >> 8), second & 0xff]),
    raw.subarray(thirdOwner + 9),
  ]);
  assert.equal(dnsPacket.decode(compressed).answers?.[2]?.name, "t.other");
  assert.equal(compileReply(q, compressed, true), undefined);
  assert.ok(compileReply(q, compressed, false));
});

test("the shuffle gives every order of like records, always the same set", () => {
  const q = query("h.example.", "A");
  const ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
  const t = kept(
    q,
    reply(
      q,
      ips.map((data) => ({ name: "h.example.", type: "A", ttl: 30, data }) as Answer),
    ),
    true,
  );
  const orders = new Set<string>();
  for (let i = 0; i < 300 && orders.size < 6; i++) {
    const got: string[] = (dnsPacket.decode(render(t, q, 30)).answers ?? []).map(dataOf);
    assert.deepEqual([...got].sort(), ips);
    orders.add(got.join(","));
  }
  assert.equal(orders.size, 6);
});

test("truncated, large, multi-question and mis-asked replies are not kept", () => {
  const q = query("t.example.", "A", 1);
  const ok = reply(q, [{ name: "t.example.", type: "A", ttl: 30, data: "10.0.0.1" }]);
  const tc = Buffer.from(ok);
  tc[2] |= 0x02;
  assert.equal(compileReply(q, tc, false), undefined, "TC");
  const many = Array.from(
    { length: 40 },
    (_, i) => ({ name: "t.example.", type: "A", ttl: 30, data: `10.0.0.${i}` }) as Answer,
  );
  const big = reply(q, many);
  assert.ok(big.length > MAX_TEMPLATE);
  assert.equal(compileReply(q, big, false), undefined, "over 512 bytes");
  const otherCase = reply(query("T.example.", "A", 1), [
    { name: "T.example.", type: "A", ttl: 30, data: "10.0.0.1" },
  ]);
  assert.equal(compileReply(q, otherCase, false), undefined, "the question not as asked");
  assert.equal(compileReply(q, ok.subarray(0, ok.length - 1), false), undefined, "cut short");
});
