/**
 * Address text to rdata bytes: IPv6 as RFC 4291 §2.2 writes it (what Go's net.ParseIP, so
 * CoreDNS, accepts), IPv4 read as dns-packet's codec reads it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { writeIPv4, writeIPv6 } from "./address.ts";

const v6 = (s: string): string | undefined => {
  const b = Buffer.alloc(16);
  return writeIPv6(s, b, 0) ? b.toString("hex") : undefined;
};
const v4 = (s: string): string | undefined => {
  const b = Buffer.alloc(4);
  return writeIPv4(s, b, 0) ? b.toString("hex") : undefined;
};

test("IPv6 text forms: full, ::, mixed case, leading zeros, a dotted quad at the end", () => {
  const cases: [string, string][] = [
    ["2001:db8::1", "20010db8000000000000000000000001"],
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["fe80::", "fe800000000000000000000000000000"],
    ["FE80::A:b", "fe8000000000000000000000000a000b"],
    ["2001:0db8:0000:0000:0000:ff00:0042:8329", "20010db8000000000000ff0000428329"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
    ["::2:3:4:5:6:7:8", "00000002000300040005000600070008"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["1::8", "00010000000000000000000000000008"],
    ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201"],
    ["64:ff9b::198.51.100.7", "0064ff9b0000000000000000c6336407"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
  ];
  for (const [s, hex] of cases) assert.equal(v6(s), hex, s);
});

test("IPv6 text that is not an address is left to dns-packet (false)", () => {
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
    "::ffff:1.2.3.4:5",
    "1:2:3:4:5:6:7:1.2.3.4",
    "fe80::1%eth0",
  ]) {
    assert.equal(v6(s), undefined, s);
  }
});

test("IPv4: four parts, each its decimal value modulo 256 as dns-packet read it; fewer parts refused", () => {
  assert.equal(v4("10.96.0.10"), "0a60000a");
  assert.equal(v4("255.255.255.255"), "ffffffff");
  assert.equal(v4("010.001.1.1"), "0a010101");
  assert.equal(v4("300.1.2.3"), "2c010203");
  assert.equal(v4("1.2.3.4.5"), "01020304");
  for (const s of ["", "1", "1.2", "1.2.3"]) assert.equal(v4(s), undefined, s);
});
