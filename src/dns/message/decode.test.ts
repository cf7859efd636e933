/**
 * The hand-written query decoder against dns-packet (differential: generated queries with odd
 * name bytes, every kind of type, class, flags and EDNS option), and miekg/dns's unpack rules
 * (msg.go unpack/unpackRRslice/UnpackRRWithHeader, msg_helpers.go, edns.go option unpack).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket, { type Answer } from "dns-packet";
import { decodeQuery, decodeRecordsInto, decodeWithQuestion, unpackKept, unpackQuestion } from "./decode.ts";
import { encodeRecords } from "./wire.ts";

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const u16 = (n: number) => [n >> 8, n & 0xff];

function gen(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const ODD = [
    0x00, 0x01, 0x09, 0x0a, 0x1f, 0x20, 0x2e, 0x5c, 0x22, 0x28, 0x3b, 0x40, 0x7f, 0x80, 0xc3, 0xa9, 0xff,
  ];
  const PLAIN = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"].map((c) =>
    c.charCodeAt(0),
  );

  function label(): number[] {
    const n = r() < 0.9 ? 1 + int(12) : 1 + int(63);
    const odd = r() < 0.15;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(odd && r() < 0.3 ? pick(ODD) : pick(PLAIN));
    // A valid or a cut UTF-8 sequence now and then.
    if (odd && r() < 0.3)
      out.splice(
        int(out.length),
        0,
        ...pick([
          [0xc3, 0xa9],
          [0xe2, 0x82, 0xac],
          [0xe2, 0x82],
          [0xf0, 0x9f, 0x98, 0x80],
        ]),
      );
    return out.slice(0, 63);
  }
  function name(): number[] {
    const labels = r() < 0.05 ? 0 : r() < 0.05 ? 40 + int(40) : 1 + int(8);
    const out: number[] = [];
    for (let i = 0; i < labels; i++) {
      const l = label();
      out.push(l.length, ...l);
    }
    return [...out, 0];
  }
  function option(): number[] {
    const code = pick([3, 8, 8, 9, 10, 11, 12, 12, 14, 15, 2, 1, 18, 19, 26946, 65001, int(65536)]);
    let data: number[];
    switch (code) {
      case 8: {
        const fam = pick([0, 1, 2, 3]);
        const src = fam === 0 ? pick([0, 0, 8]) : int(fam === 1 ? 40 : 140);
        data = [...u16(fam), src, pick([0, 0, 24, 200]), ...Array.from({ length: int(17) }, () => int(256))];
        break;
      }
      case 11:
        data = Array.from({ length: pick([0, 2, 2, 1, 3]) }, () => int(256));
        break;
      case 14:
        data = Array.from({ length: pick([0, 2, 4, 6, 3]) }, () => int(256));
        break;
      case 12:
        data = new Array(pick([0, 1, 16, 128, 468])).fill(0);
        break;
      default:
        data = Array.from({ length: pick([0, 1, 2, 4, 8, 16, 24, 40]) }, () => int(256));
    }
    return [...u16(code), ...u16(data.length), ...data];
  }
  const types = [1, 28, 33, 12, 5, 2, 6, 15, 16, 255, 0, 41, 250, 256, 257, 32768, 32769, 65535];
  const qtype = r() < 0.5 ? pick(types) : int(65536);
  const qclass = r() < 0.7 ? pick([1, 1, 1, 3, 4, 255, 254]) : int(65536);
  // Mostly plain queries; sometimes any flags (responses, other opcodes, rcodes, Z).
  const flags = r() < 0.7 ? pick([0x0100, 0x0000, 0x0110, 0x0120]) : int(65536);
  const withOpt = r() < 0.7;
  const out = [
    ...u16(int(65536)),
    ...u16(flags),
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    withOpt ? 1 : 0,
    ...name(),
    ...u16(qtype),
    ...u16(qclass),
  ];
  if (withOpt) {
    const opts: number[] = [];
    const n = pick([0, 0, 1, 1, 2, 4]);
    for (let i = 0; i < n; i++) opts.push(...option());
    out.push(0, 0, 41, ...u16(pick([512, 1232, 4096, 0, int(65536)])), pick([0, 0, 1]), pick([0, 0, 1]));
    out.push(...u16(pick([0, 0x8000, int(65536)])), ...u16(opts.length), ...opts);
  }
  if (r() < 0.05) out.push(...Array.from({ length: 1 + int(4) }, () => int(256)));
  return { buf: Buffer.from(out), mutate: r };
}

function dnsPacketDecode(buf: Buffer): unknown {
  try {
    return dnsPacket.decode(buf);
  } catch {
    return "throws";
  }
}

test("differential: generated queries decode exactly as dns-packet decodes them", () => {
  let fast = 0;
  for (let seed = 1; seed <= 6000; seed++) {
    const { buf } = gen(seed);
    const mine = decodeQuery(buf);
    if (mine === undefined) continue;
    fast++;
    assert.deepStrictEqual(mine, dnsPacketDecode(buf), `seed ${seed}: ${buf.toString("hex")}`);
    // What the fast path takes, miekg unpacks whole.
    assert.deepEqual(unpackKept(buf), [0, 0, buf[11]], `seed ${seed}`);
  }
  // Half the generated queries have the common shape: the fast path must be taking them.
  assert.ok(fast > 2500, `fast path took ${fast} of 6000`);
});

test("differential: cut, bit-flipped and stretched queries never decode differently", () => {
  let fast = 0;
  for (let seed = 1; seed <= 4000; seed++) {
    const { buf, mutate } = gen(seed);
    const variants = [
      buf.subarray(0, Math.floor(mutate() * buf.length)),
      Buffer.from(buf).fill(Math.floor(mutate() * 256), Math.floor(mutate() * buf.length), buf.length),
    ];
    const flipped = Buffer.from(buf);
    flipped[12 + Math.floor(mutate() * (buf.length - 12))] ^= 1 << Math.floor(mutate() * 8);
    variants.push(flipped);
    for (const v of variants) {
      const mine = decodeQuery(v);
      if (mine === undefined) continue;
      fast++;
      assert.deepStrictEqual(mine, dnsPacketDecode(v), `seed ${seed}: ${v.toString("hex")}`);
      assert.notEqual(unpackKept(v), undefined, `seed ${seed}: ${v.toString("hex")}`);
    }
  }
  assert.ok(fast > 1000, `fast path took ${fast}`);
});

test("names: odd bytes kept as dns-packet keeps them, pointers and non-ASCII left to it", () => {
  const q = (nameWire: number[], extra: number[] = []) =>
    Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...nameWire, 0, 1, 0, 1, ...extra]);
  // "a.b" as one label, a backslash, NUL and a space: dns-packet does not escape them.
  const odd = q([3, 0x61, 0x2e, 0x62, 3, 0x5c, 0x00, 0x20, 0]);
  assert.equal(decodeQuery(odd)?.questions?.[0].name, "a.b.\\\u0000 ");
  assert.deepStrictEqual(decodeQuery(odd), dnsPacket.decode(odd));
  assert.equal(decodeQuery(q([0]))?.questions?.[0].name, ".");
  assert.equal(decodeQuery(q([2, 0x41, 0x62, 0]))?.questions?.[0].name, "Ab");
  assert.equal(decodeQuery(q([2, 0xc3, 0xa9, 0])), undefined);
  // A pointer in the question (legal, rare) goes to dns-packet.
  assert.equal(decodeQuery(q([1, 0x61, 0xc0, 12])), undefined);
  // Unknown type and class mnemonics are dns-packet's.
  const unknown = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0xe9, 0x00, 0x07]);
  assert.deepEqual(decodeQuery(unknown)?.questions, [
    { name: ".", type: "UNKNOWN_65001", class: "UNKNOWN_7" },
  ]);
  assert.deepStrictEqual(decodeQuery(unknown), dnsPacket.decode(unknown));
});

const header = (an: number, ns: number, ar: number) => [0, 9, 1, 0, 0, 1, 0, an, 0, ns, 0, ar];
const question = [3, 0x77, 0x77, 0x77, 0, 0, 1, 0, 1]; // www. A IN
const rr = (type: number, rdata: number[], rdlength = rdata.length) => [
  0,
  ...u16(type),
  0,
  1,
  0,
  0,
  0,
  0,
  ...u16(rdlength),
  ...rdata,
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

test("miekg: RDLENGTH past the end of the message fails (overflowing header size)", () => {
  assert.equal(
    unpackKept(Buffer.from([...header(0, 0, 1), ...question, ...rr(10, [1, 2, 3], 40)])),
    undefined,
  );
  assert.equal(unpackKept(Buffer.from([...header(0, 0, 1), ...question, ...opt([], 4)])), undefined);
  // A record cut inside its fixed fields fails too.
  assert.equal(unpackKept(Buffer.from([...header(0, 0, 1), ...question, 0, 0, 10, 0, 1])), undefined);
});

test("miekg: rdata of the wrong size, and options that overflow the OPT, fail", () => {
  const one = (r: number[]) => unpackKept(Buffer.from([...header(1, 0, 0), ...question, ...r]));
  assert.equal(one(rr(1, [10, 0, 0])), undefined); // A needs 4 bytes
  assert.equal(one(rr(1, [10, 0, 0, 1, 9])), undefined); // and no more (bad rdlength)
  assert.deepEqual(one(rr(1, [10, 0, 0, 1])), [1, 0, 0]);
  assert.deepEqual(one(rr(1, [])), [1, 0, 0]); // no rdata at all is fine (noRdata)
  assert.equal(one(rr(28, new Array(15).fill(0))), undefined);
  assert.deepEqual(one(rr(5, [1, 0x61, 0])), [1, 0, 0]); // CNAME a.
  assert.equal(one(rr(5, [1, 0x61, 0, 7])), undefined); // a name that ends before its rdata
  assert.deepEqual(one(rr(65001, [1, 2, 3])), [1, 0, 0]); // unknown types: any size
  const withOpt = (o: number[]) => unpackKept(Buffer.from([...header(0, 0, 1), ...question, ...o]));
  assert.equal(withOpt(opt([0, 12, 0, 9, 0, 0])), undefined); // option longer than the OPT
  assert.equal(withOpt(opt([0, 12, 0])), undefined); // option header cut
  assert.deepEqual(withOpt(opt([0, 12, 0, 2, 0, 0])), [0, 0, 1]);
});

test("miekg: malformed EDNS options fail as edns.go's unpack does", () => {
  const withOption = (code: number, data: number[]) =>
    unpackKept(
      Buffer.from([...header(0, 0, 1), ...question, ...opt([...u16(code), ...u16(data.length), ...data])]),
    );
  assert.equal(withOption(8, [0, 1, 24]), undefined); // ECS shorter than 4
  assert.equal(withOption(8, [0, 3, 24, 0, 10]), undefined); // bad family
  assert.equal(withOption(8, [0, 1, 33, 0, 10]), undefined); // IPv4 netmask over 32
  assert.equal(withOption(8, [0, 0, 8, 0]), undefined); // family 0 only with netmask 0
  assert.deepEqual(withOption(8, [0, 0, 0, 0]), [0, 0, 1]); // what dig sends
  assert.deepEqual(withOption(8, [0, 2, 56, 0, 0x20, 1, 0xd, 0xb8, 0, 0, 0]), [0, 0, 1]);
  assert.equal(withOption(11, [0]), undefined); // keepalive: 0 or 2 bytes
  assert.deepEqual(withOption(11, [0, 100]), [0, 0, 1]);
  assert.equal(withOption(9, [0, 0]), undefined); // expire: empty or at least 4
  assert.deepEqual(withOption(9, [0, 0, 0, 1, 5]), [0, 0, 1]);
  assert.equal(withOption(2, [0, 0, 0, 1, 0]), undefined); // update lease: 4 or 8
  assert.equal(withOption(1, new Array(17).fill(0)), undefined); // LLQ: 18 or more
  assert.equal(withOption(15, [0]), undefined); // EDE: info code needed
  assert.equal(withOption(18, [3, 0x61]), undefined); // reporting agent: a whole name
  assert.deepEqual(withOption(65001, [1, 2, 3]), [0, 0, 1]); // local options: anything
  assert.deepEqual(withOption(10, [1, 2, 3]), [0, 0, 1]); // cookie: hex of anything
});

test("miekg: a count larger than the message keeps what is there; trailing bytes are ignored", () => {
  assert.deepEqual(unpackKept(Buffer.from([...header(1, 1, 2), ...question])), [0, 0, 0]);
  // Here the OPT is read as the authority record the header announces first.
  assert.deepEqual(unpackKept(Buffer.from([...header(0, 1, 2), ...question, ...opt([])])), [0, 1, 0]);
  assert.deepEqual(
    unpackKept(Buffer.from([...header(0, 0, 1), ...question, ...opt([]), 1, 2, 3])),
    [0, 0, 1],
  );
  // A question cut after its name or its type is read (qtype/qclass 0), cut inside a field not.
  assert.deepEqual(unpackKept(Buffer.from([...header(0, 0, 0), 3, 0x77, 0x77, 0x77, 0])), [0, 0, 0]);
  assert.deepEqual(unpackKept(Buffer.from([...header(0, 0, 0), 3, 0x77, 0x77, 0x77, 0, 0, 1])), [0, 0, 0]);
  assert.equal(unpackKept(Buffer.from([...header(0, 0, 0), 3, 0x77, 0x77, 0x77, 0, 0])), undefined);
  assert.equal(unpackKept(Buffer.from([...header(0, 0, 0), 3, 0x77, 0x77])), undefined);
});

test("miekg names: pointers anywhere before the limit, reserved label types and long names fail", () => {
  const withName = (n: number[]) => unpackKept(Buffer.from([...header(0, 0, 0), ...n, 0, 1, 0, 1]));
  // A pointer to itself loops until the name budget or the pointer cap runs out.
  assert.equal(withName([1, 0x61, 0xc0, 12]), undefined);
  // An owner name pointing back at the question is fine.
  const answer = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 0, 0, 1];
  assert.deepEqual(unpackKept(Buffer.from([...header(1, 0, 0), ...question, ...answer])), [1, 0, 0]);
  assert.equal(withName([0x40, 0]), undefined);
  assert.equal(withName([0x80, 0]), undefined);
  const long = (labels: number) =>
    Array.from({ length: labels }, () => [63, ...new Array(63).fill(0x61)]).flat();
  // 4 labels of 63 = 256 octets with the root: over miekg's 255 budget.
  assert.equal(withName([...long(4), 0]), undefined);
  assert.deepEqual(withName([...long(3), 61, ...new Array(61).fill(0x61), 0]), [0, 0, 0]);
});

/** `buf` with the record counts unpackKept keeps, as accept() hands it to dns-packet. */
function withCounts(buf: Buffer, kept: readonly number[]): Buffer {
  const out = Buffer.from(buf);
  for (let s = 0; s < 3; s++) out.writeUInt16BE(kept[s], 6 + 2 * s);
  return out;
}

