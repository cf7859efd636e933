import assert from "node:assert/strict";
import { test } from "node:test";
import type { Answer, Packet, RecordType } from "dns-packet";
import { Registry } from "prom-client";
import { Flag, replyTo } from "../../message/message.ts";
import { encodeMessage } from "../../message/wire.ts";
import type { Handler, Request } from "../../plugin.ts";
import { FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { Cache, type CacheConfig, DEFAULTS } from "./cache.ts";
import { attach } from "./metrics.ts";

const signal = new AbortController().signal;
const soa = (ttl: number, minimum: number): Answer => ({
  name: "example.org.",
  type: "SOA",
  ttl,
  data: {
    mname: "ns.example.org.",
    rname: "h.example.org.",
    serial: 1,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum,
  },
});

/** A backend that counts calls and answers what `reply` builds. */
function upstream(reply: (req: Request) => Partial<Packet> & { rcode?: number }) {
  const h = {
    calls: 0,
    name: "up",
    async serveDNS(req: Request, w: { write(m: Packet): void }) {
      h.calls++;
      const r = reply(req);
      const m = replyTo(req.msg, r.rcode ?? 0);
      m.flags = (m.flags ?? 0) | (r.flags ?? 0);
      m.answers = r.answers ?? [];
      m.authorities = r.authorities ?? [];
      m.additionals = r.additionals ?? [];
      if (r.questions) m.questions = r.questions;
      w.write(m);
      return r.rcode ?? 0;
    },
  };
  return h;
}

const aRecord = (req: Request, ttl = 300, ip = "10.0.0.1"): Answer => ({
  name: req.name,
  type: "A",
  ttl,
  data: ip,
});

function setup(cfg: Partial<CacheConfig>, up: Handler) {
  const c = new Cache({ ...DEFAULTS, ...cfg });
  let t = 1_000_000;
  c.now = () => t;
  const h = c.plugin()(up);
  const ask = async (name: string, qtype: RecordType = "A", opts: Partial<Request> = {}) => {
    const w = new FakeWriter();
    await h.serveDNS(fakeRequest(name, qtype, opts), w, signal);
    return w.msgs[0];
  };
  return { c, ask, advance: (ms: number) => (t += ms) };
}

const ttls = (m: Packet) =>
  [...(m.answers ?? []), ...(m.authorities ?? [])].map((r) => ("ttl" in r ? r.ttl : -1));

// cache_test.go TestCache: a hit answers with the TTL left; the first reply has the capped TTL.
test("hits are served from the cache with the TTL left, in whole seconds", async () => {
  const up = upstream((req) => ({ answers: [aRecord(req, 300), aRecord(req, 200, "10.0.0.2")] }));
  const { ask, advance } = setup({}, up);
  const first = await ask("example.org.");
  assert.deepEqual(ttls(first), [200, 200], "the first reply carries the TTL it is cached for");
  advance(1999);
  const hit = await ask("example.org.");
  assert.equal(up.calls, 1);
  assert.deepEqual(ttls(hit), [199, 199]);
  assert.ok((hit.flags ?? 0) & Flag.AA, "cached replies are authoritative (item.toMsg)");
  assert.equal(hit.id, 1234);
  advance(198_001);
  await ask("example.org.");
  assert.equal(up.calls, 2, "an expired entry is fetched again");
});

// README: TTL caps the duration; MINTTL raises short TTLs (default 5s).
test("max TTL caps and min TTL raises the cached TTL", async () => {
  let ttl = 3000;
  const up = upstream((req) => ({ answers: [aRecord(req, ttl)] }));
  const { ask } = setup({ pttl: 30 }, up);
  assert.deepEqual(ttls(await ask("a.example.")), [30]);
  ttl = 1;
  assert.deepEqual(ttls(await ask("b.example.")), [5]);
  const { ask: ask2 } = setup({ pttl: 30, minpttl: 0 }, up);
  assert.deepEqual(ttls(await ask2("c.example.")), [1]);
});

test("a hit takes the case of the asking query in the question and owner names", async () => {
  const up = upstream((req) => ({
    answers: [
      { name: req.name, type: "CNAME", ttl: 60, data: "Target.example." },
      { name: "Target.example.", type: "A", ttl: 60, data: "10.0.0.9" },
    ],
  }));
  const { ask } = setup({}, up);
  await ask("www.Example.org.");
  const hit = await ask("WWW.example.ORG.");
  assert.equal(up.calls, 1, "keys are case-insensitive");
  assert.equal(hit.questions?.[0].name, "WWW.example.ORG", "the query's own question");
  assert.deepEqual(
    hit.answers?.map((r) => r.name),
    ["WWW.example.ORG.", "Target.example."],
  );
});

test("a stored reply's own records are not changed: the miss is answered in the case it was written", async () => {
  const up = upstream(() => ({
    answers: [{ name: "MiXed.Example.", type: "A", ttl: 60, data: "10.0.0.7" }],
  }));
  const { ask } = setup({}, up);
  const miss = await ask("mixed.example.");
  assert.equal(miss.answers?.[0].name, "MiXed.Example.", "the reply as the backend wrote it");
  const hit = await ask("MIXED.example.");
  assert.equal(hit.answers?.[0].name, "MIXED.example.");
});

test("denials with the same SOA answer it as the backend wrote it, per entry", async () => {
  const up = upstream(() => ({ rcode: 3, authorities: [soa(300, 60)] }));
  const { ask } = setup({}, up);
  await ask("a.example.org.");
  await ask("b.example.org.");
  const [a, b] = [await ask("a.example.org."), await ask("b.example.org.")];
  assert.equal(up.calls, 2, "both are hits");
  const [da, db] = [a.authorities?.[0], b.authorities?.[0]].map((r) =>
    r?.type === "SOA" ? r.data : undefined,
  );
  const want = soa(300, 60);
  assert.deepEqual(da, want.type === "SOA" ? want.data : undefined);
  assert.deepEqual(db, da);
  assert.ok(da !== db, "each reply has its own records");
});

// cache.go hash(): the DO and CD bits are part of the key; AD only for DO or AD askers.
test("DO and CD bits key separate entries and AD is kept only for clients that want it", async () => {
  const up = upstream((req) => ({ answers: [aRecord(req)], flags: Flag.AD }));
  const { ask } = setup({}, up);
  const plain = await ask("example.org.");
  assert.equal((plain.flags ?? 0) & Flag.AD, 0);
  await ask("example.org.", "A", { do: true });
  assert.equal(up.calls, 2);
  const withDO = await ask("example.org.", "A", { do: true });
  assert.equal(up.calls, 2);
  assert.ok((withDO.flags ?? 0) & Flag.AD);
  const cdReq = fakeRequest("example.org.", "A");
  cdReq.msg.flags = (cdReq.msg.flags ?? 0) | Flag.CD;
  await ask("example.org.", "A", { msg: cdReq.msg });
  assert.equal(up.calls, 3);
  const noAD = await ask("example.org.");
  assert.equal(up.calls, 3);
  assert.equal((noAD.flags ?? 0) & Flag.AD, 0);
});

// RFC 2308 §5 / cache_test.go: NXDOMAIN and NODATA are cached for the SOA's TTL (and MINIMUM).
test("denials are cached from the SOA; NXDOMAIN without SOA is not", async () => {
  let withSOA = true;
  const up = upstream(() => ({ rcode: 3, authorities: withSOA ? [soa(3600, 60)] : [] }));
  const { ask, advance, c } = setup({}, up);
  const first = await ask("nope.example.org.");
  assert.deepEqual(ttls(first), [60]);
  advance(59_000);
  const hit = await ask("nope.example.org.");
  assert.equal(up.calls, 1);
  assert.equal((hit.flags ?? 0) & 0xf, 3);
  assert.deepEqual(ttls(hit), [1]);
  assert.equal(c.ncache.size, 1);
  withSOA = false;
  await ask("other.example.org.");
  await ask("other.example.org.");
  assert.equal(up.calls, 3);
  assert.equal(c.ncache.size, 1);
});

test("NODATA is a denial; a CNAME chain not reaching the type without SOA is not cached", async () => {
  const nodata = upstream(() => ({ authorities: [soa(30, 30)] }));
  const s1 = setup({}, nodata);
  await s1.ask("x.example.org.", "AAAA");
  await s1.ask("x.example.org.", "AAAA");
  assert.equal(nodata.calls, 1);
  assert.equal(s1.c.ncache.size, 1);
  const dangling = upstream((req) => ({
    answers: [{ name: req.name, type: "CNAME", ttl: 60, data: "t.example." }],
  }));
  const s2 = setup({}, dangling);
  await s2.ask("y.example.org.");
  await s2.ask("y.example.org.");
  assert.equal(dangling.calls, 2);
});

// spoof_test.go: a reply for another question is not cached (and counted as a drop).
test("replies that do not match the question, and truncated ones, are not cached", async () => {
  const spoof = upstream(() => ({ questions: [{ name: "other.org.", type: "A" }], answers: [] }));
  const s = setup({}, spoof);
  await s.ask("example.org.");
  await s.ask("example.org.");
  assert.equal(spoof.calls, 2);
  assert.equal(s.c.counts.drops, 2);
  const tc = upstream((req) => ({ answers: [aRecord(req)], flags: Flag.TC }));
  const s2 = setup({}, tc);
  await s2.ask("example.org.");
  await s2.ask("example.org.");
  assert.equal(tc.calls, 2);
});

test("SERVFAIL is kept for `servfail` and does not shadow a good answer", async () => {
  let fail = false;
  const up = upstream((req) => (fail ? { rcode: 2 } : { answers: [aRecord(req, 10)] }));
  const { ask, advance, c } = setup({}, up);
  fail = true;
  await ask("f.example.");
  await ask("f.example.");
  assert.equal(up.calls, 1, "SERVFAIL cached for 5s by default");
  advance(5000);
  fail = false;
  await ask("f.example.");
  assert.equal(c.pcache.size, 1);
  assert.equal(c.ncache.size, 0, "a positive reply replaces the denial of the same key");
  const s0 = setup(
    { failttl: 0 },
    upstream(() => ({ rcode: 2 })),
  );
  await s0.ask("g.example.");
  assert.equal(s0.c.ncache.size, 0);
});

test("disable success|denial skips the listed zones; ZONES limit what is cached", async () => {
  const up = upstream((req) =>
    req.lname.startsWith("nx") ? { rcode: 3, authorities: [soa(60, 60)] } : { answers: [aRecord(req)] },
  );
  const s = setup({ pexcept: ["sub.example.org."], nexcept: ["."] }, up);
  await s.ask("a.sub.example.org.");
  await s.ask("a.example.org.");
  await s.ask("nx.example.org.");
  assert.equal(s.c.pcache.size, 1);
  assert.equal(s.c.ncache.size, 0);
  const z = setup({ zones: ["example.org."] }, up);
  await z.ask("a.example.com.");
  await z.ask("a.example.com.");
  assert.equal(z.c.pcache.size, 0);
  assert.equal(z.c.counts.requests, 0, "names outside the zones bypass the cache");
});

test("keepttl answers with the original TTL", async () => {
  const up = upstream((req) => ({ answers: [aRecord(req, 100)] }));
  const { ask, advance } = setup({ keepttl: true }, up);
  await ask("k.example.");
  advance(50_000);
  assert.deepEqual(ttls(await ask("k.example.")), [100]);
});

// plugin/pkg/cache: capacity rounded down to 256 shards of at least 4; full → evict.
test("capacity is bounded and evictions are counted", async () => {
  const up = upstream((req) => ({ answers: [aRecord(req)] }));
  const { ask, c } = setup({ pcap: 1 }, up);
  assert.equal(c.pcache.capacity, 1024);
  for (let i = 0; i < 1030; i++) await ask(`n${i}.example.`);
  assert.equal(c.pcache.size, 1024);
  assert.equal(c.counts.evictSuccess, 6);
  await ask("n1029.example.");
  assert.equal(up.calls, 1030, "the newest entries stay");
  await ask("n0.example.");
  assert.equal(up.calls, 1031, "the oldest went");
});

test("prefetch refreshes a popular entry near its expiry, once", async () => {
  const up = upstream((req) => ({ answers: [aRecord(req, 100)] }));
  const { ask, advance, c } = setup({ prefetch: 2, percentage: 10 }, up);
  await ask("p.example.");
  advance(80_000);
  await ask("p.example."); // 1 hit, 20s left: not yet
  await ask("p.example."); // 2 hits, 20s left > 10s threshold
  assert.equal(up.calls, 1);
  advance(10_000);
  const hit = await ask("p.example.");
  assert.deepEqual(ttls(hit), [10], "the client still gets the cached entry");
  await ask("p.example.");
  await new Promise((r) => setImmediate(r));
  assert.equal(up.calls, 2, "one prefetch");
  assert.equal(c.counts.prefetch, 1);
  assert.deepEqual(ttls(await ask("p.example.")), [100], "the entry was replaced");
});

test("serve_stale immediate answers TTL 0 (or RESPONSE_TTL) and refreshes in the background", async () => {
  let down = false;
  const up = upstream((req) => (down ? { rcode: 2 } : { answers: [aRecord(req, 10)] }));
  const { ask, advance, c } = setup({ staleUpToMs: 3_600_000, failttl: 0 }, up);
  await ask("s.example.");
  advance(15_000);
  down = true;
  const stale = await ask("s.example.");
  assert.deepEqual(ttls(stale), [0]);
  await new Promise((r) => setImmediate(r));
  assert.equal(up.calls, 2, "one background refresh");
  assert.equal(c.counts.servedStale, 1);
  advance(3_600_000);
  const gone = await ask("s.example.");
  assert.equal((gone.flags ?? 0) & 0xf, 2, "past DURATION the entry is not served");
  const s2 = setup(
    { staleUpToMs: 60_000, staleTTL: 30 },
    upstream((req) => ({ answers: [aRecord(req, 10)] })),
  );
  await s2.ask("t.example.");
  s2.advance(11_000);
  assert.deepEqual(ttls(await s2.ask("t.example.")), [30]);
});

test("serve_stale verify asks first and falls back to the stale entry", async () => {
  let mode: "down" | "new" = "down";
  const up = upstream((req) =>
    mode === "down" ? { rcode: 2 } : { answers: [aRecord(req, 10, "10.9.9.9")] },
  );
  let first = true;
  const wrapped: Handler = {
    name: "w",
    serveDNS(req, w) {
      if (first) {
        first = false;
        w.write({ ...replyTo(req.msg), answers: [aRecord(req, 10)] });
        return Promise.resolve(0);
      }
      return up.serveDNS(req, w).then((rc) => rc);
    },
  };
  const { ask, advance } = setup({ staleUpToMs: 60_000, verifyStale: true, failttl: 0 }, wrapped);
  await ask("v.example.");
  advance(11_000);
  const stale = await ask("v.example.");
  assert.equal(up.calls, 1);
  assert.equal(stale.answers?.[0] && "data" in stale.answers[0] ? stale.answers[0].data : "", "10.0.0.1");
  mode = "new";
  const fresh = await ask("v.example.");
  assert.equal(fresh.answers?.[0] && "data" in fresh.answers[0] ? fresh.answers[0].data : "", "10.9.9.9");
});

// Issue 5 part 5: a positive announcement drops the matching denials at once.
test("invalidate drops denials for the names and everything under them", async () => {
  const up = upstream(() => ({ rcode: 3, authorities: [soa(30, 30)] }));
  const { ask, c } = setup({}, up);
  for (const n of [
    "svc.ns.svc.cluster.local.",
    "x.svc.ns.svc.cluster.local.",
    "ns.svc.cluster.local.",
    "other.svc.cluster.local.",
  ])
    await ask(n);
  await ask("svc.ns.svc.cluster.local.", "AAAA");
  assert.equal(c.ncache.size, 5);
  assert.equal(c.invalidate(["svc.ns.svc.cluster.local."]), 3);
  assert.equal(c.ncache.size, 2);
  assert.equal(c.invalidate(["NS.svc.cluster.local"]), 1, "names are normalized");
  await ask("svc.ns.svc.cluster.local.");
  assert.equal(up.calls, 6, "the dropped name is asked again");
});

test("invalidate matches whole labels, the same for a few names and for many", async () => {
  const names = [
    "svc.ns.svc.cluster.local.",
    "_http._tcp.svc.ns.svc.cluster.local.",
    "xsvc.ns.svc.cluster.local.",
    "svc.ns.svc.cluster.local.ns-1.svc.cluster.local.",
    "other.ns.svc.cluster.local.",
  ];
  // A positive entry under an announced name stays: only denials are dropped.
  const fill = async () => {
    const up = upstream((req) =>
      req.name.startsWith("ok.") ? { answers: [aRecord(req)] } : { rcode: 3, authorities: [soa(30, 30)] },
    );
    const s = setup({}, up);
    for (const n of names) await s.ask(n);
    await s.ask("ok.svc.ns.svc.cluster.local.");
    assert.equal(s.c.ncache.size, 5);
    assert.equal(s.c.pcache.size, 1);
    return s.c;
  };
  const few = await fill();
  assert.equal(few.invalidate(["svc.ns.svc.cluster.local."]), 2, "xsvc and the search-path name stay");
  const filler = Array.from({ length: 20 }, (_, i) => `absent-${i}.svc.cluster.local.`);
  const many = await fill();
  assert.equal(many.invalidate([...filler, "svc.ns.svc.cluster.local."]), 2);
  assert.equal(few.ncache.size, 3);
  assert.equal(many.ncache.size, 3);
  assert.equal(few.pcache.size, 1);
  assert.equal(many.pcache.size, 1);
  const root = await fill();
  assert.equal(root.invalidate(["."]), 5, "the root covers every denial");
  assert.equal(root.pcache.size, 1);
  const rootAmongMany = await fill();
  assert.equal(rootAmongMany.invalidate([...filler, "."]), 5, "the root among many names too");
});

test("a denial fetched across an invalidation is not stored", async () => {
  let release: (() => void) | undefined;
  const c = new Cache({ ...DEFAULTS });
  const slow: Handler = {
    name: "slow",
    async serveDNS(req, w) {
      await new Promise<void>((r) => {
        release = r;
      });
      w.write({ ...replyTo(req.msg, 3), authorities: [soa(30, 30)] });
      return 3;
    },
  };
  const h = c.plugin()(slow);
  const p = h.serveDNS(fakeRequest("new.ns.svc.cluster.local."), new FakeWriter(), signal);
  await new Promise((r) => setImmediate(r));
  c.invalidate(["new.ns.svc.cluster.local."]);
  release?.();
  await p;
  assert.equal(c.ncache.size, 0);
});

test("metrics are published under CoreDNS's names when scraped", async () => {
  const up = upstream((req) => ({ answers: [aRecord(req)] }));
  const { ask, c } = setup({}, up);
  const reg = new Registry();
  const detach = attach(reg, {
    labels: { server: "dns://:53", zones: ".", view: "" },
    counts: c.counts,
    entries: () => ({ success: c.pcache.size, denial: c.ncache.size }),
  });
  await ask("m.example.");
  await ask("m.example.");
  const text = await reg.metrics();
  assert.match(text, /coredns_cache_hits_total\{server="dns:\/\/:53",zones=".",view="",type="success"\} 1/);
  assert.match(text, /coredns_cache_misses_total\{server="dns:\/\/:53",zones=".",view=""\} 1/);
  assert.match(text, /coredns_cache_requests_total\{[^}]*\} 2/);
  assert.match(text, /coredns_cache_entries\{[^}]*type="success"\} 1/);
  await ask("m.example.");
  detach();
  assert.match(await reg.metrics(), /coredns_cache_hits_total\{[^}]*type="success"\} 2/, "detach flushes");
});

