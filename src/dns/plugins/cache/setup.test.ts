import assert from "node:assert/strict";
import { test } from "node:test";
import type { Answer } from "dns-packet";
import { Dispenser } from "../../corefile/dispenser.ts";
import { tokenize } from "../../corefile/lexer.ts";
import { startDNS } from "../../index.ts";
import { type InvalidationBus, invalidationBus } from "../../invalidation.ts";
import { replyTo } from "../../message/message.ts";
import type { PluginModule } from "../../plugin.ts";
import { dig } from "../../testing/dig.ts";
import { parseCache } from "./parse.ts";

const parse = (text: string, zones = ["example.org."]) =>
  parseCache(new Dispenser(tokenize(text, "Corefile")), zones);

// setup_test.go: accepted forms.
test("parse: TTL, zones and block options", () => {
  assert.deepEqual(parse("cache").zones, ["example.org."]);
  let c = parse("cache 300 Example.NET 10.0.0.0/8");
  assert.equal(c.pttl, 300);
  assert.equal(c.nttl, 300);
  assert.deepEqual(c.zones, ["example.net.", "10.in-addr.arpa."]);
  c = parse("cache {\n success 2048 60 1\n denial 4096 10 0\n prefetch 10 2m 20%\n servfail 0\n keepttl\n}");
  assert.deepEqual(
    [
      c.pcap,
      c.pttl,
      c.minpttl,
      c.ncap,
      c.nttl,
      c.minnttl,
      c.prefetch,
      c.prefetchWindowMs,
      c.percentage,
      c.failttl,
      c.keepttl,
    ],
    [2048, 60, 1, 4096, 10, 0, 10, 120_000, 20, 0, true],
  );
  c = parse("cache {\n serve_stale\n}");
  assert.equal(c.staleUpToMs, 3_600_000);
  c = parse("cache {\n serve_stale 1h verify 100ms 30s 30s\n}");
  assert.deepEqual(
    [c.verifyStale, c.verifyStaleTimeoutMs, c.staleTTL, c.staleRecheckMs],
    [true, 100, 30, 30_000],
  );
  c = parse("cache {\n serve_stale 10m immediate 30s\n}");
  assert.deepEqual([c.staleUpToMs, c.verifyStale, c.staleTTL], [600_000, false, 30]);
  c = parse("cache {\n disable success sub.example.org\n disable denial\n}");
  assert.deepEqual([c.pexcept, c.nexcept], [["sub.example.org."], ["."]]);
});

// setup_test.go: rejected forms and their messages.
test("parse: errors", () => {
  for (const [text, msg] of [
    ["cache 0", /cache TTL can not be zero or negative: 0/],
    ["cache -1", /cache TTL can not be zero or negative/],
    ["cache {\n success\n}", /Wrong argument count/],
    ["cache {\n success abc\n}", /strconv.Atoi: parsing "abc"/],
    ["cache {\n success 10 0\n}", /cache TTL can not be zero or negative/],
    ["cache {\n denial 10 5 -1\n}", /cache min TTL can not be negative/],
    ["cache {\n prefetch\n}", /Wrong argument count/],
    ["cache {\n prefetch -1\n}", /prefetch amount should be positive/],
    ["cache {\n prefetch 1 1m 10\n}", /last character of percentage should be/],
    ["cache {\n prefetch 1 1m 5%\n}", /percentage should fall in range \[10, 90\]: 5/],
    ["cache {\n serve_stale -1s\n}", /invalid negative duration for serve_stale/],
    ["cache {\n serve_stale 1h later\n}", /invalid value for serve_stale refresh mode: later/],
    ["cache {\n serve_stale 1h immediate 1500ms\n}", /whole number of seconds/],
    ["cache {\n serve_stale 1h immediate 30s 6m\n}", /cannot exceed 5 minutes/],
    ["cache {\n serve_stale 1h immediate 30s 1m 1\n}", /Wrong argument count/],
    ["cache {\n servfail 6m\n}", /over 5 minutes is not permitted/],
    ["cache {\n disable\n}", /Wrong argument count/],
    ["cache {\n disable both\n}", /cache type for disable must be/],
    ["cache {\n keepttl x\n}", /Wrong argument count/],
    ["cache {\n nope\n}", /Wrong argument count or unexpected line ending after 'nope'/],
    ["cache\ncache", /can only be used once per Server Block/],
  ] as const) {
    assert.throws(() => parse(text), msg, text);
  }
});

