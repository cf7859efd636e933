/** The index-arithmetic name helpers agree with the plain definitions they replace. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dotBefore, hostFamily, isPrefixed, trimZone } from "./names.ts";

describe("kubernetes names", () => {
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
