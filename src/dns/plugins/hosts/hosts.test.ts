/**
 * hosts answers and setup (CoreDNS plugin/hosts: hosts_test.go, hostsfile_test.go,
 * setup_test.go, wildcard_test.go and hosts.go's NODATA/SERVFAIL/fallthrough rules).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import dnsPacket, { type RecordType } from "dns-packet";
import { Registry } from "prom-client";
import { buildConfig } from "../../config.ts";
import { HttpListeners } from "../../http.ts";
import { makeLogger, startDNS } from "../../index.ts";
import type { Handler } from "../../plugin.ts";
import { Metrics } from "../../server/metrics.ts";
import { udpExchange } from "../../testing/dig.ts";
import { FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { Hostsfile, parseHosts } from "./hostsfile.ts";

const dir = mkdtempSync(join(tmpdir(), "skiff-hosts-"));
const shutdowns: Array<() => void | Promise<void>> = [];
after(async () => {
  for (const s of shutdowns) await s();
  rmSync(dir, { recursive: true, force: true });
});

const HOSTS = `
127.0.0.1 localhost localhost.domain
::1 localhost localhost.domain
10.0.0.1 example.org # comment
fd00::1 example.org
192.168.1.10 *.example.com
192.168.1.11 a.example.com
::FFFF:10.9.8.7 mapped.example.org
bogus nothing.example.org
10.0.0.2
`;
const file = join(dir, "hosts");
writeFileSync(file, HOSTS);

/** Set up `hosts` in a block whose next plugin is whoami (its A record in additionals shows fallthrough). */
async function hostsPlugin(block: string, keys = "."): Promise<Handler> {
  const text = `${keys} {\n${block}\n  whoami\n}\n`;
  const cfg = await buildConfig(text, {
    corefilePath: join(dir, "Corefile"),
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    env: {},
    metrics: new Metrics(new Registry()),
    http: new HttpListeners(),
    logger: makeLogger(() => {}, false),
    instance: { corefile: () => text, reload: async () => {} },
  });
  for (const h of cfg.blocks[0].startups) await h();
  shutdowns.push(...cfg.blocks[0].shutdowns);
  return cfg.blocks[0].chain!;
}

async function ask(h: Handler, name: string, type: RecordType = "A") {
  const w = new FakeWriter();
  const rcode = await h.serveDNS(fakeRequest(name, type), w, new AbortController().signal);
  return { rcode, msg: w.msgs[0], written: w.written };
}

