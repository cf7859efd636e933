/** IP text as Go's net package reads and prints it; reverse names as miekg/dns makes them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addressFromReverse,
  canonicalIP,
  formatIPValue,
  ipFromValue,
  ipValue,
  isCanonicalIPv4,
  parseIP,
  reverseName,
} from "./ip.ts";

test("canonical text: RFC 5952 for IPv6, IPv4-mapped as dotted, strict about leading zeros", () => {
  assert.equal(canonicalIP("2001:DB8:0:0:1:0:0:1"), "2001:db8::1:0:0:1", "the first longest zero run");
  assert.equal(canonicalIP("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
  assert.equal(canonicalIP("2001:db8:1:1:1:1:0:1"), "2001:db8:1:1:1:1:0:1", "one zero group stays");
  assert.equal(canonicalIP("::"), "::");
  assert.equal(canonicalIP("::ffff:10.96.0.5"), "10.96.0.5");
  assert.equal(canonicalIP("010.0.0.1"), undefined, "net.ParseIP rejects leading zeros");
  assert.equal(parseIP("010.0.0.1", true) && canonicalIP("10.0.0.1"), "10.0.0.1", "ParseIPSloppy takes them");
  assert.equal(canonicalIP("fe80::1%eth0"), undefined, "no zones");
  assert.equal(canonicalIP("256.0.0.1"), undefined);
  assert.equal(canonicalIP("example.org"), undefined);
});

test("addresses as integers round-trip in both families", () => {
  for (const s of ["10.96.0.10", "255.255.255.255", "fd00::a", "2001:db8::ffff:1"]) {
    const ip = parseIP(s);
    assert.ok(ip, s);
    const v = ipValue(ip);
    assert.equal(formatIPValue(v), s);
    assert.deepEqual(ipFromValue(v), ip);
  }
  assert.deepEqual(ipValue(parseIP("0.0.1.2") ?? assert.fail()), { family: "IPv4", value: 258n });
});

test("reverse names both ways", () => {
  assert.equal(reverseName("10.96.0.10"), "10.0.96.10.in-addr.arpa.");
  assert.equal(
    reverseName("::ffff:1.2.3.4"),
    "4.3.2.1.in-addr.arpa.",
    "IPv4-mapped is IPv4 (dns.ReverseAddr)",
  );
  assert.equal(
    reverseName("2001:db8::1"),
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
  );
  assert.equal(reverseName("nope"), "");
  for (const ip of ["10.96.0.10", "2001:db8::1", "fd00::"])
    assert.equal(addressFromReverse(reverseName(ip)), ip);
  assert.equal(addressFromReverse("4.3.2.1.IN-ADDR.ARPA"), "1.2.3.4", "any case, final dot optional");
  assert.equal(addressFromReverse("3.2.1.in-addr.arpa."), "", "not a full reverse name");
  assert.equal(addressFromReverse("04.3.2.1.in-addr.arpa."), "", "leading zero");
  assert.equal(addressFromReverse("g.0.ip6.arpa."), "");
});

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
  assert.equal(canonicalIP("not-an-ip"), undefined);
});

test("reverse names, the common in-addr.arpa form read in place (dnsutil.ExtractAddressFromReverse)", () => {
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
  for (const [name, want] of cases) assert.equal(addressFromReverse(name), want, name);
});
