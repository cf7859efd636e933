import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  cidrFamilyOf,
  formatIP,
  invalidCIDRMessage,
  invalidIPMessage,
  ipFamilyOf,
  isValidCIDR,
  isValidCIDRStrict,
  isValidIP,
  isValidIPStrict,
  isValidIPv4,
  isValidIPv6,
  nonSpecialIPErrors,
  parseIPSloppy,
} from "./net.ts";

// Expectations from apimachinery/pkg/util/validation/ip_test.go (TestIsValidIP, TestIsValidCIDR,
// TestIsValidIPForLegacyField, TestIsValidCIDRForLegacyField) and Go's net.IP.String().
describe("IP addresses", () => {
  test("legacy check accepts what ParseIPSloppy accepts", () => {
    for (const ok of ["1.2.3.4", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "::ffff:1.2.3.4"])
      assert.deepEqual(isValidIP(ok), [], ok);
    // Leading zeros are tolerated in legacy fields (read as decimal).
    assert.deepEqual(isValidIP("010.001.002.003"), []);
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "a.b.c.d",
      "1:2:3::4::5",
      "fe80::1%eth0",
      " 1.2.3.4",
      "1.2.3.4/32",
    ])
      assert.deepEqual(isValidIP(bad), [invalidIPMessage], bad);
  });

  test("the message is kube's", () => {
    assert.equal(invalidIPMessage, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
  });

  test("strict check wants canonical spelling", () => {
    assert.deepEqual(isValidIPStrict("10.0.0.1"), []);
    assert.deepEqual(isValidIPStrict("2001:db8::1"), []);
    assert.deepEqual(isValidIPStrict("010.0.0.1"), ["must not have leading 0s"]);
    assert.deepEqual(isValidIPStrict("::ffff:1.2.3.4"), ["must not be an IPv4-mapped IPv6 address"]);
    assert.deepEqual(isValidIPStrict("2001:DB8::1"), ['must be in canonical form ("2001:db8::1")']);
    assert.deepEqual(isValidIPStrict("2001:db8:0:0:0:0:0:1"), ['must be in canonical form ("2001:db8::1")']);
    assert.deepEqual(isValidIPStrict("nope"), [invalidIPMessage]);
  });

  test("RFC 5952 formatting like Go", () => {
    const f = (s: string) => {
      const ip = parseIPSloppy(s);
      assert.ok(ip, s);
      return formatIP(ip);
    };
    assert.equal(f("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
    assert.equal(f("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
    assert.equal(f("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1"); // first of equal runs
    assert.equal(f("2001:db8:1:1:1:1:0:1"), "2001:db8:1:1:1:1:0:1"); // a single zero group stays
    assert.equal(f("::"), "::");
    assert.equal(f("::1"), "::1");
    assert.equal(f("fe80::"), "fe80::");
    assert.equal(f("::ffff:10.0.0.1"), "10.0.0.1");
    assert.equal(f("010.000.000.001"), "10.0.0.1");
  });

  test("families", () => {
    assert.equal(ipFamilyOf("10.0.0.1"), "IPv4");
    assert.equal(ipFamilyOf("fd00::1"), "IPv6");
    assert.equal(ipFamilyOf("::ffff:10.0.0.1"), "IPv4"); // k8s.io/utils/net: To4() != nil
    assert.equal(ipFamilyOf("x"), "");
    assert.deepEqual(isValidIPv4("10.0.0.1"), []);
    assert.deepEqual(isValidIPv4("fd00::1"), ["must be a valid IPv4 address"]);
    assert.deepEqual(isValidIPv6("fd00::1"), []);
    assert.deepEqual(isValidIPv6("10.0.0.1"), ["must be a valid IPv6 address"]);
    assert.deepEqual(isValidIPv6("bad"), ["must be a valid IPv6 address"]);
  });
});

describe("CIDRs", () => {
  test("legacy check", () => {
    for (const ok of ["10.0.0.0/8", "10.0.0.1/8", "0.0.0.0/0", "2001:db8::/64", "::/0", "10.0.0.0/08"])
      assert.deepEqual(isValidCIDR(ok), [], ok);
    for (const bad of [
      "10.0.0.0",
      "10.0.0.0/33",
      "2001:db8::/129",
      "10.0.0.0/-1",
      "/24",
      "x/24",
      "10.0.0.0/ 8",
    ])
      assert.deepEqual(isValidCIDR(bad), [invalidCIDRMessage], bad);
    assert.equal(invalidCIDRMessage, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
  });

  test("strict check", () => {
    assert.deepEqual(isValidCIDRStrict("10.96.0.0/12"), []);
    assert.deepEqual(isValidCIDRStrict("fd00:10:96::/112"), []);
    assert.deepEqual(isValidCIDRStrict("10.96.0.1/12"), ["must not have bits set beyond the prefix length"]);
    assert.deepEqual(isValidCIDRStrict("010.96.0.0/12"), ["must not have leading 0s in IP or prefix length"]);
    assert.deepEqual(isValidCIDRStrict("10.96.0.0/012"), ["must not have leading 0s in IP or prefix length"]);
    assert.deepEqual(isValidCIDRStrict("::ffff:10.0.0.0/104"), ["must not have an IPv4-mapped IPv6 address"]);
    assert.deepEqual(isValidCIDRStrict("FD00::/64"), ['must be in canonical form ("fd00::/64")']);
    assert.deepEqual(isValidCIDRStrict("fd00::1/127"), ["must not have bits set beyond the prefix length"]);
    assert.deepEqual(isValidCIDRStrict("bogus"), [invalidCIDRMessage]);
  });

  test("families", () => {
    assert.equal(cidrFamilyOf("10.0.0.0/8"), "IPv4");
    assert.equal(cidrFamilyOf("fd00::/8"), "IPv6");
    assert.equal(cidrFamilyOf("bad"), "");
  });
});

// Source: pkg/apis/core/validation ValidateNonSpecialIP / ValidateEndpointIP messages.
describe("special addresses", () => {
  test("rejects unspecified, loopback, link-local", () => {
    assert.deepEqual(nonSpecialIPErrors("10.1.2.3"), []);
    assert.deepEqual(nonSpecialIPErrors("2001:db8::1"), []);
    assert.deepEqual(nonSpecialIPErrors("0.0.0.0"), ["may not be unspecified (0.0.0.0)"]);
    assert.deepEqual(nonSpecialIPErrors("::"), ["may not be unspecified (::)"]);
    assert.deepEqual(nonSpecialIPErrors("127.0.0.1"), [
      "may not be in the loopback range (127.0.0.0/8, ::1/128)",
    ]);
    assert.deepEqual(nonSpecialIPErrors("::1"), ["may not be in the loopback range (127.0.0.0/8, ::1/128)"]);
    assert.deepEqual(nonSpecialIPErrors("169.254.169.254"), [
      "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
    ]);
    assert.deepEqual(nonSpecialIPErrors("fe80::1"), [
      "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
    ]);
    assert.deepEqual(nonSpecialIPErrors("224.0.0.1"), [
      "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
    ]);
    assert.deepEqual(nonSpecialIPErrors("ff02::1"), [
      "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
    ]);
    assert.deepEqual(nonSpecialIPErrors("nope"), ["must be a valid IP address"]);
  });
});
