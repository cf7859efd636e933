import assert from "node:assert/strict";
import { test } from "node:test";
import type { Answer } from "dns-packet";

const dataOf = (r: Answer): unknown => ("data" in r ? r.data : undefined);

import { normalizeIP, parseCIDR, preferSubnets, roundRobin, weighted } from "./shuffle.ts";

const a = (ip: string, name = "x."): Answer => ({ name, type: "A", ttl: 5, data: ip });
const aaaa = (ip: string): Answer => ({ name: "x.", type: "AAAA", ttl: 5, data: ip });
const cname = (t: string): Answer => ({ name: "x.", type: "CNAME", ttl: 5, data: t });
const mx = (p: number): Answer => ({
  name: "x.",
  type: "MX",
  ttl: 5,
  data: { preference: p, exchange: "m." },
});
const txt = (s: string): Answer => ({ name: "x.", type: "TXT", ttl: 5, data: [s] });
const key = (r: Answer) => `${r.type}:${JSON.stringify(dataOf(r))}`;

// plugin/loadbalance/loadbalance_test.go: CNAMEs first, then other records, addresses, MX.
test("round robin keeps CNAMEs first and shuffles addresses and MX", () => {
  const input = [a("10.0.0.1"), mx(1), cname("y."), txt("t"), aaaa("::1"), a("10.0.0.2"), mx(2)];
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const out = roundRobin(input) ?? [];
    assert.equal(out.length, input.length);
    assert.deepEqual([out[0].type, out[1].type, out[5].type, out[6].type], ["CNAME", "TXT", "MX", "MX"]);
    assert.deepEqual(
      out.slice(2, 5).map(key).sort(),
      [a("10.0.0.1"), aaaa("::1"), a("10.0.0.2")].map(key).sort(),
    );
    seen.add(out.slice(2, 5).map(key).join());
  }
  assert.ok(seen.size > 1, "addresses are reordered");
  assert.equal(dataOf(input[0]), "10.0.0.1", "the input is not modified");
});

test("round robin of addresses only visits every order and leaves one record alone", () => {
  const input = [a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3")];
  const firsts = new Set<string>();
  for (let i = 0; i < 300; i++) firsts.add(String(dataOf((roundRobin(input) ?? [])[0])));
  assert.deepEqual([...firsts].sort(), ["1.1.1.1", "2.2.2.2", "3.3.3.3"]);
  assert.deepEqual(roundRobin([a("1.1.1.1")]), [a("1.1.1.1")]);
  assert.equal(roundRobin(undefined), undefined);
});

// weighted.go topAddressIndex: heaviest first, v in [0,sum) picks by cumulative weight.
test("weighted moves the address picked by weight to the top", () => {
  const weights = new Map([
    [
      "x.",
      new Map([
        ["100.64.1.1", 3],
        ["100.64.1.2", 1],
        ["100.64.1.3", 2],
      ]),
    ],
  ]);
  const input = [a("100.64.1.2", "X."), a("100.64.1.3", "X."), a("100.64.1.1", "X.")];
  const top = (v: number) => String(dataOf((weighted(input, weights, () => v) ?? [])[0]));
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(top), [
    "100.64.1.1",
    "100.64.1.1",
    "100.64.1.1",
    "100.64.1.3",
    "100.64.1.3",
    "100.64.1.2",
  ]);
  // Unknown addresses weigh 1.
  assert.equal(
    String(dataOf((weighted([a("9.9.9.9"), a("8.8.8.8")], weights, () => 1) ?? [])[0])),
    "8.8.8.8",
  );
});

// prefer.go: addresses in the preferred subnets first, in the subnets' order.
test("prefer puts addresses of the listed subnets first", () => {
  const subnets = [parseCIDR("10.9.20.0/24"), parseCIDR("fd00::/8")];
  const out =
    preferSubnets([txt("t"), a("1.2.3.4"), aaaa("fd00::1"), a("10.9.20.7"), cname("c.")], subnets) ?? [];
  assert.deepEqual(
    out.map((r) => String(r.type === "TXT" ? "TXT" : dataOf(r))),
    ["c.", "10.9.20.7", "fd00::1", "1.2.3.4", "TXT"],
  );
  assert.ok(parseCIDR("10.0.0.0/8").contains("::ffff:10.1.2.3"));
  assert.throws(() => parseCIDR("10.0.0.0/33"));
  assert.throws(() => parseCIDR("nope"));
  assert.equal(normalizeIP("::FFFF:1.2.3.4"), "1.2.3.4");
  assert.equal(normalizeIP("fd00:0::1"), normalizeIP("fd00::0:1"));
});
