/**
 * Fuzz acceptance test (issue 5): 1,000,000 random and mutated packets crash nothing and leak
 * nothing. Most packets go through the server's message handler in-process (DnsServer.handle,
 * built from the Corefile exactly as startDNS builds it); a sample goes over real UDP and TCP
 * sockets to a running startDNS. Afterwards the server must still answer, no error may have
 * escaped, and the heap after GC must not have grown beyond a bound.
 *
 * SKIFF_FUZZ_PACKETS (default 1,000,000) scales the count; SKIFF_FUZZ_DEADLINE_MS (default 75 s)
 * bounds the time; SKIFF_FUZZ_SEED replays a run (the seed is printed on failure).
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import { test } from "node:test";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import dnsPacket from "dns-packet";
import { Registry } from "prom-client";
import { buildConfig } from "./config.ts";
import { HttpListeners } from "./http.ts";
import { makeLogger, startDNS } from "./index.ts";
import type { Remote } from "./plugin.ts";
import { Metrics, ServerMetrics } from "./server/metrics.ts";
import { DnsServer } from "./server/server.ts";
import { udpExchange } from "./testing/dig.ts";

const TOTAL = Number(process.env.SKIFF_FUZZ_PACKETS ?? 1_000_000);
const DEADLINE_MS = Number(process.env.SKIFF_FUZZ_DEADLINE_MS ?? 75_000);
const SEED = Number(process.env.SKIFF_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** One packet in this many also goes over UDP to the running server. */
const UDP_EVERY = Number(process.env.SKIFF_FUZZ_UDP_EVERY ?? 100);
/** The heap after GC may grow this much from the warmed-up baseline (no per-packet retention). */
const HEAP_BOUND = 24 * 1024 * 1024;
const RSS_BOUND = 96 * 1024 * 1024;

// cache + loadbalance: repeated questions (the root name is asked often) get reply templates, so
// mutated packets also go through the template path (server/fastpath.ts) as the listener does.
const COREFILE = ". {\n  whoami\n  errors\n  cache 30\n  loadbalance\n}\n";

// ---------- a seeded PRNG (xorshift32), so a failing run can be replayed ----------