test("differential: decodeWithQuestion gives dns-packet's message wherever dns-packet reads it", () => {
  let compared = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const { buf, mutate } = gen(seed);
    const flipped = Buffer.from(buf);
    flipped[12 + Math.floor(mutate() * (buf.length - 12))] ^= 1 << Math.floor(mutate() * 8);
    for (const v of [buf, buf.subarray(0, 12 + Math.floor(mutate() * (buf.length - 12))), flipped]) {
      const kept = unpackKept(v);
      if (!kept || v.length === 12) continue;
      const theirs = dnsPacketDecode(withCounts(v, kept));
      if (theirs === "throws") continue;
      compared++;
      assert.deepStrictEqual(decodeWithQuestion(v, kept), theirs, `seed ${seed}: ${v.toString("hex")}`);
    }
  }
  assert.ok(compared > 4000, `compared ${compared}`);
});

test("miekg unpackQuestion: fields the message ends before are 0, pointers may point forward", () => {
  const www = [3, 0x77, 0x77, 0x77, 0];
  const q = (bytes: number[]) => unpackQuestion(Buffer.from([...header(0, 0, 0), ...bytes]));
  assert.deepEqual(q(www), { question: { name: "www", type: "UNKNOWN_0", class: "UNKNOWN_0" }, end: 17 });
  assert.deepEqual(q([...www, 0, 33]), {
    question: { name: "www", type: "SRV", class: "UNKNOWN_0" },
    end: 19,
  });
  assert.equal(q([...www, 0]), undefined);
  assert.equal(q([...www, 0, 1, 0]), undefined);
  // "a", then a pointer past the type and class to "b" at 20: "a.b", the question ending at 18.
  assert.deepEqual(q([1, 0x61, 0xc0, 20, 0, 1, 0, 1, 1, 0x62, 0]), {
    question: { name: "a.b", type: "A", class: "IN" },
    end: 20,
  });
  // Labels as dns-packet decodes them: UTF-8, nothing escaped.
  assert.equal(q([0xc0, 18, 0, 1, 0, 1, 3, 0xc3, 0xa9, 0x2e, 0])?.question.name, "é.");
  assert.equal(q([0xc0, 12, 0, 1, 0, 1]), undefined);
});

