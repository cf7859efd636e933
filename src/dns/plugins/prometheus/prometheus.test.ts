/**
 * prometheus: /metrics in the text format with CoreDNS's names after real dig queries
 * (plugin/metrics/README.md, metrics_test.go); only blocks with prometheus record coredns_dns_*.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startDNS } from "../../index.ts";
import { dig } from "../../testing/dig.ts";
import { assertSetupErrors } from "../../testing/setup.ts";
import { freeDnsPort, freeTcpPort, get } from "../health/testing.ts";

test("scrape after queries: dns counters, build info, plugin_enabled, process metrics", async () => {
  const mp = await freeTcpPort();
  const port = await freeDnsPort();
  const dns = await startDNS({
    defaultHost: "127.0.0.1",
    defaultPort: port,
    log: () => {},
    corefile: `example.org {\n prometheus 127.0.0.1:${mp}\n whoami\n}\nexample.net {\n whoami\n}\n`,
  });
  try {
    const server = `dns://127.0.0.1:${port}`;
    await dig(port, "a.example.org", "A");
    await dig(port, "a.example.org", "AAAA", "+tcp");
    await dig(port, "a.example.org", "NAPTR");
    await dig(port, "a.example.net", "A");
    const r = await get(mp, "/metrics");
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    const m = r.body;
    const has = (line: string) => assert.ok(m.includes(line), `missing ${line}`);
    has(
      `coredns_dns_requests_total{server="${server}",zone="example.org.",view="",proto="udp",family="1",type="A"} 1`,
    );
    has(
      `coredns_dns_requests_total{server="${server}",zone="example.org.",view="",proto="tcp",family="1",type="AAAA"} 1`,
    );
    has(
      `coredns_dns_requests_total{server="${server}",zone="example.org.",view="",proto="udp",family="1",type="other"} 1`,
    );
    has(
      `coredns_dns_responses_total{server="${server}",zone="example.org.",view="",rcode="NOERROR",plugin="whoami"} 3`,
    );
    has("# TYPE coredns_dns_request_duration_seconds histogram");
    has(`coredns_plugin_enabled{server="${server}",zone="example.org.",view="",name="whoami"} 1`);
    assert.match(m, /coredns_build_info\{version="\d+\.\d+\.\d+",revision="",goversion="node20\.[\d.]+"\} 1/);
    has("process_cpu_user_seconds_total");
    // The block without prometheus records nothing.
    assert.ok(!m.includes('zone="example.net."'));
  } finally {
    await dns.stop();
  }
  await assert.rejects(get(mp, "/metrics"));
});

test("metrics survive a reload and the endpoint stays up", async () => {
  const mp = await freeTcpPort();
  const port = await freeDnsPort();
  const text = `. {\n prometheus 127.0.0.1:${mp}\n whoami\n}\n`;
  const dns = await startDNS({ defaultHost: "127.0.0.1", defaultPort: port, log: () => {}, corefile: text });
  try {
    await dig(port, "x.org", "A");
    await dns.reload(`${text}\n`.replace("whoami", "whoami\n log"));
    await dig(port, "x.org", "A");
    const m = (await get(mp, "/metrics")).body;
    assert.match(m, /coredns_dns_requests_total\{[^}]*zone="\.",[^}]*type="A"\} 2/);
  } finally {
    await dns.stop();
  }
});

test("setup errors", async () => {
  const cases: Array<[string, RegExp]> = [
    ["prometheus foo", /address foo: missing port in address/],
    ["prometheus :1 :2", /Wrong argument count/],
    ["prometheus {\n  nope\n }", /Corefile:3 - Error during parsing: unknown option: nope/],
    ["prometheus {\n  tls x\n }", /option 'tls' is not supported/],
    ["prometheus\n prometheus :9", /only be used once per Server Block/],
  ];
  await assertSetupErrors(cases);
});
