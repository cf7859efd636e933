/** The index-arithmetic name helpers agree with the plain definitions they replace. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { addressFromReverse as refAddressFromReverse } from "../../../util/ip.ts";
import { inZone as refInZone, matchZone as refMatchZone } from "../../names.ts";
import {
  addressFromReverse,
  canonicalIP,
  dotBefore,
  hostFamily,
  inZone,
  isCanonicalIPv4,
  isPrefixed,
  matchZone,
  reverseName,
  trimZone,
} from "./names.ts";

describe("kubernetes names", () => {
  test("canonical IPv4 text is what Go prints: no leading zeros, octets ≤ 255", () => {
    for (const s of ["10.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.100.10"])
      assert.ok(isCanonicalIPv4(s), s);
    for (const s of [
      "010.0.0.1",
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      "1.2.3.4 ",
      "",
      "1..2.3",
      "a.b.c.d",
      "1.2.3.4.",
    ]) {
      assert.ok(!isCanonicalIPv4(s), s);
    }
    assert.equal(canonicalIP("10.0.0.1"), "10.0.0.1");
    assert.equal(canonicalIP("1234:ABCD:0::1"), "1234:abcd::1");
    assert.equal(canonicalIP("::ffff:10.0.0.1"), "10.0.0.1");
    assert.equal(canonicalIP("not-an-ip"), "not-an-ip");
  });

  test("reverse names read in place give util/ip's answers (dnsutil.ExtractAddressFromReverse)", () => {
    const cases: Array<[string, string]> = [
      ["1.0.0.10.in-addr.arpa.", "10.0.0.1"],
      ["255.255.96.10.in-addr.arpa.", "10.96.255.255"],
      ["0.0.0.0.in-addr.arpa.", "0.0.0.0"],
      // Go's parser rejects leading zeros and octets past 255; wrong label counts name nothing.
      ["01.0.0.10.in-addr.arpa.", ""],
      ["256.0.0.10.in-addr.arpa.", ""],
      ["0.10.in-addr.arpa.", ""],
      ["1.2.3.4.5.in-addr.arpa.", ""],
      ["a.0.0.10.in-addr.arpa.", ""],
      ["in-addr.arpa.", ""],
      [".1.0.0.10.in-addr.arpa.", ""],
      // Not lower case or not fully qualified: the general reader.
      ["1.0.0.10.IN-ADDR.ARPA.", "10.0.0.1"],
      ["1.0.0.10.in-addr.arpa", "10.0.0.1"],
      [reverseName("1234:abcd::1"), "1234:abcd::1"],
      ["svc.cluster.local.", ""],
    ];
    for (const [name, want] of cases) {
      assert.equal(addressFromReverse(name), want, name);
      assert.equal(refAddressFromReverse(name), want, `util/ip: ${name}`);
    }
  });

  test("host families as /^\\d+\\.\\d+\\.\\d+\\.\\d+$/ and a colon tell them", () => {
    const ref = (h: string) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? 4 : h.includes(":") ? 6 : 0);
    const hosts = [
      "10.0.0.1",
      "999.1.1.1",
      "1.2.3",
      "1..2.3",
      "a.b",
      "::1",
      "x:y",
      "",
      "1.2.3.4.",
      ".1.2.3.4",
    ];
    for (const h of [...hosts, "1.2.3.4.5", "svc.ns.svc.cluster.local.", "1:2.3.4.5", "10.0.0.1:53"]) {
      assert.equal(hostFamily(h), ref(h), h);
    }
  });

  test("zone matching agrees with dns/names.ts (plugin.Zones.Matches)", () => {
    const zones = ["cluster.local.", "in-addr.arpa.", "ip6.arpa.", "local."];
    const names = [
      "cluster.local.",
      "svc.cluster.local.",
      "xcluster.local.",
      "a.b.cluster.local.",
      "local.",
      "1.0.0.10.in-addr.arpa.",
      "in-addr.arpa.",
      "arpa.",
      ".",
      "example.org.",
    ];
    for (const n of names) {
      assert.equal(matchZone(zones, n), refMatchZone(zones, n), n);
      assert.equal(matchZone([".", ...zones], n), refMatchZone([".", ...zones], n), `. ${n}`);
      for (const z of zones) assert.equal(inZone(n, z), refInZone(n, z), `${n} in ${z}`);
    }
  });

  test("trimZone is dnsutil.TrimZone: the labels left of the zone, without the dot", () => {
    const ref = (name: string, zone: string) =>
      zone === "." ? name.replace(/\.$/, "") : name.slice(0, name.length - zone.length).replace(/\.$/, "");
    const cases: Array<[string, string]> = [
      ["a.b.cluster.local.", "cluster.local."],
      ["cluster.local.", "cluster.local."],
      ["a.b.", "."],
      [".", "."],
      ["a..cluster.local.", "cluster.local."],
      // Shorter than the zone: whatever String.slice makes of it, as before.
      ["x.", "cluster.local."],
    ];
    for (const [n, z] of cases) assert.equal(trimZone(n, z), ref(n, z), `${n} ${z}`);
  });

  test("dotBefore and isPrefixed", () => {
    assert.equal(dotBefore("a.b.c", 5), 3);
    assert.equal(dotBefore("a.b.c", 3), 1);
    assert.equal(dotBefore("a.b.c", 1), -1);
    assert.equal(dotBefore(".a", 0), -1);
    assert.ok(isPrefixed("ns.dns.cluster.local.", "ns.dns.", "cluster.local."));
    assert.ok(!isPrefixed("ns.dns.xcluster.local.", "ns.dns.", "cluster.local."));
    assert.ok(!isPrefixed("ns.dnscluster.local.", "ns.dns.", "cluster.local."));
    // The root zone adds nothing: `ns.dns.` itself.
    assert.ok(isPrefixed("ns.dns.", "ns.dns.", "."));
    assert.ok(!isPrefixed("ns.dns.x.", "ns.dns.", "."));
  });
});
