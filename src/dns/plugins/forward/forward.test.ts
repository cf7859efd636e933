/**
 * forward end to end: a Skiff DNS server forwarding to stub upstreams on 127.0.0.1. Expectations
 * from CoreDNS's plugin/forward (forward.go, README) and plugin/pkg/proxy (connect.go, health.go,
 * persistent.go).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import dnsPacket, { type DecodedPacket, type RecordType } from "dns-packet";
import type { Registry } from "prom-client";
import { type DNSInstance, startDNS } from "../../index.ts";
import { tcpExchange, udpExchange } from "../../testing/dig.ts";
import { closedPort, defaultAnswer, type Stub, startStub } from "./stub.ts";

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function stub(answer?: Stub["answer"], port = 0): Promise<Stub> {
  const s = await startStub(answer, port);
  cleanups.push(() => s.stop());
  return s;
}

async function serve(corefile: string, log: string[] = []): Promise<DNSInstance> {
  const dns = await startDNS({
    corefile,
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    log: (l) => log.push(l),
    shutdownMs: 100,
  });
  cleanups.push(() => dns.stop());
  return dns;
}

function portOf(dns: DNSInstance): number {
  return dns.addresses[0].port;
}

let nextId = 1;
function query(name: string, type: RecordType = "A", rd = true): Buffer {
  return dnsPacket.encode({
    id: nextId++,
    type: "query",
    flags: rd ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name, type, class: "IN" }],
  });
}

async function ask(port: number, name: string, type: RecordType = "A", proto: "udp" | "tcp" = "udp") {
  const q = query(name, type);
  const buf = proto === "udp" ? await udpExchange(port, q, 6000) : (await tcpExchange(port, [q], 1, 6000))[0];
  assert.ok(buf, `no reply to ${name} over ${proto}`);
  const m = dnsPacket.decode(buf);
  assert.equal(m.id, q.readUInt16BE(0), "the reply carries the client's id");
  return m;
}

const rcode = (m: DecodedPacket) => (m.flags ?? 0) & 0xf;

async function metric(reg: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = reg.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .filter((v) => !("metricName" in v) || v.metricName === name || v.metricName === `${name}_count`)
    .reduce((a, v) => a + v.value, 0);
}

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("forwards over the client's transport, keeps RD and returns the upstream's answer", async () => {
  const up = await stub();
  const dns = await serve(`. {\n  forward . 127.0.0.1:${up.port}\n}\n`);
  const m = await ask(portOf(dns), "Example.org.");
  assert.equal(rcode(m), 0);
  assert.deepEqual(
    m.answers?.map((a) => (a.type === "A" ? a.data : a.type)),
    ["192.0.2.1"],
  );
  assert.equal(up.queries[0].proto, "udp");
  assert.ok((up.queries[0].msg.flags ?? 0) & dnsPacket.RECURSION_DESIRED);
  // The upstream sees a fresh id, not the client's (connect.go: dns.Id()).
  await ask(portOf(dns), "example.org.", "A", "tcp");
  assert.equal(up.queries[1].proto, "tcp");
});

test("UDP sockets and TCP connections to an upstream are reused", async () => {
  const up = await stub();
  const dns = await serve(`. {\n  forward . 127.0.0.1:${up.port}\n}\n`);
  const port = portOf(dns);
  for (let i = 0; i < 3; i++) await ask(port, `u${i}.example.org.`);
  assert.equal(new Set(up.queries.map((q) => q.source)).size, 1, "one UDP socket for sequential queries");
  for (let i = 0; i < 3; i++) await ask(port, `t${i}.example.org.`, "A", "tcp");
  assert.equal(up.connections, 1, "one TCP connection for sequential queries");
  const to = `127.0.0.1:${up.port}`;
  assert.equal(await metric(dns.registry, "coredns_proxy_conn_cache_misses_total", { to, proto: "udp" }), 1);
  assert.equal(await metric(dns.registry, "coredns_proxy_conn_cache_hits_total", { to, proto: "udp" }), 2);
  assert.equal(await metric(dns.registry, "coredns_proxy_conn_cache_hits_total", { to, proto: "tcp" }), 2);
  assert.equal(await metric(dns.registry, "coredns_forward_requests_total", { to }), 6);
  assert.equal(await metric(dns.registry, "coredns_forward_responses_total", { to, rcode: "NOERROR" }), 6);
  assert.equal(
    await metric(dns.registry, "coredns_proxy_request_duration_seconds", {
      proxy_name: "forward",
      to,
      rcode: "NOERROR",
    }),
    6,
  );
});

test("a TCP connection the upstream closed is replaced without failing the query", async () => {
  const up = await stub();
  const dns = await serve(`. {\n  forward . 127.0.0.1:${up.port} {\n    force_tcp\n  }\n}\n`);
  const port = portOf(dns);
  await ask(port, "a.example.org.");
  // The upstream closes idle connections (as real servers do after their idle timeout).
  up.closeConnections();
  const m = await ask(port, "b.example.org.");
  assert.equal(rcode(m), 0);
  // Only the two queries, the second on a new connection: no health check was started.
  assert.deepEqual(
    up.queries.map((q) => `${q.proto}:${q.source}:${q.msg.questions?.[0].name}`),
    ["tcp:1:a.example.org", "tcp:2:b.example.org"],
  );
  assert.equal(up.connections, 2);
});

test("force_tcp uses TCP for UDP clients; prefer_udp uses UDP for TCP clients and retries a truncated answer over TCP", async () => {
  const up = await stub((q, proto) => {
    const a = defaultAnswer(q);
    // Over UDP the answer "does not fit": TC set, no records (as a real server truncates).
    if (q.questions?.[0].name === "big.example.org" && proto === "udp")
      return { ...a, answers: [], flags: (a.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE };
    return a;
  });
  const forced = await serve(`. {\n  forward . 127.0.0.1:${up.port} {\n    force_tcp\n  }\n}\n`);
  await ask(portOf(forced), "a.example.org.");
  assert.deepEqual(
    up.queries.map((q) => q.proto),
    ["tcp"],
  );
  up.queries.length = 0;
  const preferUdp = await serve(`. {\n  forward . 127.0.0.1:${up.port} {\n    prefer_udp\n  }\n}\n`);
  await ask(portOf(preferUdp), "a.example.org.", "A", "tcp");
  assert.deepEqual(
    up.queries.map((q) => q.proto),
    ["udp"],
  );
  up.queries.length = 0;
  const m = await ask(portOf(preferUdp), "big.example.org.", "A", "tcp");
  assert.deepEqual(
    up.queries.map((q) => q.proto),
    ["udp", "tcp"],
  );
  assert.equal(m.answers?.length, 1);
  // Without prefer_udp a UDP client gets the truncated answer and retries over TCP itself.
  up.queries.length = 0;
  const plain = await serve(`. {\n  forward . 127.0.0.1:${up.port}\n}\n`);
  const t = await ask(portOf(plain), "big.example.org.");
  assert.ok((t.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE);
  assert.deepEqual(
    up.queries.map((q) => q.proto),
    ["udp"],
  );
});

test("a failing upstream is skipped for the next one, health checked, and marked down after max_fails", async () => {
  const dead = await closedPort();
  const good = await stub();
  const dns = await serve(
    `. {\n  forward . 127.0.0.1:${dead} 127.0.0.1:${good.port} {\n    policy sequential\n    force_tcp\n    max_fails 1\n    health_check 20ms\n  }\n}\n`,
  );
  const port = portOf(dns);
  const m = await ask(port, "a.example.org.");
  assert.equal(rcode(m), 0, "answered by the second upstream");
  assert.equal(good.queries.length, 1);
  const to = `127.0.0.1:${dead}`;
  const fails = () =>
    metric(dns.registry, "coredns_proxy_healthcheck_failures_total", { proxy_name: "forward", to });
  // Health checks repeat while failing; two failures make it down (fails > max_fails).
  await waitFor(async () => (await fails()) >= 2, "two failed health checks");
  assert.ok((await metric(dns.registry, "coredns_forward_healthcheck_failures_total", { to })) >= 2);
  const dials = () => metric(dns.registry, "coredns_proxy_conn_cache_misses_total", { to });
  const before = await dials();
  await ask(port, "b.example.org.");
  assert.equal(await dials(), before, "a down upstream is not tried");
  assert.equal(good.queries.length, 2);
});

test("health checks ask `. IN NS` with RD; no_rec and domain change the probe", async () => {
  const dead = await stub(() => "drop");
  const dns = await serve(
    `. {\n  forward . 127.0.0.1:${dead.port} {\n    read_timeout 50ms\n    max_connect_attempts 1\n  }\n}\n`,
  );
  assert.equal(
    rcode(await ask(portOf(dns), "a.example.org.")),
    2,
    "SERVFAIL when the upstream does not answer",
  );
  await waitFor(() => dead.queries.some((q) => q.msg.questions?.[0].type === "NS"), "a health check");
  const hc = dead.queries.find((q) => q.msg.questions?.[0].type === "NS")!;
  assert.equal(hc.msg.questions?.[0].name, ".");
  assert.ok((hc.msg.flags ?? 0) & dnsPacket.RECURSION_DESIRED);
  assert.equal(hc.proto, "udp");

  const other = await stub(() => "drop");
  const custom = await serve(
    `. {\n  forward . 127.0.0.1:${other.port} {\n    read_timeout 50ms\n    max_connect_attempts 1\n    health_check 20ms no_rec domain Example.NET\n  }\n}\n`,
  );
  await ask(portOf(custom), "a.example.org.");
  await waitFor(() => other.queries.some((q) => q.msg.questions?.[0].type === "NS"), "a health check");
  const hc2 = other.queries.find((q) => q.msg.questions?.[0].type === "NS")!;
  assert.equal(hc2.msg.questions?.[0].name, "example.net");
  assert.equal((hc2.msg.flags ?? 0) & dnsPacket.RECURSION_DESIRED, 0);
});

test("when every upstream is down one is tried anyway, counted in healthcheck_broken_total", async () => {
  const port0 = await closedPort();
  const dns = await serve(
    `. {\n  forward . 127.0.0.1:${port0} {\n    force_tcp\n    max_fails 1\n    health_check 20ms\n  }\n}\n`,
  );
  const port = portOf(dns);
  assert.equal(rcode(await ask(port, "a.example.org.")), 2);
  const to = `127.0.0.1:${port0}`;
  await waitFor(
    async () => (await metric(dns.registry, "coredns_proxy_healthcheck_failures_total", { to })) >= 2,
    "down",
  );
  // The upstream comes back; it is still marked down, yet the query goes to it.
  const up = await stub(undefined, port0);
  const m = await ask(port, "b.example.org.");
  assert.equal(rcode(m), 0);
  assert.equal(up.queries.filter((q) => q.msg.questions?.[0].type === "A").length, 1);
  assert.ok((await metric(dns.registry, "coredns_forward_healthcheck_broken_total")) >= 1);
});

test("failfast_all_unhealthy_upstreams answers SERVFAIL without asking a down upstream", async () => {
  const port0 = await closedPort();
  const dns = await serve(
    `. {\n  forward . 127.0.0.1:${port0} {\n    force_tcp\n    max_fails 1\n    health_check 20ms\n    failfast_all_unhealthy_upstreams\n  }\n}\n`,
  );
  const port = portOf(dns);
  await ask(port, "a.example.org.");
  const to = `127.0.0.1:${port0}`;
  await waitFor(
    async () => (await metric(dns.registry, "coredns_proxy_healthcheck_failures_total", { to })) >= 2,
    "down",
  );
  const dials = () => metric(dns.registry, "coredns_proxy_conn_cache_misses_total", { to });
  const before = await dials();
  assert.equal(rcode(await ask(port, "b.example.org.")), 2);
  assert.equal(await dials(), before);
});

test("max_concurrent refuses queries beyond the limit and counts them", async () => {
  const release: Array<() => void> = [];
  const up = await stub((q) => new Promise((resolve) => release.push(() => resolve(defaultAnswer(q)))));
  const dns = await serve(`. {\n  forward . 127.0.0.1:${up.port} {\n    max_concurrent 1\n  }\n}\n`);
  const port = portOf(dns);
  const first = ask(port, "slow.example.org.");
  await waitFor(() => release.length === 1, "the first query upstream");
  const second = await ask(port, "b.example.org.");
  assert.equal(rcode(second), 5, "REFUSED");
  release[0]();
  assert.equal(rcode(await first), 0);
  assert.equal(await metric(dns.registry, "coredns_forward_max_concurrent_rejects_total"), 1);
});

test("FROM and except decide what is forwarded; the rest goes to the next plugin", async () => {
  const up = await stub();
  const dns = await serve(
    `. {\n  forward example.org 127.0.0.1:${up.port} {\n    except internal.example.org\n  }\n  whoami\n}\n`,
  );
  const port = portOf(dns);
  await ask(port, "www.example.org.");
  await ask(port, "example.org.");
  const internal = await ask(port, "db.internal.example.org.");
  const other = await ask(port, "example.com.");
  assert.equal(up.queries.length, 2);
  // whoami answered these: its records are in the additional section.
  assert.ok(internal.additionals?.some((a) => a.type === "A" && a.data === "127.0.0.1"));
  assert.ok(other.additionals?.some((a) => a.type === "A"));
});

test("several forward lines chain; next RCODE hands the query to the following forward", async () => {
  const first = await stub((q) => defaultAnswer(q, 3));
  const second = await stub();
  const dns = await serve(
    `. {\n  forward . 127.0.0.1:${first.port} {\n    next NXDOMAIN\n  }\n  forward . 127.0.0.1:${second.port}\n}\n`,
  );
  const m = await ask(portOf(dns), "a.example.org.");
  assert.equal(rcode(m), 0);
  assert.equal(first.queries.length, 1);
  assert.equal(second.queries.length, 1);
});

test("without next, an upstream's NXDOMAIN is the answer; failover tries the next upstream on listed rcodes", async () => {
  const bad = await stub((q) => defaultAnswer(q, 2));
  const good = await stub();
  const plain = await serve(
    `. {\n  forward . 127.0.0.1:${bad.port} 127.0.0.1:${good.port} {\n    policy sequential\n  }\n}\n`,
  );
  assert.equal(
    rcode(await ask(portOf(plain), "a.example.org.")),
    2,
    "SERVFAIL from the upstream is returned",
  );
  const failover = await serve(
    `. {\n  forward . 127.0.0.1:${bad.port} 127.0.0.1:${good.port} {\n    policy sequential\n    failover SERVFAIL REFUSED\n  }\n}\n`,
  );
  assert.equal(rcode(await ask(portOf(failover), "a.example.org.")), 0);
});

test("round_robin starts each query one upstream further", async () => {
  const a = await stub();
  const b = await stub();
  const dns = await serve(
    `. {\n  forward . 127.0.0.1:${a.port} 127.0.0.1:${b.port} {\n    policy round_robin\n  }\n}\n`,
  );
  for (let i = 0; i < 4; i++) await ask(portOf(dns), `q${i}.example.org.`);
  assert.equal(a.queries.length, 2);
  assert.equal(b.queries.length, 2);
});

test("a reply for another question is a FORMERR (request.Match)", async () => {
  const up = await stub((q) => ({
    ...defaultAnswer(q),
    questions: [{ name: "other.org", type: "A", class: "IN" }],
  }));
  const dns = await serve(`. {\n  forward . 127.0.0.1:${up.port}\n}\n`);
  assert.equal(rcode(await ask(portOf(dns), "a.example.org.")), 1);
});
