/**
 * The response encoder: what dns-packet decodes back, compression as miekg/dns writes it (owner
 * names against earlier names, the query's case kept), label and name limits, truncation; and
 * the exact bytes of the encoder it replaced (dns-packet's rdata encoders and a Map of suffix
 * strings), recorded below as hex before the rewrite.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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

test("view: the same bytes, in the encoder's scratch until the next encode; a copy otherwise", () => {
  const a = reply("a.example.", [{ name: "a.example.", type: "A", ttl: 30, data: "10.0.0.1" }]);
  const b = reply("bb.example.", [{ name: "bb.example.", type: "A", ttl: 30, data: "10.0.0.2" }]);
  const copied = encodeMessage(a).buf;
  const viewed = encodeMessage(a, 512, true).buf;
  assert.deepEqual(viewed, copied);
  const kept = Buffer.from(viewed);
  encodeMessage(b, 512, true);
  assert.notDeepEqual(viewed, kept, "a view is overwritten by the next encode");
  assert.deepEqual(copied, kept, "a copy is not");
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

test("an OPT bigger than the buffer: question and OPT kept past the size, records dropped, TC (miekg Truncate)", () => {
  const answers: Answer[] = [{ name: "pad.example.", type: "A", ttl: 5, data: "10.0.0.1" }];
  // A client's 500-byte PADDING option (code 12), echoed as CoreDNS does, with a 512-byte buffer.
  const opt = {
    type: "OPT",
    name: ".",
    udpPayloadSize: 512,
    flags: 0,
    options: [{ code: 12, data: Buffer.alloc(500) }],
  } as unknown as Answer;
  const { buf, truncated } = encodeMessage(reply("pad.example.", answers, [opt]), 512);
  assert.equal(truncated, true);
  assert.ok(buf.length > 512, "the OPT alone leaves no room, and is still sent");
  const d = dnsPacket.decode(buf);
  assert.ok(((d.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0);
  assert.equal(d.questions?.[0]?.name, "pad.example");
  assert.equal((d.answers ?? []).length, 0);
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

// Messages like the server's replies and the corners of every hand-written record type; the
// expected bytes are the previous encoder's output for the same message and size.
const opt = { type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as unknown as Answer;
const q = (name: string, type = "A") => ({
  id: 0xbeef,
  type: "response" as const,
  flags: 0x8580,
  questions: [{ name, type: type as "A", class: "IN" as const }],
});
const soa = (zone: string): Answer => ({
  name: zone,
  type: "SOA",
  ttl: 30,
  class: "IN",
  data: {
    mname: `ns.dns.${zone}`,
    rname: `hostmaster.${zone}`,
    serial: 1700000000,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: 30,
  },
});

const fixtures: [string, Packet, number][] = [
  [
    "A answers, owner in another case than the question, EDNS",
    {
      ...q("Web.Default.svc.cluster.local."),
      answers: [1, 2, 3].map(
        (i) =>
          ({
            name: "web.default.svc.cluster.local.",
            type: "A",
            ttl: 30,
            class: "IN",
            data: `10.96.0.${i}`,
          }) as Answer,
      ),
      additionals: [opt],
    },
    1232,
  ],
  [
    "SRV with an A additional (target not compressed)",
    {
      ...q("_http._tcp.web.ns-1.svc.cluster.local.", "SRV"),
      answers: [
        {
          name: "_http._tcp.web.ns-1.svc.cluster.local.",
          type: "SRV",
          ttl: 30,
          class: "IN",
          data: { priority: 0, weight: 100, port: 80, target: "web.ns-1.svc.cluster.local." },
        },
      ],
      additionals: [
        { name: "web.ns-1.svc.cluster.local.", type: "A", ttl: 30, class: "IN", data: "10.96.3.4" },
        opt,
      ],
    },
    1232,
  ],
  [
    "NXDOMAIN with the zone's SOA",
    {
      ...q("web.default.svc.cluster.local.ns-1.svc.cluster.local."),
      flags: 0x8583,
      answers: [],
      authorities: [soa("cluster.local.")],
      additionals: [opt],
    },
    1232,
  ],
  [
    "PTR",
    {
      ...q("4.3.96.10.in-addr.arpa.", "PTR"),
      answers: [
        {
          name: "4.3.96.10.in-addr.arpa.",
          type: "PTR",
          ttl: 30,
          class: "IN",
          data: "web.ns-1.svc.cluster.local.",
        },
      ],
    },
    512,
  ],
  [
    "AAAA forms",
    {
      ...q("v6.example.", "AAAA"),
      answers: [
        "2001:db8::1",
        "::",
        "::1",
        "fe80::",
        "FE80::A:b",
        "2001:0db8:0000:0000:0000:ff00:0042:8329",
        "::ffff:192.0.2.1",
        "1:2:3:4:5:6:7:8",
        "1::8",
        "1:2:3:4:5:6::8",
        "64:ff9b::198.51.100.7",
      ].map((data) => ({ name: "v6.example.", type: "AAAA", ttl: 5, class: "IN", data }) as Answer),
    },
    4096,
  ],
  [
    "A text, leading zeros read as decimal",
    {
      ...q("v4.example."),
      answers: ["0.0.0.0", "255.255.255.255", "010.001.1.1"].map(
        (data) => ({ name: "v4.example.", type: "A", ttl: 5, class: "IN", data }) as Answer,
      ),
    },
    4096,
  ],
  [
    "MX, NS, CNAME (compressed), DNAME (not), lower-case cname via dns-packet (not)",
    {
      ...q("mail.Example.com.", "MX"),
      answers: [
        {
          name: "mail.Example.com.",
          type: "MX",
          ttl: 60,
          class: "IN",
          data: { preference: 10, exchange: "mx1.example.com." },
        },
        { name: "example.com.", type: "NS", ttl: 60, class: "IN", data: "ns1.Example.com." },
        { name: "www.example.com.", type: "CNAME", ttl: 60, class: "IN", data: "mail.Example.com." },
        { name: "old.example.com.", type: "DNAME", ttl: 60, class: "IN", data: "new.example.com." },
        {
          name: "x.example.com.",
          type: "cname",
          ttl: 60,
          class: "IN",
          data: "y.example.com.",
        } as unknown as Answer,
      ],
    },
    4096,
  ],
  [
    "TXT shapes",
    {
      ...q("txt.example.", "TXT"),
      answers: [
        "hello",
        ["a", "bc", ""],
        [Buffer.from("bin\x00ary"), "mixed"],
        "grüße",
        "x".repeat(255),
        [],
        Buffer.from("one buffer"),
      ].map((data) => ({ name: "txt.example.", type: "TXT", ttl: 1, class: "IN", data }) as Answer),
    },
    4096,
  ],
  [
    "non-ASCII and escaped labels, shared suffixes",
    {
      ...q("bücher.x\\.y.Example."),
      answers: [
        { name: "bücher.x\\.y.Example.", type: "A", ttl: 1, class: "IN", data: "1.1.1.1" },
        { name: "Bücher.x\\.y.example.", type: "A", ttl: 1, class: "IN", data: "1.1.1.2" },
        { name: "😀.x\\.y.Example.", type: "A", ttl: 1, class: "IN", data: "1.1.1.3" },
        { name: "a\\032b.x\\.y.Example.", type: "A", ttl: 1, class: "IN", data: "1.1.1.4" },
        { name: "x\\.y.Example", type: "A", ttl: 1, class: "IN", data: "1.1.1.5" },
      ],
    },
    4096,
  ],
  [
    "names of 253 and 255 bytes",
    {
      ...q(`${Array.from({ length: 4 }, () => "b".repeat(62)).join(".")}.`),
      answers: [
        {
          name: `c.${Array.from({ length: 4 }, () => "b".repeat(62))
            .slice(1)
            .join(".")}.`,
          type: "A",
          ttl: 1,
          class: "IN",
          data: "2.2.2.2",
        },
        {
          name: `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(61)}.`,
          type: "A",
          ttl: 1,
          class: "IN",
          data: "2.2.2.3",
        },
      ],
    },
    4096,
  ],
  [
    "SRV targets dns-packet writes leniently",
    {
      ...q("_s._udp.example.", "SRV"),
      answers: [".", "", "..", "a..b.", ".lead.", "UPPER.example", "é.example."].map(
        (target, i) =>
          ({
            name: "_s._udp.example.",
            type: "SRV",
            ttl: 2,
            class: "IN",
            data: { priority: i, weight: 65535, port: 53, target },
          }) as Answer,
      ),
    },
    4096,
  ],
  [
    "OPT with options, classes, flush, TTL edges, a dns-packet type",
    {
      ...q("misc.example.", "ANY"),
      answers: [
        { name: "misc.example.", type: "A", ttl: 4294967295, class: "CH", data: "3.3.3.3" },
        { name: "misc.example.", type: "A", ttl: 0, class: "IN", flush: true, data: "3.3.3.4" },
        {
          name: "misc.example.",
          type: "CAA",
          ttl: 9,
          class: "IN",
          data: { flags: 0, tag: "issue", value: "ca.example" },
        },
        {
          name: "misc.example.",
          type: "HINFO",
          ttl: 9,
          class: "CLASS254" as "IN",
          data: { cpu: "x86", os: "linux" },
        },
      ],
      additionals: [
        {
          ...opt,
          udpPayloadSize: 4096,
          flags: 0x8000,
          options: [{ code: 10, data: Buffer.from("0102030405060708", "hex") }],
        } as unknown as Answer,
      ],
    },
    4096,
  ],
  [
    "root and question-only",
    {
      ...q(".", "NS"),
      answers: [
        { name: ".", type: "NS", ttl: 9, class: "IN", data: "a.root-servers.net." },
        { name: "", type: "NS", ttl: 9, class: "IN", data: "b.root-servers.net" },
      ],
    },
    512,
  ],
  [
    "truncated at 512: A answers dropped, TC, OPT kept",
    {
      ...q("many.example."),
      answers: Array.from(
        { length: 60 },
        (_, i) =>
          ({
            name: "many.example.",
            type: "A",
            ttl: 5,
            class: "IN",
            data: `10.0.${i >> 8}.${i & 255}`,
          }) as Answer,
      ),
      additionals: [opt],
    },
    512,
  ],
  [
    "truncated SRV: additionals dropped",
    {
      ...q("_h._tcp.big.example.", "SRV"),
      answers: Array.from(
        { length: 12 },
        (_, i) =>
          ({
            name: "_h._tcp.big.example.",
            type: "SRV",
            ttl: 5,
            class: "IN",
            data: { priority: 0, weight: 10, port: 80, target: `host-${i}.big.example.` },
          }) as Answer,
      ),
      additionals: Array.from(
        { length: 12 },
        (_, i) =>
          ({ name: `host-${i}.big.example.`, type: "A", ttl: 5, class: "IN", data: `10.1.0.${i}` }) as Answer,
      ).concat([opt]),
    },
    512,
  ],
];

/** Past offset 0x3fff: names written there are not pointer targets (pointers are 14 bits). */
function farMessage(): Packet {
  const answers: Answer[] = [];
  for (let i = 0; i < 900; i++)
    answers.push({
      name: `n${i}.zone-${i % 13}.example.`,
      type: "PTR",
      ttl: 1,
      class: "IN",
      data: `t${i}.Zone-${i % 17}.example.`,
    });
  // Owners again: from the start (pointers) and from past 0x3fff (written out again).
  for (let i = 0; i < 900; i += 20)
    answers.push({
      name: `n${i}.zone-${i % 13}.example.`,
      type: "A",
      ttl: 1,
      class: "IN",
      data: `9.9.${i >> 8}.${i & 255}`,
    });
  return { ...q("far.example.", "PTR"), answers, additionals: [opt] };
}