test("the backend's records are never changed: frozen ones work, TTLs are capped on copies", async () => {
  const written: Answer[][] = [];
  const up = upstream((req) => {
    const rs = [Object.freeze(aRecord(req, 300)), Object.freeze(aRecord(req, 300, "10.0.0.2"))];
    written.push(rs);
    return { answers: rs };
  });
  const { ask } = setup({ pttl: 30 }, up);
  const miss = await ask("f.example.");
  assert.deepEqual(ttls(miss), [30, 30]);
  assert.deepEqual(
    ttls({ type: "response", answers: written[0] }),
    [300, 300],
    "the backend's TTLs untouched",
  );
  const hit = await ask("f.example.");
  assert.deepEqual(ttls(hit), [30, 30]);
  // What a client of one reply does to its records does not reach the entry.
  const [first] = hit.answers ?? [];
  assert.ok(first?.type === "A");
  first.data = "10.9.9.9";
  const [again] = (await ask("f.example.")).answers ?? [];
  assert.ok(again?.type === "A");
  assert.equal(again.data, "10.0.0.1");
  assert.equal(up.calls, 1);
});

test("a hit's records are the stored ones with the TTL left: the same on the wire", async () => {
  const written: Answer[] = [
    { name: "h.example.", type: "A", ttl: 30, data: "10.0.0.1" },
    { name: "x.example.", type: "A", class: "IN", flush: false, ttl: 30, data: "10.0.0.2" },
    { name: "h.example.", type: "TXT", ttl: 30, data: "v=1" },
    {
      name: "h.example.",
      type: "SRV",
      ttl: 30,
      data: { priority: 1, weight: 2, port: 80, target: "x.example." },
    },
    { name: "h.example.", type: "CAA", ttl: 30, data: { flags: 0, tag: "issue", value: "ca.example" } },
  ];
  const up = upstream(() => ({
    answers: written,
    additionals: [
      { name: ".", type: "OPT", udpPayloadSize: 1232, flags: 0, options: [] } as unknown as Answer,
    ],
  }));
  const { ask, advance } = setup({}, up);
  const miss = await ask("h.example.");
  assert.equal(miss.additionals?.length, 0, "OPT is not passed on from the backend (filterRRSlice)");
  advance(2000);
  const hit = await ask("H.example.");
  assert.deepEqual(
    hit.answers?.map((r) => [r.name, (r as { ttl?: number }).ttl]),
    [
      ["H.example.", 28],
      ["x.example.", 28],
      ["H.example.", 28],
      ["H.example.", 28],
      ["H.example.", 28],
    ],
  );
  // Owner names and TTLs aside, each record reads back as the bytes it was written as.
  const wire = (rs: readonly Answer[]) =>
    encodeMessage({ type: "response", answers: rs.map((r) => ({ ...r, name: "h.example.", ttl: 1 })) }).buf;
  assert.deepEqual(wire(hit.answers ?? []), wire(written));
  assert.deepEqual(hit.additionals, []);
});

// cache.go: a positive reply is the newest state of its key; the denial stored meanwhile goes.
test("a denial stored while a positive reply is on its way is dropped when that reply arrives", async () => {
  let release: (() => void) | undefined;
  const c = new Cache({ ...DEFAULTS });
  const backend: Handler = {
    name: "b",
    async serveDNS(req, w) {
      if (req.msg.id === 1) {
        await new Promise<void>((r) => {
          release = r;
        });
        w.write({ ...replyTo(req.msg), answers: [aRecord(req, 30)] });
        return 0;
      }
      w.write({ ...replyTo(req.msg, 3), authorities: [soa(30, 30)] });
      return 3;
    },
  };
  const h = c.plugin()(backend);
  const slow = fakeRequest("race.example.");
  slow.msg.id = 1;
  const p = h.serveDNS(slow, new FakeWriter(), signal);
  await new Promise((r) => setImmediate(r));
  const fast = fakeRequest("race.example.");
  fast.msg.id = 2;
  await h.serveDNS(fast, new FakeWriter(), signal);
  assert.equal(c.ncache.size, 1);
  release?.();
  await p;
  assert.equal(c.pcache.size, 1);
  assert.equal(c.ncache.size, 0, "the older denial is gone");
});
