/**
 * The response encoder: what dns-packet decodes back, compression as miekg/dns writes it (owner
 * names against earlier names, the query's case kept), label and name limits, truncation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { EncodeError, encodeMessage, typeToNumber } from "./wire.ts";

const reply = (name: string, answers: Answer[], additionals: Answer[] = []): Packet => ({
  id: 0x1234,
  type: "response",
  flags: 0x0400,
  questions: [{ name, type: "A", class: "IN" }],
  answers,
  additionals,
});

test("round trip through dns-packet, owners compressed against the question", () => {
  const m = reply("Web.Example.", [
    { name: "Web.Example.", type: "A", ttl: 30, data: "10.0.0.1" },
    { name: "Web.Example.", type: "CNAME", ttl: 30, data: "other.example." },
  ]);
  const { buf, truncated } = encodeMessage(m);
  assert.equal(truncated, false);
  const d = dnsPacket.decode(buf);
  assert.equal(d.id, 0x1234);
  assert.deepEqual(
    (d.answers ?? []).map((a) => [a.name, a.type, "data" in a ? a.data : ""]),
    [
      ["Web.Example", "A", "10.0.0.1"],
      ["Web.Example", "CNAME", "other.example"],
    ],
  );
  // Both owners are pointers to the question at offset 12 (2 bytes instead of 13).
  const firstOwner = 12 + "Web.Example.".length + 1 + 4;
  assert.deepEqual([...buf.subarray(firstOwner, firstOwner + 2)], [0xc0, 12]);
  const secondOwner = firstOwner + 2 + 10 + 4;
  assert.deepEqual([...buf.subarray(secondOwner, secondOwner + 2)], [0xc0, 12]);
});

test("labels outside ASCII are written as their UTF-8 bytes", () => {
  const { buf } = encodeMessage(reply("bücher.example.", []));
  const label = Buffer.from("bücher", "utf8");
  assert.equal(buf[12], label.length);
  assert.deepEqual(buf.subarray(13, 13 + label.length), label);
  assert.equal(dnsPacket.decode(buf).questions?.[0]?.name, "bücher.example");
});

test("a label over 63 bytes, an empty label or a name over 255 bytes is an EncodeError", () => {
  assert.throws(() => encodeMessage(reply(`${"a".repeat(64)}.example.`, [])), EncodeError);
  assert.throws(
    () => encodeMessage(reply(`${"ü".repeat(32)}.example.`, [])),
    EncodeError,
    "64 bytes of UTF-8",
  );
  assert.throws(() => encodeMessage(reply("a..example.", [])), EncodeError);
  const long = `${Array.from({ length: 5 }, () => "b".repeat(50)).join(".")}.`;
  assert.throws(() => encodeMessage(reply(long, [])), EncodeError);
  const fits = `${Array.from({ length: 4 }, () => "b".repeat(62)).join(".")}.`; // 4 × 63 + 1 = 253
  assert.doesNotThrow(() => encodeMessage(reply(fits, [])));
});

test("too big for the buffer: answers dropped, TC set, the OPT kept", () => {
  const answers: Answer[] = Array.from({ length: 100 }, (_, i) => ({
    name: "many.example.",
    type: "A",
    ttl: 5,
    data: `10.0.0.${i}`,
  }));
  const opt = { type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as unknown as Answer;
  const { buf, truncated } = encodeMessage(reply("many.example.", answers, [opt]), 512);
  assert.equal(truncated, true);
  assert.ok(buf.length <= 512);
  const d = dnsPacket.decode(buf);
  assert.ok(((d.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0);
  assert.ok((d.answers ?? []).length > 0 && (d.answers ?? []).length < 100);
  assert.equal(d.additionals?.[0]?.type, "OPT");
});

test("type names: any case, TYPEn and UNKNOWN_n; anything else is an EncodeError", () => {
  assert.equal(typeToNumber("A"), 1);
  assert.equal(typeToNumber("srv"), 33);
  assert.equal(typeToNumber("TYPE65280"), 65280);
  assert.equal(typeToNumber("UNKNOWN_99"), 99);
  // Names of Object.prototype's members are not record types.
  for (const t of ["constructor", "toString", "__proto__", "hasOwnProperty"])
    assert.throws(() => typeToNumber(t), EncodeError, t);
});