const EXPECTED: Record<string, [boolean, string]> = {
  "A answers, owner in another case than the question, EDNS": [
    false,
    "beef85800001000300000001035765620744656661756c740373766307636c7573746572056c6f63616c000001000103" +
      "7765620764656661756c74c018000100010000001e00040a600001c02f000100010000001e00040a600002c02f000100" +
      "010000001e00040a60000300002904d0000000000000",
  ],
  "SRV with an A additional (target not compressed)": [
    false,
    "beef85800001000100000002055f68747470045f74637003776562046e732d310373766307636c7573746572056c6f63" +
      "616c0000210001c00c002100010000001e002200000064005003776562046e732d310373766307636c7573746572056c" +
      "6f63616c00c017000100010000001e00040a60030400002904d0000000000000",
  ],
  "NXDOMAIN with the zone's SOA": [
    false,
    "beef85830001000000010001037765620764656661756c740373766307636c7573746572056c6f63616c046e732d3103" +
      "73766307636c7573746572056c6f63616c0000010001c033000600010000001e002a026e7303646e73c0330a686f7374" +
      "6d6173746572c0336553f10000001c2000000708000151800000001e00002904d0000000000000",
  ],
  PTR: [
    false,
    "beef858000010001000000000134013302393602313007696e2d61646472046172706100000c0001c00c000c00010000" +
      "001e001c03776562046e732d310373766307636c7573746572056c6f63616c00",
  ],
  "AAAA forms": [
    false,
    "beef85800001000b00000000027636076578616d706c6500001c0001c00c001c000100000005001020010db800000000" +
      "0000000000000001c00c001c000100000005001000000000000000000000000000000000c00c001c0001000000050010" +
      "00000000000000000000000000000001c00c001c0001000000050010fe800000000000000000000000000000c00c001c" +
      "0001000000050010fe8000000000000000000000000a000bc00c001c000100000005001020010db8000000000000ff00" +
      "00428329c00c001c000100000005001000000000000000000000ffffc0000201c00c001c000100000005001000010002" +
      "000300040005000600070008c00c001c000100000005001000010000000000000000000000000008c00c001c00010000" +
      "0005001000010002000300040005000600000008c00c001c00010000000500100064ff9b0000000000000000c6336407",
  ],
  // The previous encoder's bytes for these three; it also wrote 300.1.2.3 (mod 256) and
  // 1.2.3.4.5 (its first four parts), which are EncodeErrors now (fixed deviations below).
  "A text, leading zeros read as decimal": [
    false,
    "beef85800001000300000000027634076578616d706c650000010001c00c0001000100000005000400000000c00c0001" +
      "0001000000050004ffffffffc00c000100010000000500040a010101",
  ],
  "MX, NS, CNAME (compressed), DNAME (not), lower-case cname via dns-packet (not)": [
    false,
    "beef85800001000500000000046d61696c074578616d706c6503636f6d00000f0001c00c000f00010000003c0010000a" +
      "036d7831076578616d706c65c019c034000200010000003c0006036e7331c01103777777c034000500010000003c0002" +
      "c00c036f6c64c034002700010000003c0011036e6577076578616d706c6503636f6d000178c034000500010000003c00" +
      "0f0179076578616d706c6503636f6d00",
  ],
  "TXT shapes": [
    false,
    "beef8580000100070000000003747874076578616d706c650000100001c00c001000010000000100060568656c6c6fc0" +
      "0c00100001000000010006016102626300c00c0010000100000001000e0762696e00617279056d69786564c00c001000" +
      "01000000010008076772c3bcc39f65c00c00100001000000010100ff7878787878787878787878787878787878787878" +
      "787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
      "787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
      "787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
      "787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
      "78787878787878787878787878787878787878787878787878787878787878787878787878787878787878c00c001000" +
      "01000000010000c00c0010000100000001000b0a6f6e6520627566666572",
  ],
  "non-ASCII and escaped labels, shared suffixes": [
    false,
    "beef858000010005000000000762c3bc6368657202785c0179074578616d706c650000010001c00c0001000100000001" +
      "0004010101010742c3bc6368657202785c0179076578616d706c6500000100010000000100040101010204f09f9880c0" +
      "14000100010000000100040101010306615c30333262c0140001000100000001000401010104c0140001000100000001" +
      "000401010105",
  ],
  "names of 253 and 255 bytes": [
    false,
    "beef858000010002000000003e6262626262626262626262626262626262626262626262626262626262626262626262" +
      "6262626262626262626262626262626262626262626262626262623e6262626262626262626262626262626262626262" +
      "6262626262626262626262626262626262626262626262626262626262626262626262626262626262623e6262626262" +
      "626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262" +
      "6262626262626262623e6262626262626262626262626262626262626262626262626262626262626262626262626262" +
      "62626262626262626262626262626262626262626262626200000100010163c04b00010001000000010004020202023f" +
      "646464646464646464646464646464646464646464646464646464646464646464646464646464646464646464646464" +
      "6464646464646464646464646464643f6565656565656565656565656565656565656565656565656565656565656565" +
      "656565656565656565656565656565656565656565656565656565656565653f66666666666666666666666666666666" +
      "66666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666663d" +
      "676767676767676767676767676767676767676767676767676767676767676767676767676767676767676767676767" +
      "67676767676767676767676767000001000100000001000402020203",
  ],
  "SRV targets dns-packet writes leniently": [
    false,
    "beef85800001000700000000025f73045f756470076578616d706c650000210001c00c002100010000000200070000ff" +
      "ff003500c00c002100010000000200070001ffff003500c00c002100010000000200070002ffff003500c00c00210001" +
      "00000002000c0003ffff0035016100016200c00c0021000100000002000c0004ffff0035046c65616400c00c00210001" +
      "0000000200150005ffff0035055550504552076578616d706c6500c00c002100010000000200120006ffff003502c3a9" +
      "076578616d706c6500",
  ],
  "OPT with options, classes, flush, TTL edges, a dns-packet type": [
    false,
    "beef85800001000400000001046d697363076578616d706c650000ff0001c00c00010003ffffffff000403030303c00c" +
      "0001800100000000000403030304c00c010100010000000900110005697373756563612e6578616d706c65c00c000d00" +
      "fe00000009000a03783836056c696e7578000029100000008000000c000a00080102030405060708",
  ],
  "root and question-only": [
    false,
    "beef858000010002000000000000020001000002000100000009001401610c726f6f742d73657276657273036e657400" +
      "00000200010000000900040162c01e",
  ],
  "truncated at 512: A answers dropped, TC, OPT kept": [
    true,
    "beef87800001001d00000001046d616e79076578616d706c650000010001c00c000100010000000500040a000000c00c" +
      "000100010000000500040a000001c00c000100010000000500040a000002c00c000100010000000500040a000003c00c" +
      "000100010000000500040a000004c00c000100010000000500040a000005c00c000100010000000500040a000006c00c" +
      "000100010000000500040a000007c00c000100010000000500040a000008c00c000100010000000500040a000009c00c" +
      "000100010000000500040a00000ac00c000100010000000500040a00000bc00c000100010000000500040a00000cc00c" +
      "000100010000000500040a00000dc00c000100010000000500040a00000ec00c000100010000000500040a00000fc00c" +
      "000100010000000500040a000010c00c000100010000000500040a000011c00c000100010000000500040a000012c00c" +
      "000100010000000500040a000013c00c000100010000000500040a000014c00c000100010000000500040a000015c00c" +
      "000100010000000500040a000016c00c000100010000000500040a000017c00c000100010000000500040a000018c00c" +
      "000100010000000500040a000019c00c000100010000000500040a00001ac00c000100010000000500040a00001bc00c" +
      "000100010000000500040a00001c00002904d0000000000000",
  ],
  "truncated SRV: additionals dropped": [
    true,
    "beef87800001000c00000001025f68045f74637003626967076578616d706c650000210001c00c002100010000000500" +
      "1a0000000a005006686f73742d3003626967076578616d706c6500c00c0021000100000005001a0000000a005006686f" +
      "73742d3103626967076578616d706c6500c00c0021000100000005001a0000000a005006686f73742d32036269670765" +
      "78616d706c6500c00c0021000100000005001a0000000a005006686f73742d3303626967076578616d706c6500c00c00" +
      "21000100000005001a0000000a005006686f73742d3403626967076578616d706c6500c00c0021000100000005001a00" +
      "00000a005006686f73742d3503626967076578616d706c6500c00c0021000100000005001a0000000a005006686f7374" +
      "2d3603626967076578616d706c6500c00c0021000100000005001a0000000a005006686f73742d370362696707657861" +
      "6d706c6500c00c0021000100000005001a0000000a005006686f73742d3803626967076578616d706c6500c00c002100" +
      "0100000005001a0000000a005006686f73742d3903626967076578616d706c6500c00c0021000100000005001b000000" +
      "0a005007686f73742d313003626967076578616d706c6500c00c0021000100000005001b0000000a005007686f73742d" +
      "313103626967076578616d706c650000002904d0000000000000",
  ],
};
const FAR = { length: 22410, sha256: "1428209b3048e2db4b98b5ee17320d4a12a3afb5dc23d9bc60b35ba0c7af726f" };

