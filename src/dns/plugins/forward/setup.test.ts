/** forward's Corefile syntax and errors (plugin/forward/setup.go, setup_test.go, parse.HostPortOrFile). */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { Dispenser } from "../../corefile/dispenser.ts";
import { tokenize } from "../../corefile/lexer.ts";
import { Metrics } from "../../server/metrics.ts";
import { forwardMetrics } from "./metrics.ts";
import { upstreamsOf } from "./resolvconf.ts";
import { parseForward } from "./setup.ts";

function parse(text: string) {
  const warnings: string[] = [];
  const d = new Dispenser(tokenize(text, "Corefile"), "Corefile");
  const fs = parseForward(
    { dispenser: d, log: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} } },
    forwardMetrics(new Metrics(new Registry())),
  );
  return { fs, warnings };
}

test("defaults and options", () => {
  const [f] = parse("forward . 127.0.0.1").fs;
  assert.equal(f.o.from, ".");
  assert.equal(f.o.maxFails, 2);
  assert.equal(f.o.policy.name, "random");
  assert.equal(f.o.hcIntervalMs, 500);
  assert.deepEqual(
    f.o.upstreams.map((u) => u.addr),
    ["127.0.0.1:53"],
  );
  const [g] = parse(
    "forward example.org 127.0.0.1:8053 [::1]:53 dns://10.0.0.1 2003::1 {\n except miek.nl a.example.org\n max_fails 3\n force_tcp\n policy round_robin\n max_concurrent 10\n}\n",
  ).fs;
  assert.equal(g.o.from, "example.org.");
  assert.deepEqual(g.o.ignored, ["miek.nl.", "a.example.org."]);
  assert.equal(g.o.maxFails, 3);
  assert.equal(g.o.forceTCP, true);
  assert.equal(g.o.policy.name, "round_robin");
  assert.equal(g.o.maxConcurrent, 10);
  assert.deepEqual(
    g.o.upstreams.map((u) => u.addr),
    ["127.0.0.1:8053", "[::1]:53", "10.0.0.1:53", "[2003::1]:53"],
  );
});

test("a CIDR FROM becomes its reverse zone; one expanding to several uses the first with a warning", () => {
  assert.equal(parse("forward 10.9.3.0/18 127.0.0.1").fs[0].o.from, "0.9.10.in-addr.arpa.");
  const { fs, warnings } = parse("forward 10.0.0.0/15 127.0.0.1");
  assert.equal(fs[0].o.from, "0.10.in-addr.arpa.");
  assert.match(warnings[0], /Unsupported CIDR notation/);
});

test("several forward lines make several handlers; duplicates among TOs are dropped", () => {
  const { fs } = parse("forward . ::1\nforward com ::2 ::2");
  assert.equal(fs.length, 2);
  assert.deepEqual(
    fs[1].o.upstreams.map((u) => u.addr),
    ["[::2]:53"],
  );
});

test("a resolv.conf file gives its nameservers on port 53", () => {
  const dir = mkdtempSync(join(tmpdir(), "skiff-forward-"));
  try {
    const file = join(dir, "resolv.conf");
    writeFileSync(
      file,
      "# comment\nsearch example.org\nnameserver 10.10.255.252\nnameserver fe80::1%eth0\noptions ndots:5\n",
    );
    assert.deepEqual(upstreamsOf([file]), [
      { host: "10.10.255.252", port: 53 },
      { host: "fe80::1", port: 53 },
    ]);
    assert.deepEqual(
      parse(`forward . ${file} 127.0.0.1:5300`).fs[0].o.upstreams.map((u) => u.addr),
      ["10.10.255.252:53", "[fe80::1]:53", "127.0.0.1:5300"],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("errors in CoreDNS's words", () => {
  const cases: Array<[string, RegExp]> = [
    ["forward . 127.0.0.1 {\nblaatl\n}\n", /^Corefile:2 - Error during parsing: unknown property 'blaatl'$/],
    [
      "forward . 127.0.0.1 {\nhealth_check 0.5s domain\n}\n",
      /Wrong argument count or unexpected line ending after 'domain'/,
    ],
    ["forward . 127.0.0.1 {\nhealth_check 1s bogus\n}\n", /^health_check: unknown option bogus$/],
    ["forward . 127.0.0.1 {\nmax_concurrent -1\n}\n", /^max_concurrent can't be negative: -1$/],
    ["forward . 127.0.0.1 {\npolicy fastest\n}\n", /unknown policy 'fastest'/],
    ["forward . 127.0.0.1 {\nfailover NOERROR\n}\n", /^NoError cannot be used in failover$/],
    ["forward . 127.0.0.1 {\nnext BOGUS\n}\n", /^BOGUS is not a valid rcode$/],
    [
      "forward . 127.0.0.1 {\nexpire 5s\nmax_age 1s\n}\n",
      /^max_age \(1s\) must not be less than expire \(5s\)$/,
    ],
    ["forward . 127.0.0.1 {\nforce_tcp yes\n}\n", /Wrong argument count/],
    ["forward . a27.0.0.1", /not an IP address or file "a27.0.0.1"/],
    ["forward . grpc://127.0.0.1", /'grpc' is not supported as a destination protocol in forward/],
    ["forward . tls://127.0.0.1", /not supported/],
    ["forward . 127.0.0.1 {\ntls\n}\n", /not supported/],
    ["forward .", /Wrong argument count/],
    [
      `forward . ${Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`).join(" ")}`,
      /more than 15 TOs configured: 16/,
    ],
  ];
  for (const [input, want] of cases) assert.throws(() => parse(input), { message: want }, input);
});
