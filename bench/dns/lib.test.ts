/** The DNS bench's pure parts: the query mix, unbound's records, dnsperf's output. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type CoreTicks,
  coreShares,
  parseDnsperf,
  parseProcStat,
  percentile,
  podIP,
  ptrName,
  queryMix,
  type SvcRecord,
  unboundConfig,
} from "./lib.ts";

const svcs: SvcRecord[] = [
  { name: "svc-0", namespace: "ns-0", clusterIP: "10.96.0.10" },
  { name: "svc-1", namespace: "ns-1", clusterIP: "10.97.3.4" },
];

test("the query mix has the issue's proportions and only names the cluster serves", () => {
  const lines = queryMix(svcs, 10_000, 2).trim().split("\n");
  assert.equal(lines.length, 10_000);
  const share = (re: RegExp) => lines.filter((l) => re.test(l)).length / lines.length;
  assert.ok(Math.abs(share(/^svc-\d+\.ns-\d+\.svc\.cluster\.local A$/) - 0.45) < 0.03);
  assert.ok(Math.abs(share(/^_http\._tcp\.svc-\d+\.ns-\d+\.svc\.cluster\.local SRV$/) - 0.15) < 0.03);
  assert.ok(Math.abs(share(/\.in-addr\.arpa PTR$/) - 0.1) < 0.03);
  // Search-path misses: a name under a namespace's svc domain or under svc.cluster.local twice.
  const misses = share(/^svc-\d+\.ns-\d+\.(ns-\d+\.svc|svc\.cluster\.local\.svc)\.cluster\.local A$/);
  assert.ok(Math.abs(misses - 0.3) < 0.03);
  assert.deepEqual(queryMix(svcs, 50, 2), queryMix(svcs, 50, 2), "deterministic");
});

test("the mix spreads over the whole cluster: every Service is asked for, most questions are distinct", () => {
  // The bench's own size: 10,000 Services in 100 namespaces, 200,000 lines. Uniform picks give
  // each Service about 20 lines, and the search-path names (over 100 own namespaces) are mostly
  // new each time: about 60,000 distinct questions (a broken generator once gave 5,824).
  const many: SvcRecord[] = Array.from({ length: 10_000 }, (_, i) => ({
    name: `svc-${i}`,
    namespace: `ns-${i % 100}`,
    clusterIP: `10.96.${i >> 8}.${i & 255}`,
  }));
  const lines = queryMix(many, 200_000, 100).trim().split("\n");
  const named = new Set(lines.map((l) => /svc-(\d+)/.exec(l)?.[1]).filter((x) => x !== undefined));
  const ptrs = new Set(lines.filter((l) => l.endsWith("PTR")));
  assert.ok(named.size === 10_000, `Services asked for by name: ${named.size}`);
  assert.ok(ptrs.size > 8_000, `distinct PTR questions: ${ptrs.size}`);
  assert.ok(new Set(lines).size > 50_000, `distinct lines: ${new Set(lines).size}`);
});

test("addresses and reverse names", () => {
  assert.equal(podIP(0), "10.244.0.1");
  assert.equal(podIP(49_999), "10.244.195.80");
  assert.equal(ptrName("10.96.0.10"), "10.0.96.10.in-addr.arpa");
});

test("unbound serves the same A, SRV and PTR records from static zones", () => {
  const conf = unboundConfig({ port: 5353, dir: "/tmp/x", svcs, ttl: 30 });
  assert.match(conf, /^ {2}port: 5353$/m);
  assert.match(conf, /^ {2}num-threads: 1$/m);
  assert.match(conf, /^ {2}local-zone: "cluster\.local\." static$/m);
  assert.match(conf, /^ {2}local-zone: "96\.10\.in-addr\.arpa\." static$/m);
  assert.match(conf, /^ {2}local-zone: "97\.10\.in-addr\.arpa\." static$/m);
  assert.match(conf, /^ {2}local-data: "svc-1\.ns-1\.svc\.cluster\.local\. 30 IN A 10\.97\.3\.4"$/m);
  assert.match(
    conf,
    /^ {2}local-data: "_http\._tcp\.svc-0\.ns-0\.svc\.cluster\.local\. 30 IN SRV 0 100 80 svc-0\.ns-0\.svc\.cluster\.local\."$/m,
  );
  assert.match(conf, /^ {2}local-data-ptr: "10\.96\.0\.10 30 svc-0\.ns-0\.svc\.cluster\.local\."$/m);
});

test("dnsperf's summary and verbose lines are read", () => {
  // dnsperf 2.10's output, as printed with -v.
  const out = `DNS Performance Testing Tool
Version 2.10.0

[Status] Sending queries (to 127.0.0.1:15353)
> NOERROR a.ns.svc.cluster.local A 0.001163
> NXDOMAIN b.ns.svc.cluster.local A 0.000183
> NOERROR _http._tcp.a.ns.svc.cluster.local SRV 0.000500
[Status] Testing complete (end of file)

Statistics:

  Queries sent:         4
  Queries completed:    3 (75.00%)
  Queries lost:         1 (25.00%)

  Response codes:       NOERROR 2 (66.67%), NXDOMAIN 1 (33.33%)
  Average packet size:  request 40, response 48
  Run time (s):         0.002515
  Queries per second:   1590.457256
`;
  const r = parseDnsperf(out);
  assert.equal(r.qps, 1590.457256);
  assert.deepEqual([r.sent, r.completed, r.lost], [4, 3, 1]);
  assert.deepEqual(r.rcodes, { NOERROR: 2, NXDOMAIN: 1 });
  assert.deepEqual(
    r.latencies.map((l) => Math.round(l * 1000)),
    [1163, 183, 500],
  );
  assert.equal(percentile(r.latencies, 0.5), 0.5);
  assert.equal(percentile(r.latencies, 0.99), 1.163);
  assert.throws(() => parseDnsperf("garbage"), /dnsperf output lacks/);
});

test("a core's time is split into processes, interrupts, steal and idle", () => {
  const before = parseProcStat(
    "cpu  10 0 10 10 0 0 0 0 0 0\ncpu0 5 0 5 5 0 0 0 0 0 0\ncpu1 100 2 30 50 3 1 9 4 0 0\nintr 1 2\n",
  );
  const after = parseProcStat(
    "cpu  1 1 1 1 1 1 1 1 1 1\ncpu0 5 0 5 5 0 0 0 0 0 0\ncpu1 160 2 50 60 3 1 19 14 0 0\n",
  );
  assert.deepEqual([...before.keys()], [0, 1]);
  assert.deepEqual(before.get(1), { busy: 132, irq: 10, steal: 4, idle: 53 });
  // 80 ticks busy, 10 interrupts, 10 steal, 10 idle over 110.
  const s = coreShares(before.get(1) as CoreTicks, after.get(1) as CoreTicks);
  assert.deepEqual(s, { busy: 80 / 110, irq: 10 / 110, steal: 10 / 110, idle: 10 / 110 });
  assert.deepEqual(coreShares(before.get(0) as CoreTicks, after.get(0) as CoreTicks), {
    busy: 0,
    irq: 0,
    steal: 0,
    idle: 0,
  });
});
