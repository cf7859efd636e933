import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CIDRError, formatIP, IPAllocator, parseIP } from "./ipam.ts";

// host-local IPAM (containernetworking/plugins) with a bridge gateway: addresses start at .2,
// the broadcast address is never used, allocation resumes after the last one and wraps.
describe("IPAllocator", () => {
  test("IPv4: skips network, gateway and broadcast; wraps; never hands out a used address", () => {
    const a = new IPAllocator("10.244.1.0/29");
    const got = Array.from({ length: 5 }, () => a.allocate());
    assert.deepEqual(got, ["10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6"]);
    assert.throws(() => a.allocate(), CIDRError);
    a.release("10.244.1.3");
    assert.equal(a.allocate(), "10.244.1.3");
  });
  test("reserve marks existing addresses; out-of-range ones are refused", () => {
    const a = new IPAllocator("10.244.0.0/24");
    assert.equal(a.reserve("10.244.0.2"), true);
    assert.equal(a.reserve("10.244.1.2"), false);
    assert.equal(a.reserve("10.244.0.255"), false);
    assert.equal(a.allocate(), "10.244.0.3");
    assert.equal(a.inUse, 2);
  });
  test("a host bits CIDR is normalised", () => {
    assert.equal(new IPAllocator("10.244.3.7/24").allocate(), "10.244.3.2");
  });
  test("IPv6", () => {
    const a = new IPAllocator("fd00:10:244:1::/64");
    assert.equal(a.allocate(), "fd00:10:244:1::2");
    assert.equal(a.contains("fd00:10:244:1:ffff:ffff:ffff:ffff"), true);
  });
  test("bad CIDRs", () => {
    assert.throws(() => new IPAllocator("10.244.0.0"), CIDRError);
    assert.throws(() => new IPAllocator("10.244.0.0/33"), CIDRError);
    assert.throws(() => new IPAllocator("nope/24"), CIDRError);
  });
  test("IPv6 text round trip", () => {
    for (const s of ["::", "::1", "2001:db8::10", "fd00:0:0:1::", "1:0:0:2::3", "::ffff:a00:1"]) {
      const p = parseIP(s);
      assert.ok(p);
      assert.equal(formatIP(p.family, p.value), s);
    }
    const p = parseIP("::ffff:10.0.0.1");
    assert.equal(p && formatIP(6, p.value), "::ffff:a00:1");
  });
});