let state = SEED || 1;
function rnd(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const chance = (p: number) => rnd() < p;

function randBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

// ---------- valid queries, written byte by byte so every field can be bent ----------

const QTYPES = [1, 28, 33, 12, 16, 5, 6, 2, 15, 255, 252, 251, 41, 43, 65, 0, 65535, 1, 1, 28, 33];
const QCLASSES = [1, 1, 1, 1, 3, 4, 254, 255, 0, 65535];
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

function label(): Buffer {
  if (chance(0.05)) return randBytes(1 + int(63));
  const len = chance(0.02) ? 63 : 1 + int(15);
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = ALNUM.charCodeAt(int(ALNUM.length));
  return b;
}

function qname(): Buffer {
  if (chance(0.05)) return Buffer.from([0]); // the root
  const parts: Buffer[] = [];
  const labels = chance(0.03) ? 40 : 1 + int(6);
  for (let i = 0; i < labels; i++) {
    const l = label();
    parts.push(Buffer.from([l.length]), l);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}

/** EDNS0 options: cookie, client subnet, padding, keepalive, an unknown code, or garbage. */
function ednsOptions(): Buffer {
  const opts: Buffer[] = [];
  const n = int(4);
  for (let i = 0; i < n; i++) {
    const code = pick([10, 8, 12, 11, 3, 9, 65001, int(65536)]);
    const data = randBytes(pick([0, 2, 4, 8, 16, 40, int(300)]));
    opts.push(u16(code), u16(chance(0.1) ? int(65536) : data.length), data);
  }
  return Buffer.concat(opts);
}

function optRecord(): Buffer {
  const rdata = ednsOptions();
  const size = pick([0, 512, 1232, 4096, 65535, int(65536)]);
  const ttl = Buffer.alloc(4);
  ttl[0] = chance(0.05) ? int(256) : 0; // extended rcode
  ttl[1] = chance(0.05) ? 1 + int(255) : 0; // version (BADVERS unless 0)
  ttl.writeUInt16BE(chance(0.3) ? 0x8000 : chance(0.05) ? int(65536) : 0, 2);
  return Buffer.concat([Buffer.from([0]), u16(41), u16(size), ttl, u16(rdata.length), rdata]);
}

/** A well-formed query: header, one question, maybe an OPT record. */
function validQuery(): Buffer {
  const withOpt = chance(0.5);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(int(65536), 0);
  header.writeUInt16BE(chance(0.8) ? 0x0100 : chance(0.5) ? 0 : 0x0110, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(withOpt ? 1 : 0, 10);
  const parts = [header, qname(), u16(pick(QTYPES)), u16(pick(QCLASSES))];
  if (withOpt) parts.push(optRecord());
  return Buffer.concat(parts);
}

// ---------- mutations ----------

type Mutation = (b: Buffer) => Buffer;

const MUTATIONS: Mutation[] = [
  // bit flips
  (b) => {
    const n = 1 + int(8);
    for (let i = 0; i < n; i++) b[int(b.length)] ^= 1 << int(8);
    return b;
  },
  // truncation anywhere, including inside the header
  (b) => b.subarray(0, int(b.length)),
  // a random byte
  (b) => {
    b[int(b.length)] = int(256);
    return b;
  },
  // header counts (qd/an/ns/ar) set to edge values
  (b) => {
    if (b.length >= 12) b.writeUInt16BE(pick([0, 1, 2, 3, 255, 65535, int(65536)]), 4 + 2 * int(4));
    return b;
  },
  // opcode, QR, Z and rcode bits
  (b) => {
    if (b.length >= 4) b.writeUInt16BE(int(65536), 2);
    return b;
  },
  // the first label's length byte bent (past the end, into the pointer range, 64–191)
  (b) => {
    if (b.length > 12) b[12] = pick([0, 63, 64, 127, 128, 191, 192, 255, int(256)]);
    return b;
  },
  // a compression pointer to itself
  (b) => Buffer.concat([b.subarray(0, 12), Buffer.from([0xc0, 12]), b.subarray(Math.min(b.length, 13))]),
  // two pointers pointing at each other
  (b) => Buffer.concat([b.subarray(0, 12), Buffer.from([0xc0, 14, 0xc0, 12, 0, 1, 0, 1])]),
  // a pointer past the end or backwards into the header
  (b) => Buffer.concat([b.subarray(0, 12), Buffer.from([0xc0 | int(64), int(256), 0, 1, 0, 1])]),
  // a long chain of backward pointers: one additional record's rdata holds the chain, the next
  // record's owner name walks it (the decoder must follow or reject it, never hang)
  (b) => {
    const q = Buffer.concat([Buffer.alloc(12), Buffer.from([1, 97, 0]), u16(1), u16(1)]);
    q.writeUInt16BE(b.length >= 2 ? b.readUInt16BE(0) : 1, 0);
    q.writeUInt16BE(1, 4);
    q.writeUInt16BE(2, 10);
    const rdataAt = q.length + 2 + 10;
    const links = 1 + int(120);
    const chain = Buffer.alloc(2 * links);
    chain.writeUInt16BE(0xc000 | 12, 0);
    for (let i = 1; i < links; i++) chain.writeUInt16BE(0xc000 | (rdataAt + 2 * (i - 1)), 2 * i);
    const first = Buffer.concat([
      u16(0xc000 | 12),
      u16(10),
      u16(1),
      Buffer.alloc(4),
      u16(chain.length),
      chain,
    ]);
    const second = Buffer.concat([
      u16(0xc000 | (rdataAt + 2 * (links - 1))),
      u16(1),
      u16(1),
      Buffer.alloc(4),
      u16(4),
      randBytes(4),
    ]);
    return Buffer.concat([q, first, second]);
  },
  // a second OPT record, or an OPT with a lying rdlength
  (b) => {
    const extra = optRecord();
    if (chance(0.5)) extra.writeUInt16BE(int(65536), 9);
    const out = Buffer.concat([b, extra]);
    if (out.length >= 12) out.writeUInt16BE((out.readUInt16BE(10) + 1) & 0xffff, 10);
    return out;
  },
  // an answer record in a query (miekg accepts one) with random rdata
  (b) => {
    const rdata = randBytes(int(40));
    const rr = Buffer.concat([
      Buffer.from([0xc0, 12]),
      u16(pick(QTYPES)),
      u16(1),
      Buffer.alloc(4),
      u16(rdata.length),
      rdata,
    ]);
    const out = Buffer.concat([b, rr]);
    if (out.length >= 12) out.writeUInt16BE(1, 6);
    return out;
  },
  // trailing garbage
  (b) => Buffer.concat([b, randBytes(1 + int(64))]),
  // a name of more than 255 bytes
  (b) => {
    const labels: number[] = [];
    for (let i = 0; i < 5; i++) labels.push(63, ...Array.from({ length: 63 }, () => 97));
    return Buffer.concat([b.subarray(0, 12), Buffer.from(labels), Buffer.from([0]), u16(1), u16(1)]);
  },
];

function randomPacket(): Buffer {
  return randBytes(pick([0, 1, 11, 12, 13, 17, int(64), int(600)]));
}

/** The next fuzz packet: random bytes, a valid query, or a valid query mutated 1–3 times. */
function nextPacket(): Buffer {
  const r = rnd();
  if (r < 0.1) return randomPacket();
  let b = validQuery();
  if (r < 0.2) return b;
  const n = 1 + int(3);
  for (let i = 0; i < n; i++) b = Buffer.from(pick(MUTATIONS)(Buffer.from(b)));
  return b;
}

// ---------- checks on each reply ----------

/** Whether the server must answer at all: a readable header that is not a response. */
function expectsReply(q: Buffer): boolean {
  return q.length >= 12 && (q[2] & 0x80) === 0;
}

/** A reply is one DNS message that decodes, answers the query's id, and fits the client's buffer. */
function checkReply(q: Buffer, replies: Buffer[], proto: "udp" | "tcp"): string | undefined {
  if (!expectsReply(q)) return replies.length === 0 ? undefined : "replied to a message that must be ignored";
  if (replies.length !== 1) return `${replies.length} replies`;
  const r = replies[0];
  if (r.length < 12) return "reply shorter than a header";
  if (r.readUInt16BE(0) !== q.readUInt16BE(0)) return "reply id differs from the query's";
  if ((r[2] & 0x80) === 0) return "reply without QR";
  // Decoding every reply would cost as much as serving it: the header checks above run on all,
  // the full decode and size check on one in eight.
  if ((q[1] & 7) !== 0) return undefined;
  let m: dnsPacket.DecodedPacket;
  try {
    m = dnsPacket.decode(r);
  } catch (err) {
    return `reply does not decode: ${(err as Error).message}`;
  }
  const opt = (m.additionals ?? []).find((a) => a.type === "OPT");
  const limit =
    proto === "tcp" ? 65535 : Math.max(512, opt && "udpPayloadSize" in opt ? opt.udpPayloadSize : 0);
  // Only question and OPT may go past it (miekg's Truncate keeps both: a huge echoed option).
  const records = (m.answers?.length ?? 0) + (m.authorities?.length ?? 0) + (m.additionals?.length ?? 0);
  if (r.length > limit && records > (opt ? 1 : 0))
    return `reply of ${r.length} bytes with records exceeds the client's ${limit}`;
  return undefined;
}

// ---------- the fixtures ----------

const REMOTE: Remote = { address: "127.0.0.1", port: 40000, family: "IPv4" };

/** The DnsServer startDNS would build for COREFILE, without sockets. */
async function inProcessServer(log: (line: string) => void): Promise<DnsServer> {
  const metrics = new Metrics(new Registry());
  const logger = makeLogger(log, false);
  const cfg = await buildConfig(COREFILE, {
    corefilePath: "Corefile",
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    env: {},
    metrics,
    http: new HttpListeners(),
    logger,
    instance: {
      corefile: () => COREFILE,
      reload: () => Promise.reject(new Error("reload is not part of the fuzz test")),
    },
  });
  const spec = [...cfg.servers.values()][0];
  return new DnsServer({
    addr: spec.addr,
    zones: spec.zones,
    classChaos: spec.classChaos,
    metrics: new ServerMetrics(metrics),
    log: logger(""),
  });
}

/** `gc()`: the exposed one, or enabled at run time (node:test does not pass --expose-gc). */
function getGC(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

function memory(gc: (() => void) | undefined): number {
  if (!gc) return process.memoryUsage().rss;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Send a window of datagrams; resolve with how many replies came back within `ms` of the last. */
function udpWindow(
  sock: dgram.Socket,
  port: number,
  pkts: Buffer[],
  want: number,
  ms: number,
): Promise<number> {
  return new Promise((resolve) => {
    let got = 0;
    let timer = setTimeout(done, ms);
    function done() {
      sock.off("message", onMsg);
      clearTimeout(timer);
      resolve(got);
    }
    function onMsg() {
      got++;
      if (got >= want) done();
      else {
        clearTimeout(timer);
        timer = setTimeout(done, ms);
      }
    }
    sock.on("message", onMsg);
    for (const p of pkts) sock.send(p, port, "127.0.0.1");
    if (want === 0) {
      clearTimeout(timer);
      timer = setTimeout(done, 5);
    }
  });
}

/** Framed garbage on a TCP connection, then a valid query: the connection may be closed, never the server. */
function tcpRound(port: number, frames: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => s.destroy(), 1000);
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
    s.on("data", () => {});
    s.on("connect", () => {
      const bytes = Buffer.concat(
        frames.map((f) =>
          chance(0.1) ? Buffer.concat([u16(int(65536)), f]) : Buffer.concat([u16(f.length), f]),
        ),
      );
      s.end(bytes);
    });
  });
}

const valid = (name: string, id = 4242) =>
  dnsPacket.encode({
    id,
    type: "query",
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: "A", class: "IN" }],
  });