test("encodes every fixture to the bytes the previous encoder wrote", () => {
  for (const [name, m, size] of fixtures) {
    const { buf, truncated } = encodeMessage(m, size);
    const [wantTruncated, wantHex] = EXPECTED[name];
    assert.equal(buf.toString("hex"), wantHex, name);
    assert.equal(truncated, wantTruncated, name);
    assert.ok(buf.length <= Math.max(size, 512), name);
    assert.doesNotThrow(() => dnsPacket.decode(buf), name);
  }
});

test("past offset 0x3fff names are written out but never pointed at (14-bit pointers)", () => {
  const m = farMessage();
  const { buf } = encodeMessage(m);
  assert.ok(buf.length > 0x3fff);
  assert.deepEqual({ length: buf.length, sha256: createHash("sha256").update(buf).digest("hex") }, FAR);
  const d = dnsPacket.decode(buf);
  const names = (rs: Answer[] | undefined) => (rs ?? []).map((a) => [a.name, "data" in a ? a.data : ""]);
  const strip = (s: unknown) => (typeof s === "string" ? s.replace(/\.$/, "") : s);
  assert.deepEqual(
    names(d.answers),
    names(m.answers).map(([n, v]) => [strip(n), strip(v)]),
  );
  for (const p of pointers(buf)) assert.ok(p < 0x3fff, `pointer to ${p}`);
});