test("A and AAAA from the file, case-insensitively, authoritative, default TTL 3600", async () => {
  const h = await hostsPlugin(`  hosts ${file}`);
  const a = await ask(h, "Example.ORG.");
  assert.equal(a.rcode, 0);
  assert.ok((a.msg.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER);
  assert.deepEqual(
    a.msg.answers?.map((r) => [r.name, r.type, (r as { ttl: number }).ttl, (r as { data: string }).data]),
    [["example.org.", "A", 3600, "10.0.0.1"]],
  );
  const aaaa = await ask(h, "example.org.", "AAAA");
  assert.deepEqual(
    aaaa.msg.answers?.map((r) => (r as { data: string }).data),
    ["fd00::1"],
  );
  // An IPv4-mapped address is IPv4 (Go's To4).
  assert.deepEqual(
    (await ask(h, "mapped.example.org.")).msg.answers?.map((r) => (r as { data: string }).data),
    ["10.9.8.7"],
  );
});

test("NODATA for the other family or another type; SERVFAIL for an unknown name without fallthrough", async () => {
  const h = await hostsPlugin(`  hosts ${file}`);
  const mx = await ask(h, "example.org.", "MX");
  assert.equal(mx.rcode, 0);
  assert.deepEqual(mx.msg.answers, []);
  writeFileSync(join(dir, "v4only"), "10.1.1.1 v4.example.org\n");
  const v4 = await hostsPlugin(`  hosts ${join(dir, "v4only")}`);
  const none = await ask(v4, "v4.example.org.", "AAAA");
  assert.equal(none.rcode, 0);
  assert.deepEqual(none.msg.answers, []);
  const missing = await ask(h, "nothing.example.org.");
  assert.equal(missing.rcode, 2, "SERVFAIL, nothing written");
  assert.equal(missing.written, false);
});

test("fallthrough passes unknown names on, for all zones or only the listed ones", async () => {
  const all = await hostsPlugin(`  hosts ${file} {\n    fallthrough\n  }`);
  const r = await ask(all, "nothing.example.org.");
  assert.equal(r.rcode, 0);
  assert.ok(
    r.msg.additionals?.some((a) => a.type === "A"),
    "whoami answered",
  );
  // Known names and NODATA do not fall through.
  assert.deepEqual((await ask(all, "example.org.", "MX")).msg.answers, []);
  const some = await hostsPlugin(`  hosts ${file} {\n    fallthrough example.net\n  }`);
  assert.equal((await ask(some, "nothing.example.org.")).rcode, 2);
  assert.equal((await ask(some, "x.example.net.")).rcode, 0);
});

test("fallthrough_unsupported passes other types on for names it knows", async () => {
  const h = await hostsPlugin(`  hosts ${file} {\n    fallthrough\n    fallthrough_unsupported\n  }`);
  const txt = await ask(h, "example.org.", "TXT");
  assert.ok(
    txt.msg.additionals?.some((a) => a.type === "A"),
    "whoami answered the TXT query",
  );
});

test("names outside the zones go to the next plugin; PTR works whatever the zones", async () => {
  const h = await hostsPlugin(`  hosts ${file} example.org`);
  const other = await ask(h, "localhost.");
  assert.ok(
    other.msg.additionals?.some((a) => a.type === "A"),
    "not in example.org: next plugin",
  );
  const ptr = await ask(h, "1.0.0.10.in-addr.arpa.", "PTR");
  assert.deepEqual(
    ptr.msg.answers?.map((a) => [a.name, a.type, (a as { data: string }).data]),
    [["1.0.0.10.in-addr.arpa.", "PTR", "example.org."]],
  );
  // localhost is outside the zones, so it has no PTR either: next plugin.
  const lo = await ask(h, "1.0.0.127.in-addr.arpa.", "PTR");
  assert.ok(lo.msg.additionals?.some((a) => a.type === "A"));
  const v6 = await ask(
    h,
    `${"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f"}.ip6.arpa.`,
    "PTR",
  );
  assert.deepEqual(
    v6.msg.answers?.map((a) => (a as { data: string }).data),
    ["example.org."],
  );
});

test("wildcards match one label, lose to explicit names and make no PTR", async () => {
  const h = await hostsPlugin(`  hosts ${file}`);
  const data = async (n: string) => (await ask(h, n)).msg?.answers?.map((a) => (a as { data: string }).data);
  assert.deepEqual(await data("apps.example.com."), ["192.168.1.10"]);
  assert.deepEqual(await data("a.example.com."), ["192.168.1.11"]);
  assert.equal((await ask(h, "deep.apps.example.com.")).rcode, 2);
  assert.equal((await ask(h, "example.com.")).rcode, 2);
  const ptr = await ask(h, "10.1.168.192.in-addr.arpa.", "PTR");
  assert.ok(
    ptr.msg.additionals?.some((a) => a.type === "A"),
    "no PTR: next plugin",
  );
});

test("inline entries, ttl and no_reverse", async () => {
  const h = await hostsPlugin(
    `  hosts ${join(dir, "missing")} {\n    10.0.0.9 inline.example.org\n    ttl 60\n    no_reverse\n    fallthrough\n  }`,
  );
  const a = await ask(h, "inline.example.org.");
  assert.deepEqual(
    a.msg.answers?.map((r) => [(r as { ttl: number }).ttl, (r as { data: string }).data]),
    [[60, "10.0.0.9"]],
  );
  const ptr = await ask(h, "9.0.0.10.in-addr.arpa.", "PTR");
  assert.ok(
    ptr.msg.additionals?.some((r) => r.type === "A"),
    "no PTR with no_reverse",
  );
});

test("setup errors in CoreDNS's words", async () => {
  const cases: Array<[string, RegExp]> = [
    [`  hosts ${file} {\n    ttl\n  }`, /ttl needs a time in second/],
    [`  hosts ${file} {\n    ttl abc\n  }`, /ttl needs a number of second/],
    [`  hosts ${file} {\n    ttl 0\n  }`, /ttl provided is invalid/],
    [`  hosts ${file} {\n    ttl 65536\n  }`, /ttl provided is invalid/],
    [`  hosts ${file} {\n    reload\n  }`, /reload needs a duration \(zero seconds to disable\)/],
    [`  hosts ${file} {\n    reload xyz\n  }`, /invalid duration for reload 'xyz'/],
    [`  hosts ${file} {\n    reload -1s\n  }`, /invalid negative duration for reload '-1s'/],
    [`  hosts ${file} {\n    fallthrough\n    10.0.0.1 late.example.org\n  }`, /unknown property '10.0.0.1'/],
    [`  hosts ${file} {\n    fallthrough_unsupported\n  }`, /fallthrough_unsupported requires fallthrough/],
    [`  hosts ${file}\n  hosts ${file}`, /this plugin can only be used once per Server Block/],
  ];
  for (const [block, want] of cases) await assert.rejects(hostsPlugin(block), { message: want }, block);
});

test("parse: canonical addresses, a zone dropped, leading zeros not an address", () => {
  const text =
    "10.0.0.1 A.example.org b.example.org.\n# x\nfe80::1%eth0 ll.example.org\n2001:DB8:0:0:1:0:0:1 v6.example.org\n010.0.0.2 zero.example.org\n";
  const m = parseHosts(text, ["."], true);
  assert.deepEqual(m.name4.get("a.example.org."), ["10.0.0.1"]);
  assert.deepEqual(m.addr.get("10.0.0.1"), ["a.example.org.", "b.example.org."]);
  assert.deepEqual(m.name6.get("ll.example.org."), ["fe80::1"]);
  assert.deepEqual(m.name6.get("v6.example.org."), ["2001:db8::1:0:0:1"]);
  assert.equal(m.name4.get("zero.example.org."), undefined);
});

test("the file is re-read when its mtime or size changes, and served by a running server", async () => {
  const f = join(dir, "reloading");
  writeFileSync(f, "10.0.0.1 r.example.org\n");
  const h = new Hostsfile(f, ["."], true);
  assert.equal(h.readHosts(), true);
  assert.equal(h.readHosts(), false, "unchanged: not parsed again");

  const dns = await startDNS({
    corefile: `. {\n  hosts ${f} {\n    reload 20ms\n  }\n}\n`,
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    log: () => {},
  });
  try {
    const port = dns.addresses[0].port;
    const lookup = async () => {
      const q = dnsPacket.encode({ id: 7, type: "query", questions: [{ name: "r.example.org", type: "A" }] });
      const buf = await udpExchange(port, q, 2000);
      return dnsPacket.decode(buf!).answers?.map((a) => (a as { data: string }).data);
    };
    assert.deepEqual(await lookup(), ["10.0.0.1"]);
    writeFileSync(f, "10.0.0.22 r.example.org\n");
    const deadline = Date.now() + 3000;
    while ((await lookup())?.[0] !== "10.0.0.22") {
      assert.ok(Date.now() < deadline, "new address served after reload");
      await new Promise((r) => setTimeout(r, 10));
    }
    const entries = await dns.registry.getSingleMetric("coredns_hosts_entries")!.get();
    assert.equal(entries.values.find((v) => v.labels.hostsfile === f)?.value, 2);
  } finally {
    await dns.stop();
  }
});
