import assert from "node:assert/strict";
import { test } from "node:test";
import { AddressPool, parsePool } from "./pool.ts";

test("a /24 hands out .1 … .254: .0 and .255 are skipped (MetalLB avoidBuggyIPs)", () => {
  const p = new AddressPool(["192.168.10.0/24"]);
  const got: string[] = [];
  for (;;) {
    const ip = p.allocate(`s${got.length}`, "IPv4");
    if (ip === undefined) break;
    got.push(ip);
  }
  assert.equal(got.length, 254);
  assert.equal(got[0], "192.168.10.1");
  assert.equal(got.at(-1), "192.168.10.254");
  assert.equal(p.contains("192.168.10.0"), false);
  assert.equal(p.contains("192.168.10.255"), false);
  assert.equal(p.assign("x", "192.168.10.255"), "not-in-pool");
});

test("a /23 skips the .0 and .255 in the middle too", () => {
  // MetalLB poolCount: a pair of buggy IPs for each /24 in the range.
  const p = new AddressPool(["10.1.0.0/23"]);
  let n = 0;
  while (p.allocate(`s${n}`, "IPv4") !== undefined) n++;
  assert.equal(n, 512 - 4);
  assert.equal(p.contains("10.1.0.255"), false);
  assert.equal(p.contains("10.1.1.0"), false);
});

test("a small range not on a /24 boundary uses every address", () => {
  const p = new AddressPool(["10.0.0.4/30"]);
  const got = [
    p.allocate("a", "IPv4"),
    p.allocate("b", "IPv4"),
    p.allocate("c", "IPv4"),
    p.allocate("d", "IPv4"),
  ];
  assert.deepEqual(got, ["10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"]);
  assert.equal(p.allocate("e", "IPv4"), undefined);
});

test("IPv6 ranges hand out every address, canonical spelling", () => {
  const p = new AddressPool(["fd00:0:0::/126", "10.0.0.8/31"]);
  assert.equal(p.allocate("a", "IPv6"), "fd00::");
  assert.equal(p.allocate("b", "IPv6"), "fd00::1");
  assert.equal(p.assign("c", "FD00:0::3"), "ok");
  assert.deepEqual(p.addressesOf("c"), ["fd00::3"]);
  assert.equal(p.allocate("d", "IPv6"), "fd00::2");
  assert.equal(p.allocate("e", "IPv6"), undefined);
  assert.equal(p.hasFamily("IPv4"), true);
  assert.deepEqual(p.cidrs, ["fd00::/126", "10.0.0.8/31"]);
});

test("several CIDRs are used in order; a freed address is reused first", () => {
  const p = new AddressPool(["10.0.0.1/32", "10.0.1.1/32"]);
  assert.equal(p.allocate("a", "IPv4"), "10.0.0.1");
  assert.equal(p.allocate("b", "IPv4"), "10.0.1.1");
  assert.equal(p.allocate("c", "IPv4"), undefined);
  let released = 0;
  p.onRelease = () => released++;
  assert.equal(p.release("a"), true);
  assert.equal(p.release("a"), false);
  assert.equal(released, 1);
  assert.equal(p.allocate("c", "IPv4"), "10.0.0.1");
});

test("assign: free, in use by another, already mine", () => {
  const p = new AddressPool(["10.0.0.0/28"]);
  assert.equal(p.assign("a", "10.0.0.5"), "ok");
  assert.equal(p.assign("a", "10.0.0.5"), "ok");
  assert.equal(p.assign("b", "10.0.0.5"), "in-use");
  assert.equal(p.assign("b", "10.0.1.5"), "not-in-pool");
  assert.equal(p.ownerOf("10.0.0.5"), "a");
  // The pinned address is skipped by later allocations.
  const seen = new Set<string | undefined>();
  for (let i = 0; i < 14; i++) seen.add(p.allocate(`x${i}`, "IPv4"));
  assert.equal(seen.has("10.0.0.5"), false);
  assert.equal(p.used, 15);
});

test("a bad CIDR is refused with the text", () => {
  assert.throws(() => parsePool(["10.0.0.0/33"]), /"10.0.0.0\/33" is not a CIDR/);
  assert.throws(() => new AddressPool(["nope"]), /--lb-pool/);
});