test("decodeWithQuestion: records after a question only miekg reads are dns-packet's", () => {
  // Question "www" pointing forward to "example" in the CNAME rdata of the answer "x", at 35.
  const cname = [7, ...Buffer.from("example"), 0];
  const answer = [1, 0x78, 0, 0, 5, 0, 1, 0, 0, 0, 60, ...u16(cname.length), ...cname];
  const question = [3, ...Buffer.from("www"), 0xc0, 35, 0, 1, 0, 1];
  const buf = Buffer.from([...header(1, 0, 1), ...question, ...answer, ...opt([])]);
  assert.equal(buf.indexOf(7, 22), 35);
  const kept = unpackKept(buf);
  assert.deepEqual(kept, [1, 0, 1]);
  const msg = kept && decodeWithQuestion(buf, kept);
  assert.ok(msg, "decoded");
  assert.deepEqual(msg.questions, [{ name: "www.example", type: "A", class: "IN" }]);
  assert.deepEqual(
    msg.answers?.map((a) => [a.name, a.type, "data" in a ? a.data : undefined]),
    [["x", "CNAME", "example"]],
  );
  assert.equal(msg.additionals?.[0].type, "OPT");
  // A record dns-packet cannot read (here one past the end) makes the message unreadable.
  assert.equal(decodeWithQuestion(buf, [1, 0, 2]), undefined);
});