test(`${TOTAL} random and mutated packets crash nothing and leak nothing (seed ${SEED})`, {
  timeout: DEADLINE_MS + 60_000,
}, async () => {
  const escaped: string[] = [];
  const onEscape = (err: unknown) => escaped.push(String((err as Error)?.stack ?? err));
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
  // Lines the server logs when its own code threw (as opposed to a reply it chose to give).
  const crashes: string[] = [];
  let encodeErrors = 0;
  const log = (line: string) => {
    if (line.includes("handling query from") || line.includes("Recovered from panic")) crashes.push(line);
    else if (line.includes("cannot encode the reply")) encodeErrors++;
  };

  const dns = await startDNS({ corefile: COREFILE, defaultPort: 0, defaultHost: "127.0.0.1", log });
  const server = await inProcessServer(log);
  const udp = dgram.createSocket("udp4");
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", () => r()));
  try {
    const port = dns.addresses[0].port;
    const gc = getGC();
    const start = performance.now();
    const deadline = start + DEADLINE_MS;
    const warmup = Math.min(50_000, Math.floor(TOTAL / 10));
    let baseline = 0;
    let sent = 0;
    let udpSent = 0;
    let udpExpected = 0;
    let udpGot = 0;
    let templated = 0;
    // Failures by kind: how many, and one packet (hex) to replay each.
    const failures = new Map<string, { count: number; example: string }>();
    let window: Buffer[] = [];
    let windowWant = 0;
    const replies: Buffer[] = [];
    const slots = Buffer.alloc(8 * 512);
    const send = (b: Buffer) => {
      replies.push(b);
    };

    while (sent < TOTAL && performance.now() < deadline) {
      // Checking the clock every 1,000 packets keeps its cost out of the loop.
      const batchEnd = Math.min(TOTAL, sent + 1000);
      for (; sent < batchEnd; sent++) {
        const q = nextPacket();
        replies.length = 0;
        const proto = sent % 2 === 0 ? "udp" : "tcp";
        // UDP as the batched socket does it (into a slot of a shared send buffer), TCP as a copy.
        let fast: Buffer | undefined;
        if (proto === "udp") {
          const at = (sent % 8) * 512;
          const n = server.fastInto(q, slots, at, proto, REMOTE.family);
          if (n > 0) fast = Buffer.from(slots.subarray(at, at + n));
        } else fast = server.fast(q, proto, REMOTE.family);
        if (fast) {
          templated++;
          send(fast);
        } else await server.handle(q, REMOTE, proto, send);
        const bad = checkReply(q, replies, sent % 2 === 0 ? "udp" : "tcp");
        if (bad) {
          const f = failures.get(bad) ?? { count: 0, example: q.toString("hex") };
          f.count++;
          failures.set(bad, f);
        }
        if (sent % UDP_EVERY === 0) {
          window.push(q);
          if (expectsReply(q)) windowWant++;
        }
      }
      if (window.length >= 10) {
        udpSent += window.length;
        udpExpected += windowWant;
        udpGot += await udpWindow(udp, port, window, windowWant, 200);
        window = [];
        windowWant = 0;
      }
      if (sent === warmup) baseline = memory(gc);
    }
    // A sample of the same kind over TCP: framed mutated queries, some with lying length prefixes.
    for (let i = 0; i < 50; i++) await tcpRound(port, Array.from({ length: 1 + int(5) }, nextPacket));
    const elapsed = (performance.now() - start) / 1000;
    const after = memory(gc);

    const info = `seed ${SEED}: ${sent} packets in ${elapsed.toFixed(1)} s (${Math.round(sent / elapsed)}/s); UDP ${udpGot}/${udpExpected} replies of ${udpSent} sent; ${encodeErrors} unencodable names answered SERVFAIL; ${templated} from reply templates; heap ${(baseline / 1e6).toFixed(1)} → ${(after / 1e6).toFixed(1)} MB (${gc ? "heapUsed after GC" : "RSS"})`;
    console.log(`# fuzz: ${info}`);

    assert.deepEqual(Object.fromEntries(failures), {}, info);
    assert.deepEqual(crashes, [], info);
    assert.deepEqual(escaped, [], info);
    assert.ok(templated > 0, `the template path was never taken: ${info}`);
    // The deadline may cut a slow machine short, but not so short that the run means nothing.
    assert.ok(sent >= Math.min(TOTAL, 100_000), `only ${sent} packets before the deadline: ${info}`);
    // Loopback UDP may drop under load, but most sampled queries must be answered.
    assert.ok(udpGot >= udpExpected * 0.9, `too few UDP replies: ${info}`);
    assert.ok(after - baseline <= (gc ? HEAP_BOUND : RSS_BOUND), `memory grew: ${info}`);
    assert.equal(server.pending, 0, "no query left in flight");

    // The running server still answers a valid query, over UDP and over TCP.
    const r = await udpExchange(port, valid("still-alive.example.org"), 2000);
    assert.ok(r, "no UDP answer after the fuzzing");
    const m = dnsPacket.decode(r);
    assert.equal(m.id, 4242);
    assert.equal((m.flags ?? 0) & 0xf, 0, "NOERROR");
    assert.ok(
      (m.additionals ?? []).some((a) => a.type === "A"),
      "whoami's address record",
    );
    const tcpReply = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1");
      const q = valid("tcp.example.org", 7);
      let buf = Buffer.alloc(0);
      s.on("error", reject);
      s.on("connect", () => s.write(Buffer.concat([u16(q.length), q])));
      s.on("data", (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          s.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
    });
    assert.equal(dnsPacket.decode(tcpReply).id, 7);
  } finally {
    udp.close();
    await dns.stop();
    process.off("unhandledRejection", onEscape);
    process.off("uncaughtException", onEscape);
  }
});