test("fixed deviations: AAAA with a leading :: for one group, A and AAAA text that is no address, long TXT", () => {
  // RFC 4291 §2.2: "::" stands for one or more groups; dns-packet's codec dropped the last
  // group of ::2:3:4:5:6:7:8 (Go's net.ParseIP, so CoreDNS, reads it as below).
  const aaaa = reply("x.", [{ name: "x.", type: "AAAA", ttl: 1, data: "::2:3:4:5:6:7:8" }]);
  const got = encodeMessage(aaaa).buf;
  assert.equal(got.subarray(got.length - 16).toString("hex"), "00000002000300040005000600070008");
  assert.equal(rdata(got), "0:2:3:4:5:6:7:8");
  // dns-packet wrote 3 of the 4 bytes and left the fourth from an earlier message: now refused.
  // (miekg/dns cannot hold such an address at all: its A is a 4-byte net.IP.)
  // It also wrote octets modulo 256 and the first four parts of longer text; an AAAA that is no
  // address went to dns-packet's codec, which wrote whatever it made of it.
  for (const data of ["1.2.3", "", "10", "300.1.2.3", "1.2.3.4.5", "1.2.3.-4"]) {
    assert.throws(
      () => encodeMessage(reply("x.", [{ name: "x.", type: "A", ttl: 1, data }])),
      EncodeError,
      data,
    );
  }
  for (const data of ["1::2::3", "fe80::1%eth0", "::ffff:1.2.3.256", "12345::", ""]) {
    assert.throws(
      () => encodeMessage(reply("x.", [{ name: "x.", type: "AAAA", ttl: 1, data }])),
      EncodeError,
      data,
    );
  }
  // miekg/dns packTxtString: "string exceeded 255 bytes in txt"; dns-packet wrote the length
  // modulo 256. 255 bytes is the most a character-string holds (RFC 1035 §3.3).
  const txt = (data: string | Buffer | string[]) => reply("t.", [{ name: "t.", type: "TXT", ttl: 1, data }]);
  for (const data of ["x".repeat(256), "ü".repeat(128), Buffer.alloc(256), ["ok", "y".repeat(300)]]) {
    assert.throws(() => encodeMessage(txt(data)), EncodeError);
  }
  const lengths = (rdata(encodeMessage(txt(["x".repeat(255), "ü".repeat(127)])).buf) as Buffer[]).map(
    (b) => b.length,
  );
  assert.deepEqual(lengths, [255, 254]);
});

