/**
 * accept() (miekg/dns defaultMsgAcceptFunc + serveDNS + Msg.unpack) and sizeAndDo (CoreDNS
 * request.SizeAndDo with request.supportedOptions, options packed again as miekg/dns packs them).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket, { type OptAnswer, type Packet } from "dns-packet";
import { accept, replyTo, sizeAndDo } from "./message.ts";

const u16 = (n: number) => [n >> 8, n & 0xff];
const header = (flags: number, an: number, ns: number, ar: number) => [
  0x12,
  0x34,
  ...u16(flags),
  0,
  1,
  0,
  an,
  0,
  ns,
  0,
  ar,
];
// www.example.org. A IN
const question = [
  3,
  ...Buffer.from("www"),
  7,
  ...Buffer.from("example"),
  3,
  ...Buffer.from("org"),
  0,
  0,
  1,
  0,
  1,
];
const opt = (options: number[], rdlength = options.length) => [
  0,
  0,
  41,
  4,
  0xd0,
  0,
  0,
  0,
  0,
  ...u16(rdlength),
  ...options,
];
const QUESTION = { name: "www.example.org", type: "A", class: "IN" };

function formerrOf(bytes: number[]) {
  const a = accept(Buffer.from(bytes));
  assert.equal(a.action, "formerr");
  return a.action === "formerr" ? a.reply : undefined;
}

test("the bench's query shape is accepted and decoded as dns-packet decodes it", () => {
  for (const [name, type] of [
    ["web-1.default.svc.cluster.local.", "A"],
    ["_http._tcp.web-1.default.svc.cluster.local.", "SRV"],
    ["10.0.96.10.in-addr.arpa.", "PTR"],
  ] as const) {
    const q = dnsPacket.encode({
      id: 7,
      type: "query",
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name, type, class: "IN" }],
      additionals: [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as OptAnswer],
    });
    const a = accept(q);
    assert.equal(a.action, "accept");
    if (a.action === "accept") assert.deepStrictEqual(a.msg, dnsPacket.decode(q));
  }
});

test("off the fast path (a pointer in the question) the message is still dns-packet's", () => {
  // "a" then a pointer to offset 11, the header's last byte: a zero, so the root.
  const buf = Buffer.from([...header(0x0100, 0, 0, 0), 1, 0x61, 0xc0, 11, 0, 1, 0, 1]);
  const a = accept(buf);
  assert.equal(a.action, "accept");
  if (a.action === "accept") {
    assert.deepStrictEqual(a.msg, dnsPacket.decode(buf));
    assert.equal(a.msg.questions?.[0].name, "a");
  }
});

test("an additional whose RDLENGTH runs past the message is a FORMERR with the question (miekg)", () => {
  // NULL record, RDLENGTH 400, 3 bytes of data: dns-packet used to read it and answer NOERROR.
  const reply = formerrOf([
    ...header(0x0100, 0, 0, 1),
    ...question,
    0,
    0,
    10,
    0,
    1,
    0,
    0,
    0,
    0,
    ...u16(400),
    1,
    2,
    3,
  ]);
  assert.equal(reply?.id, 0x1234);
  assert.equal((reply?.flags ?? 0) & 0xf, 1);
  // miekg's serveDNS writes the request back with its question when the question unpacked.
  assert.deepEqual(reply?.questions, [QUESTION]);
  assert.deepEqual([reply?.answers, reply?.authorities, reply?.additionals], [[], [], []]);
});

test("an OPT cut inside its data, or with an option past its end, is a FORMERR", () => {
  formerrOf([...header(0x0100, 0, 0, 1), ...question, ...opt([0, 12, 0, 8, 0, 0], 10)]);
  formerrOf([...header(0x0100, 0, 0, 1), ...question, ...opt([0, 12, 0, 8, 0, 0])]);
  // ECS with an unknown family and a keepalive of 1 byte: edns.go's unpack errors.
  formerrOf([...header(0x0100, 0, 0, 1), ...question, ...opt([0, 8, 0, 4, 0, 3, 0, 0])]);
  formerrOf([...header(0x0100, 0, 0, 1), ...question, ...opt([0, 11, 0, 1, 5])]);
  // An A record of 3 bytes in the answer section (unpackA overflows).
  formerrOf([...header(0x0100, 1, 0, 0), ...question, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 10, 0, 0]);
});

test("a name the question cannot be read from gets a FORMERR without a question", () => {
  const reply = formerrOf([...header(0x0100, 0, 0, 0), 63, 1, 2]);
  assert.deepEqual(reply?.questions, []);
});

test("trailing bytes are ignored, and records the message does not hold are not read (miekg)", () => {
  const trailing = accept(Buffer.from([...header(0x0100, 0, 0, 1), ...question, ...opt([]), 0xde, 0xad]));
  assert.equal(trailing.action, "accept");
  if (trailing.action === "accept")
    assert.equal((trailing.msg.additionals?.[0] as OptAnswer | undefined)?.udpPayloadSize, 1232);
  // ARCOUNT 1 but the message ends after the question: unpackRRslice stops, no error.
  const short = accept(Buffer.from([...header(0x0100, 0, 0, 1), ...question]));
  assert.equal(short.action, "accept");
  if (short.action === "accept") {
    assert.deepEqual(short.msg.questions, [QUESTION]);
    assert.deepEqual(short.msg.additionals, []);
  }
});

test("the Z bit is ignored (miekg/dns#976)", () => {
  assert.equal(accept(Buffer.from([...header(0x0140, 0, 0, 0), ...question])).action, "accept");
});

test("error replies keep the request's TC, RD, RA, AD and CD, clear AA and Z (miekg serveDNS)", () => {
  // Two questions: rejected by the accept func, no question echoed.
  const two = [0x12, 0x34, 0x07, 0xf0, 0, 2, 0, 0, 0, 0, 0, 0, ...question, ...question];
  const reply = formerrOf(two);
  assert.equal(reply?.flags, 0x0200 | 0x0100 | 0x0080 | 0x0020 | 0x0010 | 1);
  assert.deepEqual(reply?.questions, []);
  const notimp = accept(Buffer.from([...header((2 << 11) | 0x0500, 0, 0, 0), ...question]));
  assert.equal(notimp.action, "notimp");
  if (notimp.action === "notimp") assert.equal(notimp.reply.flags, (2 << 11) | 0x0100 | 4);
});

test("a header with nothing after it is read as a message without a question: SERVFAIL", () => {
  // miekg's unpack stops at the end of the header without error, whatever the counts; CoreDNS's
  // ServeDNS answers SetRcode(req, SERVFAIL): id, opcode, RD and CD kept, no question.
  const got = accept(Buffer.from(header(0x0100 | 0x0010 | 0x0200, 1, 0, 2)));
  assert.equal(got.action, "servfail");
  assert.ok(got.action === "servfail");
  assert.equal(got.reply.id, 0x1234);
  assert.equal(got.reply.flags, 0x0100 | 0x0010 | 2);
  assert.deepEqual(got.reply.questions, []);
  // One byte more, a zero, is the root name with the message ending after it: a question of type
  // and class 0 (miekg unpackQuestion). Half a pointer is a body miekg cannot read: FORMERR.
  const root = accept(Buffer.from([...header(0x0100, 0, 0, 0), 0]));
  assert.ok(root.action === "accept");
  assert.deepEqual(root.msg.questions, [{ name: ".", type: "UNKNOWN_0", class: "UNKNOWN_0" }]);
  formerrOf([...header(0x0100, 0, 0, 0), 0xc0]);
});

test("short headers and responses are ignored", () => {
  assert.equal(accept(Buffer.from([1, 2, 3])).action, "ignore");
  assert.equal(accept(Buffer.from([...header(0x8100, 0, 0, 0), ...question])).action, "ignore");
});

test("two OPT records are a FORMERR (RFC 6891 §6.1.1)", () => {
  formerrOf([...header(0x0100, 0, 0, 2), ...question, ...opt([]), ...opt([])]);
});

function replyOpt(options: number[], size = 1232): OptAnswer {
  const a = accept(
    Buffer.from([
      ...header(0x0100, 0, 0, 1),
      ...question,
      0,
      0,
      41,
      ...u16(size),
      0,
      0,
      0x80,
      0,
      ...u16(options.length),
      ...options,
    ]),
  );
  assert.equal(a.action, "accept");
  if (a.action !== "accept") throw new Error("not accepted");
  const reply: Packet = replyTo(a.msg);
  sizeAndDo(a.msg, reply);
  const o = reply.additionals?.find((r) => r.type === "OPT") as OptAnswer;
  assert.ok(o);
  return o;
}

const optionsOf = (o: OptAnswer) =>
  o.options.map((x) => [x.code, [...((x as { data?: Buffer }).data ?? [])]]);

test("the reply's OPT: the client's size and DO, version 0, only the options CoreDNS keeps", () => {
  const padding = new Array(400).fill(0);
  const o = replyOpt([
    ...[0, 3, 0, 2, 0xab, 0xcd], // NSID: kept
    ...[0, 8, 0, 7, 0, 1, 24, 0, 10, 1, 2], // ECS: not echoed by CoreDNS
    ...[0, 12, ...u16(400), ...padding], // PADDING: kept
    ...[0xfd, 0xe9, 0, 3, 1, 2, 3], // local option 65001: dropped
    ...[0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8], // COOKIE: kept
  ]);
  assert.equal(o.udpPayloadSize, 1232);
  assert.equal(o.flags, 0x8000);
  assert.equal(o.ednsVersion, 0);
  assert.deepEqual(optionsOf(o), [
    [3, [0xab, 0xcd]],
    [12, padding],
    [10, [1, 2, 3, 4, 5, 6, 7, 8]],
  ]);
  // An unknown option of 1000 bytes is not echoed, so the reply stays small.
  assert.deepEqual(optionsOf(replyOpt([0xfd, 0xe9, ...u16(1000), ...new Array(1000).fill(7)])), []);
});

test("echoed options are packed as miekg packs them: EXPIRE 4 bytes, a zero keepalive empty", () => {
  assert.deepEqual(optionsOf(replyOpt([0, 9, 0, 6, 0, 0, 0, 9, 1, 1])), [[9, [0, 0, 0, 9]]]);
  assert.deepEqual(optionsOf(replyOpt([0, 9, 0, 0])), [[9, []]]);
  assert.deepEqual(optionsOf(replyOpt([0, 11, 0, 2, 0, 0])), [[11, []]]);
  assert.deepEqual(optionsOf(replyOpt([0, 11, 0, 2, 0, 5])), [[11, [0, 5]]]);
  // A cookie of any length is echoed as it came (hex in, hex out).
  assert.deepEqual(optionsOf(replyOpt([0, 10, 0, 3, 1, 2, 3])), [[10, [1, 2, 3]]]);
});

// A question cut after its name or its type: miekg's unpackQuestion returns early with the
// missing fields 0 (msg.go), so CoreDNS sees a question of type 0 and class 0.
test("a question cut after its name or its type is read with type and class 0 (miekg)", () => {
  const name = question.slice(0, 17);
  const cut = accept(Buffer.from([...header(0x0100, 0, 0, 1), ...name]));
  assert.equal(cut.action, "accept");
  if (cut.action === "accept") {
    assert.deepEqual(cut.msg.questions, [{ name: "www.example.org", type: "UNKNOWN_0", class: "UNKNOWN_0" }]);
    assert.deepEqual([cut.msg.answers, cut.msg.authorities, cut.msg.additionals], [[], [], []]);
    // The reply echoes it whole: name, then a type and class of 0 (miekg packs both always).
    const reply = dnsPacket.encode(replyTo(cut.msg, 5));
    assert.deepEqual([...reply.subarray(12)], [...name, 0, 0, 0, 0]);
  }
  const typed = accept(Buffer.from([...header(0x0100, 0, 0, 0), ...name, 0, 28]));
  assert.equal(typed.action, "accept");
  if (typed.action === "accept")
    assert.deepEqual(typed.msg.questions, [{ name: "www.example.org", type: "AAAA", class: "UNKNOWN_0" }]);
  // Cut inside the type or the class is still a FORMERR, with no question.
  assert.deepEqual(formerrOf([...header(0x0100, 0, 0, 0), ...name, 0])?.questions, []);
  assert.deepEqual(formerrOf([...header(0x0100, 0, 0, 0), ...name, 0, 1, 0])?.questions, []);
});

/** A query asking `nameWire` A IN, then an additional record of private type 65001 holding `rdata`. */
function withPrivateRecord(nameWire: number[], rdata: number[]): number[] {
  const record = [0, ...u16(65001), 0, 1, 0, 0, 0, 0, ...u16(rdata.length), ...rdata];
  return [...header(0x0100, 0, 0, 1), ...nameWire, 0, 1, 0, 1, ...record];
}