/** A stub upstream for end-to-end tests: A for *.svc., NXDOMAIN + SOA for the rest. */
const up = {
  calls: 0,
  ttl: 300,
  down: false,
  ip: "10.0.0.1",
  bus: undefined as InvalidationBus | undefined,
  reset() {
    Object.assign(this, { calls: 0, ttl: 300, down: false, ip: "10.0.0.1" });
  },
};
const stub: PluginModule = {
  name: "stub",
  setup(ctx) {
    up.bus = invalidationBus(ctx);
    return () => ({
      name: "stub",
      async serveDNS(req, w) {
        up.calls++;
        if (up.down) return 2;
        const m = replyTo(req.msg, req.lname.endsWith(".svc.") ? 0 : 3);
        const soa: Answer = {
          name: "cluster.local.",
          type: "SOA",
          ttl: 30,
          data: {
            mname: "ns.dns.",
            rname: "h.",
            serial: 1,
            refresh: 7200,
            retry: 1800,
            expire: 86400,
            minimum: 30,
          },
        };
        if (req.lname.endsWith(".svc."))
          m.answers = [{ name: req.name, type: "A", ttl: up.ttl, data: up.ip }];
        else m.authorities = [soa];
        w.write(m);
        return (m.flags ?? 0) & 0xf;
      },
    });
  },
};

async function serve(cacheLine: string) {
  up.reset();
  const s = await startDNS({
    corefile: `. {\n${cacheLine}\nstub\n}`,
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    plugins: [stub],
    log: () => {},
  });
  const port = s.addresses[0].port;
  const answer = async (name: string, ...args: string[]) => {
    const out = await dig(port, name, "A", "+noall", "+answer", "+comments", ...args);
    const status = /status: (\w+)/.exec(out)?.[1] ?? "";
    const rr = /^(\S+)\s+(\d+)\s+IN\s+A\s+(\S+)$/m.exec(out);
    return { status, name: rr?.[1], ttl: rr ? Number(rr[2]) : -1, ip: rr?.[3] };
  };
  return { s, answer };
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 4000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("dig: TTLs count down between hits, over UDP and TCP, in the query's case", async () => {
  const { s, answer } = await serve("cache 30");
  try {
    const first = await answer("web.svc.");
    assert.deepEqual([first.status, first.ttl, first.ip], ["NOERROR", 30, "10.0.0.1"]);
    const later = await until(
      () => answer("WEB.svc.", "+tcp"),
      (a) => a.ttl < 30,
    );
    assert.equal(later.ttl, 29);
    assert.equal(later.name, "WEB.svc.");
    assert.equal(up.calls, 1);
  } finally {
    await s.stop();
  }
});

test("dig: NXDOMAIN is cached until the name is announced positive", async () => {
  const { s, answer } = await serve("cache 30");
  try {
    assert.equal((await answer("db.ns.cluster.local.")).status, "NXDOMAIN");
    assert.equal((await answer("x.db.ns.cluster.local.")).status, "NXDOMAIN");
    assert.equal((await answer("db.ns.cluster.local.")).status, "NXDOMAIN");
    assert.equal(up.calls, 2);
    up.bus?.announcePositive(["db.ns.cluster.local."]);
    await answer("db.ns.cluster.local.");
    await answer("x.db.ns.cluster.local.");
    assert.equal(up.calls, 4, "both denials were dropped at once");
  } finally {
    await s.stop();
  }
});

test("dig: prefetch refreshes a popular entry in the background", async () => {
  const { s, answer } = await serve("cache {\n prefetch 1 1m 90%\n}");
  try {
    // TTL 5: the 90% threshold is ceil(4.5) = 5 seconds, so the first hit already prefetches.
    up.ttl = 5;
    await answer("p.svc.");
    up.ip = "10.0.0.2";
    const hit = await answer("p.svc.");
    assert.equal(hit.ip, "10.0.0.1", "the hit is answered from the cache");
    const refreshed = await until(
      () => answer("p.svc."),
      (a) => a.ip === "10.0.0.2",
    );
    assert.equal(refreshed.ip, "10.0.0.2");
    assert.match(await s.registry.metrics(), /coredns_cache_prefetch_total\{[^}]*\} [1-9]/);
  } finally {
    await s.stop();
  }
});

test("dig: serve_stale answers an expired entry while the upstream fails", async () => {
  const { s, answer } = await serve(
    "cache {\n success 1024 1 0\n serve_stale 1h immediate 30s\n servfail 0\n}",
  );
  try {
    up.ttl = 1;
    assert.equal((await answer("st.svc.")).ttl, 1);
    up.down = true;
    const stale = await until(
      () => answer("st.svc."),
      (a) => a.ttl === 30,
    );
    assert.deepEqual([stale.status, stale.ttl, stale.ip], ["NOERROR", 30, "10.0.0.1"]);
    assert.match(await s.registry.metrics(), /coredns_cache_served_stale_total\{[^}]*\} [1-9]/);
  } finally {
    await s.stop();
  }
});