test("a name over 255 bytes is an EncodeError even when its end is a pointer", () => {
  // miekg/dns refuses a name whose wire form exceeds 255 octets (ErrLongDomain), compressed or
  // not; the previous encoder counted only the labels before the pointer and wrote names that
  // dns-packet then failed to decode ("name too long", found by src/dns/fuzz.test.ts).
  const q = `${Array.from({ length: 4 }, () => "q".repeat(61)).join(".")}.`; // 4 × 62 + 1 = 249
  const owner = (prefix: string) =>
    reply(q, [{ name: `${prefix}.${q}`, type: "A", ttl: 1, data: "1.2.3.4" }]);
  const fits = encodeMessage(owner("abcde")).buf; // 6 + 249 = 255
  assert.equal(dnsPacket.decode(fits).answers?.[0]?.name, `abcde.${q.slice(0, -1)}`);
  assert.throws(() => encodeMessage(owner("abcdef")), EncodeError); // 256
  assert.throws(() => encodeMessage(owner("é.abc")), EncodeError, "bytes, not chars"); // 3 + 4 + 249
});

/** The first answer's data, decoded by dns-packet. */
const rdata = (buf: Buffer): unknown => {
  const a = dnsPacket.decode(buf).answers?.[0];
  return a && "data" in a ? a.data : undefined;
};

