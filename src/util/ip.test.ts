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
  readIPv4,
  readIPv6,
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

test("IPv6 text forms read into bytes without allocating (readIPv6, RFC 4291 §2.2 as Go reads it)", () => {
  const v6 = (s: string): string | undefined => {
    const b = Buffer.alloc(18, 0xee);
    if (!readIPv6(s, b, 1)) return undefined;
    assert.equal(b[0], 0xee, "nothing before the offset");
    assert.equal(b[17], 0xee, "nothing after the 16 bytes");
    return b.subarray(1, 17).toString("hex");
  };
  const cases: [string, string][] = [
    ["2001:db8::1", "20010db8000000000000000000000001"],
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["fe80::", "fe800000000000000000000000000000"],
    ["FE80::A:b", "fe8000000000000000000000000a000b"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "20010db8000000000000ff0000428329"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
    // "::" may stand for a single group, at either end.
    ["::2:3:4:5:6:7:8", "00000002000300040005000600070008"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["1::8", "00010000000000000000000000000008"],
    ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
    ["64:ff9b::198.51.100.7", "0064ff9b0000000000000000c6336407"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
  ];
  for (const [s, hex] of cases) assert.equal(v6(s), hex, s);
  for (const s of [
    "",
    ":",
    ":::",
    "1:::2",
    "1::2::3",
    "12345::",
    "g::1",
    ":1",
    "1:",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::8",
    "::ffff:1.2.3",
    "::ffff:1.2.3.256",
    "::ffff:01.2.3.4",
    "::ffff:1.2.3.4:5",
    "1:2:3:4:5:6:7:1.2.3.4",
    "fe80::1%eth0",
  ]) {
    assert.equal(v6(s), undefined, s);
  }
});

test("readIPv4: a range of the text, strict or sloppy about leading zeros, checking only without out", () => {
  const out = new Uint8Array(6);
  assert.ok(readIPv4("x10.96.0.10y", 1, 11, out, 1));
  assert.deepEqual([...out], [0, 10, 96, 0, 10, 0]);
  assert.ok(!readIPv4("010.0.0.1", 0, 9, undefined, 0), "strict: leading zero");
  assert.ok(readIPv4("010.0.0.1", 0, 9, out, 0, true), "sloppy: decimal 10");
  assert.equal(out[0], 10);
  for (const s of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4 ", "", "0001.2.3.4x"]) {
    assert.ok(!readIPv4(s, 0, s.length, undefined, 0, true), s);
  }
});
