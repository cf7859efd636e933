import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { canonicalIP, formatIPValue, indexedIP, parseIP, parseRange, rangeOffset } from "./ipnet.ts";
import { PortBitmap, portRangeOffset } from "./port-allocator.ts";

describe("service ranges", () => {
  test("10.96.0.0/12: usable addresses and kube's static band", () => {
    const r = parseRange("10.96.0.0/12");
    assert.equal(r.cidr, "10.96.0.0/12");
    assert.equal(formatIPValue({ family: "IPv4", value: r.first }), "10.96.0.1");
    // IPv4 ranges never hand out the broadcast address.
    assert.equal(formatIPValue({ family: "IPv4", value: r.last }), "10.111.255.254");
    // ipallocator calculateRangeOffset: min(max(16, 2^20/16), 256) = 256.
    assert.equal(r.offset, 256n);
  });

  test("IPv6 ranges keep their last address; offsets follow kube's formula", () => {
    const r = parseRange("fd00:10:96::/112");
    assert.equal(r.family, "IPv6");
    assert.equal(formatIPValue({ family: "IPv6", value: r.last }), "fd00:10:96::ffff");
    // ipallocator tests: /28 → 16 addresses → 0; /27 → 32/16=2 → 16; /24 → 256/16 = 16; /16 → 256.
    assert.equal(rangeOffset(16n), 0n);
    assert.equal(rangeOffset(32n), 16n);
    assert.equal(rangeOffset(4096n), 256n);
    assert.equal(rangeOffset(2048n), 128n);
  });

  test("indexed IPs (kubeadm: kubernetes = 1st, kube-dns = 10th)", () => {
    assert.equal(indexedIP("10.96.0.0/12", 1), "10.96.0.1");
    assert.equal(indexedIP("10.96.0.0/12", 10), "10.96.0.10");
    assert.equal(indexedIP("fd00::/108", 10), "fd00::a");
  });

  test("canonical names, as IPAddress objects are named", () => {
    assert.equal(canonicalIP("FD00:0:0::0A"), "fd00::a");
    assert.equal(canonicalIP("::ffff:10.96.0.5"), "10.96.0.5");
    assert.equal(parseIP("10.96.0.300"), undefined);
  });
});

describe("node port bitmap", () => {
  test("serialised like Go's big.Int.Bytes(): bit i is port base+i, big-endian, trimmed", () => {
    const b = new PortBitmap(2768);
    assert.equal(b.toBase64(), "");
    b.set(0, true);
    assert.equal(b.toBase64(), Buffer.from([1]).toString("base64"));
    b.set(9, true);
    assert.equal(b.toBase64(), Buffer.from([2, 1]).toString("base64"));
    const back = PortBitmap.fromBase64(2768, b.toBase64());
    assert.ok(back.has(0) && back.has(9) && !back.has(8));
    assert.equal(back.count(), 2);
  });

  test("portallocator calculateRangeOffset: min(max(16, size/32), 128)", () => {
    assert.equal(portRangeOffset(2768), 86);
    assert.equal(portRangeOffset(16), 0);
    assert.equal(portRangeOffset(100), 16);
    assert.equal(portRangeOffset(10_000), 128);
  });
});