// miekg's UnpackDomainName follows a pointer to any offset in the message (msg.go); dns-packet
// takes only earlier ones.
const EXAMPLE_ORG = [7, ...Buffer.from("example"), 3, ...Buffer.from("org"), 0];

test("a question name pointing forward is read by following the pointer (miekg)", () => {
  // The question is a pointer to the rdata, at 12 + 2 + 4 + 11 = 29.
  const ahead = accept(Buffer.from(withPrivateRecord([0xc0, 29], EXAMPLE_ORG)));
  assert.equal(ahead.action, "accept");
  if (ahead.action === "accept") {
    assert.deepEqual(ahead.msg.questions, [{ name: "example.org", type: "A", class: "IN" }]);
    assert.equal(ahead.msg.additionals?.length, 1);
    assert.equal(ahead.msg.additionals?.[0].type, "UNKNOWN_65001");
    assert.equal(ahead.msg.flag_rd, true);
  }
  // Labels first, then a pointer forward; the odd bytes as dns-packet writes them (unescaped).
  const tail = [1, 0x2e, 3, ...Buffer.from("Org"), 0];
  const mixed = accept(Buffer.from(withPrivateRecord([3, ...Buffer.from("www"), 0xc0, 33], tail)));
  assert.equal(mixed.action, "accept");
  if (mixed.action === "accept") assert.equal(mixed.msg.questions?.[0].name, "www...Org");
  // A pointer back from the rdata to the question, as dns-packet would read it: the same message.
  const back = Buffer.from(withPrivateRecord([...EXAMPLE_ORG], [0xc0, 12]));
  const viaBack = accept(back);
  assert.equal(viaBack.action, "accept");
  if (viaBack.action === "accept") assert.deepStrictEqual(viaBack.msg, dnsPacket.decode(back));
});

test("a pointer loop, or a name past 255 octets through pointers, is still a FORMERR", () => {
  // A pointer to itself; and one forward to a pointer back to the question.
  assert.deepEqual(formerrOf([...header(0x0100, 0, 0, 0), 0xc0, 12, 0, 1, 0, 1])?.questions, []);
  assert.deepEqual(formerrOf(withPrivateRecord([0xc0, 29], [0xc0, 12]))?.questions, []);
  // Five labels of 60 behind a pointer: 305 octets, over miekg's 255.
  const long = Array.from({ length: 5 }, () => [60, ...new Array(60).fill(0x61)]).flat();
  assert.deepEqual(formerrOf(withPrivateRecord([0xc0, 29], [...long, 0]))?.questions, []);
});

test("a FORMERR after a question pointing forward echoes that question (miekg serveDNS)", () => {
  // The name in a private record, then an A record of 3 bytes: Extra fails, the question stands.
  const bytes = withPrivateRecord([0xc0, 29], EXAMPLE_ORG);
  bytes[11] = 2;
  const reply = formerrOf([...bytes, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 10, 0, 0]);
  assert.deepEqual(reply?.questions, [{ name: "example.org", type: "A", class: "IN" }]);
});