/** The target of every compression pointer in owner names, questions and PTR data. */
function pointers(buf: Buffer): number[] {
  const out: number[] = [];
  const walk = (from: number): number => {
    for (let o = from; ; ) {
      const len = buf[o];
      if (len === 0) return o + 1;
      if ((len & 0xc0) === 0xc0) {
        out.push(buf.readUInt16BE(o) & 0x3fff);
        return o + 2;
      }
      o += len + 1;
    }
  };
  let o = walk(12) + 4;
  const count = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  for (let r = 0; r < count; r++) {
    o = walk(o);
    const type = buf.readUInt16BE(o);
    const rdlen = buf.readUInt16BE(o + 8);
    if (type === 12) walk(o + 10);
    o += 10 + rdlen;
  }
  return out;
}

test("random replies: dns-packet reads back what was given, every repeated suffix is a pointer", () => {
  let seed = 0x5eed;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)];
  const words = [
    "svc",
    "Svc",
    "ns-1",
    "cluster",
    "local",
    "LOCAL",
    "a",
    "b-2",
    "_tcp",
    "_http",
    "x\\.y",
    "bücher",
  ];
  const name = () => `${Array.from({ length: 1 + rnd(4) }, () => pick(words)).join(".")}.`;
  const hex4 = () => rnd(0x10000).toString(16);
  const record = (): Answer => {
    const base = { name: name(), ttl: rnd(100000), class: "IN" as const };
    switch (rnd(9)) {
      case 0:
        return { ...base, type: "A", data: `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}` };
      case 1:
        return { ...base, type: "AAAA", data: Array.from({ length: 8 }, hex4).join(":") };
      case 2:
        return { ...base, type: "CNAME", data: name() };
      case 3:
        return { ...base, type: "PTR", data: name() };
      case 4:
        return { ...base, type: "NS", data: name() };
      case 5:
        return { ...base, type: "MX", data: { preference: rnd(65536), exchange: name() } };
      case 6:
        return {
          ...base,
          type: "SRV",
          data: { priority: rnd(65536), weight: rnd(65536), port: rnd(65536), target: name() },
        };
      case 7:
        return { ...base, type: "TXT", data: Array.from({ length: rnd(3) }, () => "t".repeat(rnd(256))) };
      default: {
        const data = {
          mname: name(),
          rname: name(),
          serial: rnd(2 ** 31),
          refresh: 1,
          retry: 2,
          expire: 3,
          minimum: 4,
        };
        return { ...base, type: "SOA", data };
      }
    }
  };
  const section = () => Array.from({ length: rnd(8) }, record);
  for (let i = 0; i < 300; i++) {
    const m: Packet = {
      id: rnd(65536),
      type: "response",
      flags: 0x8180,
      questions: [{ name: name(), type: "A", class: "IN" }],
      answers: section(),
      authorities: section(),
      additionals: section(),
    };
    const size = pick([512, 1232, 65535]);
    const { buf, truncated } = encodeMessage(m, size);
    assert.ok(buf.length <= size);
    const d = dnsPacket.decode(buf);
    assert.equal(((d.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0, truncated);
    const all = (p: Packet) => [...(p.answers ?? []), ...(p.authorities ?? []), ...(p.additionals ?? [])];
    const got = all(d);
    const want = all(m);
    if (!truncated) assert.equal(got.length, want.length);
    for (const [k, g] of got.entries())
      assert.deepEqual(comparable(g), comparable(want[k]), `message ${i} rr ${k}`);
    assertMaximallyCompressed(buf);
  }
});

