/**
 * ExternalName targets outside the plugin's zones, served through a real server: the target is
 * re-queried through the whole server (CoreDNS's upstream.Lookup), so plugins before kubernetes
 * (hosts) and other blocks answer it. The answer rules are plugin/backend_lookup.go's A/AAAA:
 * the CNAME (service TTL) first, then the target reply's answers as they came (their TTLs); any
 * reply, NXDOMAIN or SERVFAIL included, still gives the CNAME and the query stays NOERROR.
 * The kubernetes handler here is the real one over a static view, as a test plugin (it runs after
 * hosts, as kubernetes does in plugin.cfg).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import dnsPacket, { type Packet, type RecordType } from "dns-packet";
import { type DNSInstance, startDNS } from "../../index.ts";
import { Flag, rcodeOf } from "../../message/message.ts";
import type { PluginModule } from "../../plugin.ts";
import { udpExchange } from "../../testing/dig.ts";
import { plugin, rr, svc } from "./fixtures.test-util.ts";
import { staticView } from "./view.ts";

const ext = (name: string, externalName: string) =>
  svc("testns", name, { type: "ExternalName", externalName });

const view = staticView({
  services: [
    ext("db", "db.corp.test"),
    ext("gone", "missing.corp.invalid"),
    ext("broken", "x.fail.test"),
    // Each points into the other zone, so each hop leaves the zone and re-queries the server.
    ext("loopa", "loopb.testns.svc.other.local"),
    ext("loopb", "loopa.testns.svc.cluster.local"),
    ext("self", "db.corp.test"),
  ],
  namespaces: ["testns"],
});

const k8s: PluginModule = {
  name: "k8s",
  setup(ctx) {
    ctx.dispenser.next();
    return plugin({ zones: ["cluster.local.", "other.local."] }, view).plugin();
  },
};

const fail: PluginModule = {
  name: "fail",
  setup(ctx) {
    ctx.dispenser.next();
    return () => ({ name: "fail", serveDNS: () => Promise.resolve(2) });
  },
};

describe("kubernetes: ExternalName through the server", () => {
  let dns: DNSInstance;
  let port: number;
  before(async () => {
    dns = await startDNS({
      corefile: `. {
  hosts {
    10.9.9.9 db.corp.test
    fd00::9 db.corp.test
    fallthrough
  }
  k8s
}
corp.invalid {
  hosts {
    10.0.0.1 known.corp.invalid
  }
}
fail.test {
  fail
}
`,
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      plugins: [k8s, fail],
      log: () => {},
    });
    port = dns.addresses[0].port;
  });
  after(() => dns.stop());

  async function ask(name: string, type: RecordType = "A"): Promise<Packet> {
    const q = dnsPacket.encode({
      id: 9,
      type: "query",
      flags: Flag.RD,
      questions: [{ name, type, class: "IN" }],
    });
    const buf = await udpExchange(port, q, 3000);
    assert.ok(buf, `an answer for ${name} ${type}`);
    return dnsPacket.decode(buf);
  }
  const answers = (m: Packet) => (m.answers ?? []).map((a) => rr({ ...a, name: `${a.name}.` }));

  test("a target answered by hosts, which runs before kubernetes: CNAME then hosts' A", async () => {
    const m = await ask("db.testns.svc.cluster.local.");
    assert.equal(rcodeOf(m), 0);
    assert.ok(((m.flags ?? 0) & Flag.AA) !== 0, "authoritative");
    assert.deepEqual(answers(m), [
      "db.testns.svc.cluster.local. 5 CNAME db.corp.test",
      "db.corp.test. 3600 A 10.9.9.9",
    ]);
  });

  test("AAAA asks the target for AAAA", async () => {
    assert.deepEqual(answers(await ask("db.testns.svc.cluster.local.", "AAAA")), [
      "db.testns.svc.cluster.local. 5 CNAME db.corp.test",
      "db.corp.test. 3600 AAAA fd00::9",
    ]);
  });

  test("CNAME queries are not chased", async () => {
    assert.deepEqual(answers(await ask("db.testns.svc.cluster.local.", "CNAME")), [
      "db.testns.svc.cluster.local. 5 CNAME db.corp.test",
    ]);
  });

  test("a target that is NXDOMAIN (another block says so): the CNAME alone, NOERROR", async () => {
    const m = await ask("gone.testns.svc.cluster.local.");
    assert.equal(rcodeOf(m), 0);
    assert.deepEqual(answers(m), ["gone.testns.svc.cluster.local. 5 CNAME missing.corp.invalid"]);
  });

  test("a target whose lookup fails (SERVFAIL): the CNAME alone, NOERROR", async () => {
    const m = await ask("broken.testns.svc.cluster.local.");
    assert.equal(rcodeOf(m), 0);
    assert.deepEqual(answers(m), ["broken.testns.svc.cluster.local. 5 CNAME x.fail.test"]);
  });

  test("ExternalNames pointing at each other across zones: SERVFAIL, and the server goes on", async () => {
    const m = await ask("loopa.testns.svc.cluster.local.");
    assert.equal(rcodeOf(m), 2);
    assert.deepEqual(m.answers ?? [], []);
    assert.equal(rcodeOf(await ask("loopb.testns.svc.other.local.", "AAAA")), 2);
    assert.deepEqual(answers(await ask("self.testns.svc.other.local.")), [
      "self.testns.svc.other.local. 5 CNAME db.corp.test",
      "db.corp.test. 3600 A 10.9.9.9",
    ]);
  });
});