test("records the cache keeps read back as dns-packet reads them, names fully qualified", () => {
  const names = [
    "svc.ns.svc.cluster.local.",
    "A-b.example",
    ".",
    "x",
    "caf\u00e9.example.",
    "sp ace.example.",
    "a\\.b.example.",
  ];
  const kinds = (n: string, m: string): Answer[] => [
    { name: n, type: "A", ttl: 30, data: "10.96.0.1" },
    { name: n, type: "A", class: "CH", ttl: 30, data: "10.96.0.2" },
    { name: n, type: "AAAA", ttl: 30, data: "fd00::1" },
    { name: n, type: "CNAME", ttl: 30, data: m },
    { name: n, type: "PTR", ttl: 30, data: m },
    { name: n, type: "NS", ttl: 30, data: m },
    { name: n, type: "SRV", ttl: 30, data: { priority: 1, weight: 2, port: 3, target: m } },
    {
      name: n,
      type: "SOA",
      ttl: 30,
      data: { mname: m, rname: m, serial: 4, refresh: 5, retry: 6, expire: 7, minimum: 8 },
    },
    { name: n, type: "TXT", ttl: 30, data: "1.1.0" },
    { name: n, type: "MX", ttl: 30, data: { preference: 10, exchange: m } },
  ];
  const fq = (x: string) => (x.endsWith(".") ? x : `${x}.`);
  const codec = (
    dnsPacket as unknown as { answer: { decode: ((b: Buffer, o: number) => Answer) & { bytes: number } } }
  ).answer;
  let plain = 0;
  for (const n of names)
    for (const m of names) {
      const rrs = kinds(n, m);
      const { bytes, counts } = encodeRecords([rrs]);
      assert.equal(counts[0], rrs.length);
      const buf = Buffer.from(bytes);
      const got: Answer[] = [];
      assert.equal(decodeRecordsInto(buf, 0, rrs.length, got), buf.length);
      let o = 0;
      for (const r of got) {
        const want = codec.decode(buf, o) as Answer & { name: string; data: unknown };
        o += codec.decode.bytes;
        const g = r as Answer & { name: string; data: unknown };
        // The fast path writes the final dot, which dns-packet leaves off.
        if (g.name !== "." && g.name.endsWith(".")) plain++;
        const norm = (x: Answer & { name: string; data: unknown }) => {
          const data = x.data;
          const d =
            typeof data === "string" && ["CNAME", "PTR", "NS"].includes(x.type)
              ? fq(data)
              : data && typeof data === "object" && !Buffer.isBuffer(data) && !Array.isArray(data)
                ? Object.fromEntries(
                    Object.entries(data).map(([k, v]) => [
                      k,
                      ["target", "mname", "rname", "exchange"].includes(k) ? fq(String(v)) : v,
                    ]),
                  )
                : data;
          return { ...x, name: fq(x.name), data: d };
        };
        assert.deepEqual(norm(g), norm(want), `${n} ${m} ${r.type}`);
      }
    }
  assert.ok(plain >= 66, `the fast path read the plain ones (${plain})`);
});