/** A record as dns-packet decodes it, names without the final dot and TXT as Buffers. */
function comparable(a: Answer): unknown {
  const strip = (s: string) => s.replace(/\.$/, "");
  const data = "data" in a ? a.data : undefined;
  const d =
    typeof data === "string"
      ? a.type === "AAAA"
        ? Buffer.from(
            data
              .split(":")
              .map((g) => g.padStart(4, "0"))
              .join(""),
            "hex",
          ).toString("hex")
        : strip(data)
      : Array.isArray(data)
        ? data.map((t) => Buffer.from(t).toString())
        : data && typeof data === "object"
          ? Object.fromEntries(
              Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? strip(v) : v]),
            )
          : data;
  return [strip(a.name), a.type, "ttl" in a ? a.ttl : undefined, d];
}

/**
 * Walk a message and check RFC 1035 §4.1.4 compression as miekg/dns does it: each name in a
 * question, an owner or a name-bearing rdata of the RFC 1035 types is written out only up to the
 * first suffix (exact bytes, so case-sensitive) already written at an offset a pointer can
 * reach; then it points there. SRV targets are written out and are no targets (RFC 2782).
 */
function assertMaximallyCompressed(buf: Buffer): void {
  const seen = new Map<string, number>();
  const labelsFrom = (from: number): string[] => {
    const out: string[] = [];
    for (let o = from; buf[o] !== 0; ) {
      if ((buf[o] & 0xc0) === 0xc0) o = buf.readUInt16BE(o) & 0x3fff;
      else {
        out.push(buf.subarray(o + 1, o + 1 + buf[o]).toString("hex"));
        o += buf[o] + 1;
      }
    }
    return out;
  };
  const name = (from: number, compressible: boolean): number => {
    let o = from;
    for (;;) {
      if (buf[o] === 0) return o + 1;
      const key = labelsFrom(o).join(".");
      if ((buf[o] & 0xc0) === 0xc0) return o + 2;
      if (compressible) {
        assert.equal(seen.get(key), undefined, `suffix at ${o} written again (first at ${seen.get(key)})`);
        if (o < 0x3fff) seen.set(key, o);
      }
      o += buf[o] + 1;
    }
  };
  let o = name(12, true) + 4;
  const count = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  for (let r = 0; r < count; r++) {
    o = name(o, true);
    const type = buf.readUInt16BE(o);
    const rd = o + 10;
    if (type === 2 || type === 5 || type === 12) name(rd, true);
    if (type === 15) name(rd + 2, true);
    if (type === 6) name(name(rd, true), true);
    if (type === 33) name(rd + 6, false);
    o = rd + buf.readUInt16BE(o + 8);
  }
  assert.equal(o, buf.length);
}
