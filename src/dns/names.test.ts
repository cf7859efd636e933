/** Names as CoreDNS's plugin package and miekg/dns treat them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { equalFold, fqdn, fqdnLower, inZone, isDomainName, lowersTo, matchZone } from "./names.ts";

test("fqdn keeps the case, fqdnLower lowers it; the root and the empty name are '.'", () => {
  assert.equal(fqdn("Example.ORG"), "Example.ORG.");
  assert.equal(fqdn(""), ".");
  assert.equal(fqdnLower("Example.ORG."), "example.org.");
  assert.equal(fqdnLower("."), ".");
});

test("zones: a name is in its zone and in the zones above it, on label boundaries", () => {
  assert.ok(inZone("a.example.org.", "example.org."));
  assert.ok(inZone("example.org.", "example.org."));
  assert.ok(inZone("anything.", "."));
  assert.ok(!inZone("badexample.org.", "example.org."), "not a label boundary");
  const zones = [".", "org.", "example.org.", "other."];
  assert.equal(matchZone(zones, "a.example.org."), "example.org.", "the longest wins");
  assert.equal(matchZone(zones, "b.org."), "org.");
  assert.equal(matchZone(zones, "x.net."), ".");
  assert.equal(matchZone(["org."], "x.net."), "");
});

test("domain names: labels of 1-63 octets, 255 octets on the wire", () => {
  assert.ok(isDomainName("."));
  assert.ok(isDomainName("example.org"));
  assert.ok(isDomainName(`${"a".repeat(63)}.org.`));
  assert.ok(!isDomainName(`${"a".repeat(64)}.org.`));
  assert.ok(!isDomainName("a..org"));
  assert.ok(!isDomainName(".org"));
  assert.ok(!isDomainName(""));
  // 63 + 63 + 63 + 61 octets and 3 dots: 253 in text, 255 on the wire (length bytes and root).
  const longest = `${["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".")}.`;
  assert.ok(isDomainName(longest));
  assert.ok(!isDomainName(`e.${longest}`), "257 octets on the wire");
});

test("zone matching on label boundaries, the longest zone first (plugin.Zones.Matches)", () => {
  const zones = ["cluster.local.", "in-addr.arpa.", "ip6.arpa.", "local."];
  const cases: Array<[string, string, string]> = [
    // name, the match among zones, the match among "." and zones
    ["cluster.local.", "cluster.local.", "cluster.local."],
    ["svc.cluster.local.", "cluster.local.", "cluster.local."],
    ["xcluster.local.", "local.", "local."],
    ["a.b.cluster.local.", "cluster.local.", "cluster.local."],
    ["local.", "local.", "local."],
    ["1.0.0.10.in-addr.arpa.", "in-addr.arpa.", "in-addr.arpa."],
    ["in-addr.arpa.", "in-addr.arpa.", "in-addr.arpa."],
    ["arpa.", "", "."],
    [".", "", "."],
    ["example.org.", "", "."],
  ];
  for (const [name, want, withRoot] of cases) {
    assert.equal(matchZone(zones, name), want, name);
    assert.equal(matchZone([".", ...zones], name), withRoot, `. ${name}`);
  }
  assert.ok(!inZone("xcluster.local.", "cluster.local."));
  assert.ok(!inZone("local.", "cluster.local."));
  assert.ok(inZone("anything.", "."));
});

/** Lowercasing beyond ASCII: İ becomes two characters, the Kelvin sign a plain k, Σ depends on its place. */
const NAMES = [
  "a.example.",
  "A.Example",
  "a.example",
  "a.example..",
  "",
  ".",
  "b.example.",
  "ab.example.",
  "\u0130x.example.",
  "i\u0307x.example.",
  "\u212a.example.",
  "k.example.",
  "\u03a3\u03a3.",
  "\u03c3\u03c2.",
  "\u00c9t\u00e9.example",
  "\u00e9t\u00e9.example.",
];

test("lowersTo(name, lname) is fqdnLower(name) === lname, for ASCII, missing dots, the root and Unicode", () => {
  for (const n of NAMES) {
    for (const m of NAMES) {
      const l = fqdnLower(m);
      assert.equal(lowersTo(n, l), fqdnLower(n) === l, `${JSON.stringify(n)} vs ${JSON.stringify(l)}`);
    }
    // An lname that is not fqdnLower's output is compared the exact way too.
    assert.equal(lowersTo(n, "a.example"), fqdnLower(n) === "a.example");
  }
});

test("equalFold is a.toLowerCase() === b.toLowerCase(), ASCII letters only folding with letters", () => {
  for (const a of [...NAMES, "_http._tcp.", "_HTTP._TCP.", "@.", "`.", "[x]", "{x}"]) {
    for (const b of [...NAMES, "_http._tcp.", "_HTTP._TCP.", "@.", "`.", "[x]", "{x}"]) {
      assert.equal(
        equalFold(a, b),
        a.toLowerCase() === b.toLowerCase(),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      );
    }
  }
});
