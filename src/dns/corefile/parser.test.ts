/**
 * Corefile parsing as CoreDNS's Caddy fork does it (caddyfile/parse.go, lexer.go) and its key
 * normalization (core/dnsserver/register.go, plugin/normalize.go, plugin/pkg/cidr).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { normalizeKey, reverseZones } from "./address.ts";
import { Dispenser } from "./dispenser.ts";
import { parseDuration } from "./duration.ts";
import { tokenize } from "./lexer.ts";
import { parseCorefile, type ServerBlock } from "./parser.ts";

const known = new Set([
  "errors",
  "log",
  "health",
  "ready",
  "kubernetes",
  "forward",
  "cache",
  "hosts",
  "whoami",
  "prometheus",
  "reload",
  "loop",
  "loadbalance",
]);
const parse = (text: string, env: Record<string, string> = {}) =>
  parseCorefile(text, { env, isDirective: (n) => known.has(n) });

function shape(blocks: ServerBlock[]) {
  return blocks.map((b) => ({
    keys: b.keys.map((k) => k.text),
    directives: Object.fromEntries(b.directives.map((d) => [d.name, d.tokens.map((t) => t.text)])),
  }));
}

describe("lexer", () => {
  test("quotes, escapes, comments and line numbers", () => {
    const toks = tokenize('a "b c" # comment\n"x\\"y" {\n}', "F");
    assert.deepEqual(
      toks.map((t) => [t.text, t.line, t.quoted]),
      [
        ["a", 1, false],
        ["b c", 1, true],
        ['x"y', 2, true],
        ["{", 2, false],
        ["}", 3, false],
      ],
    );
  });
});

describe("parser", () => {
  const cases: Array<{
    name: string;
    text: string;
    env?: Record<string, string>;
    want: ReturnType<typeof shape>;
  }> = [
    {
      name: "the kubeadm default Corefile",
      text: `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`,
      want: [
        {
          keys: [".:53"],
          directives: {
            errors: ["errors"],
            health: ["health", "{", "lameduck", "5s", "}"],
            ready: ["ready"],
            kubernetes: [
              "kubernetes",
              "cluster.local",
              "in-addr.arpa",
              "ip6.arpa",
              "{",
              "pods",
              "insecure",
              "fallthrough",
              "in-addr.arpa",
              "ip6.arpa",
              "ttl",
              "30",
              "}",
            ],
            prometheus: ["prometheus", ":9153"],
            forward: ["forward", ".", "/etc/resolv.conf", "{", "max_concurrent", "1000", "}"],
            cache: ["cache", "30"],
            loop: ["loop"],
            reload: ["reload"],
            loadbalance: ["loadbalance"],
          },
        },
      ],
    },
    {
      name: "seed 003's hosts block",
      text: `.:53 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    hosts {
        10.1.2.3 external-db.local
        fallthrough
    }
    forward . 8.8.8.8 1.1.1.1
}`,
      want: [
        {
          keys: [".:53"],
          directives: {
            kubernetes: [
              "kubernetes",
              "cluster.local",
              "in-addr.arpa",
              "ip6.arpa",
              "{",
              "pods",
              "insecure",
              "fallthrough",
              "in-addr.arpa",
              "ip6.arpa",
              "}",
            ],
            hosts: ["hosts", "{", "10.1.2.3", "external-db.local", "fallthrough", "}"],
            forward: ["forward", ".", "8.8.8.8", "1.1.1.1"],
          },
        },
      ],
    },
    {
      name: "several keys, commas, several blocks, a directive used twice",
      text: "a.org:1053, b.org {\n whoami\n log a.org\n log b.org\n}\n\nexample.net:54 {\n errors\n}\n",
      want: [
        {
          keys: ["a.org:1053", "b.org"],
          directives: { whoami: ["whoami"], log: ["log", "a.org", "log", "b.org"] },
        },
        { keys: ["example.net:54"], directives: { errors: ["errors"] } },
      ],
    },
    {
      name: "a single block without braces",
      text: "example.org\nwhoami\nlog\n",
      want: [{ keys: ["example.org"], directives: { whoami: ["whoami"], log: ["log"] } }],
    },
    {
      name: "snippets and import",
      text: "(common) {\n errors\n log\n}\n. {\n import common\n whoami\n}\n",
      want: [{ keys: ["."], directives: { errors: ["errors"], log: ["log"], whoami: ["whoami"] } }],
    },
    {
      name: "{$ENV} and {%ENV%} in keys and arguments",
      text: "{$ZONE}:{$PORT} {\n forward . {%UPSTREAM%}\n}\n",
      env: { ZONE: "example.org", PORT: "1053", UPSTREAM: "10.0.0.1" },
      want: [{ keys: ["example.org:1053"], directives: { forward: ["forward", ".", "10.0.0.1"] } }],
    },
    {
      name: "an unset variable is empty",
      text: ". {\n log {$NOPE}\n}\n",
      want: [{ keys: ["."], directives: { log: ["log", ""] } }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(shape(parse(c.text, c.env)), c.want));
  }

  test("import of files by glob, relative to the Corefile, with their own file names in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "skiff-corefile-"));
    try {
      mkdirSync(join(dir, "conf.d"));
      writeFileSync(join(dir, "conf.d", "a.server"), "a.org {\n whoami\n}\n");
      writeFileSync(join(dir, "conf.d", "b.server"), "b.org {\n log\n}\n");
      writeFileSync(join(dir, "bad.conf"), "\n\n  nope\n");
      const file = join(dir, "Corefile");
      const blocks = parseCorefile(". {\n whoami\n}\nimport conf.d/*.server\n", {
        file,
        isDirective: (n) => known.has(n),
      });
      assert.deepEqual(
        blocks.map((b) => b.keys[0].text),
        [".", "a.org", "b.org"],
      );
      assert.throws(
        () => parseCorefile(". {\n import bad.conf\n}\n", { file, isDirective: (n) => known.has(n) }),
        { message: `${join(dir, "bad.conf")}:3 - Error during parsing: Unknown directive 'nope'` },
      );
      assert.throws(
        () => parseCorefile(". {\n import missing.conf\n}\n", { file }),
        /File to import not found: missing.conf/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const errors: Array<[string, string, string]> = [
    [
      "unknown directive",
      ". {\n whoami\n  foo bar\n}\n",
      "Corefile:3 - Error during parsing: Unknown directive 'foo'",
    ],
    ["unclosed block", ". {\n whoami\n", "Corefile:2 - Error during parsing: Unexpected EOF"],
    [
      "unclosed directive block",
      ". {\n log {\n class all\n",
      "Corefile:3 - Error during parsing: Unexpected EOF",
    ],
    [
      "stray brace",
      ". {\n whoami\n}\n}\n",
      "Corefile:4 - Error during parsing: Unexpected '}' because no matching opening brace",
    ],
    [
      "trailing comma",
      "a.org, {\n whoami\n}\n",
      "Corefile:1 - Error during parsing: Expected another address but had '{' - check for extra comma",
    ],
    [
      "import without argument",
      ". {\n import\n}\n",
      "Corefile:2 - Error during parsing: Wrong argument count or unexpected line ending after 'import'",
    ],
    ["import cycle", "(a) {\n import a\n}\n. {\n import a\n}\n", "Maximum import depth exceeded"],
  ];
  for (const [name, text, msg] of errors) {
    test(`error: ${name}`, () =>
      assert.throws(
        () => parse(text),
        (e: Error) => e.message.includes(msg),
      ));
  }
});

describe("server block keys", () => {
  const cases: Array<[string, Array<[string, number]>]> = [
    [".", [[".", 53]]],
    [".:1053", [[".", 1053]]],
    ["dns://Example.ORG", [["example.org.", 53]]],
    ["dns://example.org.:5353", [["example.org.", 5353]]],
    ["10.0.0.0/24", [["0.0.10.in-addr.arpa.", 53]]],
    ["10.0.0.0/8:1053", [["10.in-addr.arpa.", 1053]]],
    // Not on an octet boundary: split in /24s (plugin/pkg/cidr).
    [
      "10.0.0.0/23",
      [
        ["0.0.10.in-addr.arpa.", 53],
        ["1.0.10.in-addr.arpa.", 53],
      ],
    ],
    ["fd00::/64", [["0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", 53]]],
    [
      "fd00::/63",
      [
        ["0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", 53],
        ["1.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", 53],
      ],
    ],
  ];
  for (const [key, want] of cases) {
    test(key, () =>
      assert.deepEqual(
        normalizeKey(key, 53).map((z) => [z.zone, z.port]),
        want,
      ),
    );
  }
  test("a /17 is 128 reverse zones", () => assert.equal(reverseZones("10.0.128.0/17")?.length, 128));
  test("unsupported transports and bad zones are errors", () => {
    assert.throws(() => normalizeKey("tls://example.org", 53), /transport tls/);
    assert.throws(() => normalizeKey("example..org", 53), /not a valid domain name/);
    assert.throws(() => normalizeKey("example.org:", 53), /expecting data after last colon/);
  });
});

describe("dispenser", () => {
  test("directive args, blocks and errors with lines", () => {
    const toks = tokenize("forward . 1.1.1.1 {\n  max_fails 3\n  bogus\n}\nforward x y", "Corefile");
    const d = new Dispenser(toks);
    assert.ok(d.next());
    assert.equal(d.val(), "forward");
    assert.deepEqual(d.remainingArgs(), [".", "1.1.1.1"]);
    assert.ok(d.nextBlock());
    assert.equal(d.val(), "max_fails");
    assert.deepEqual(d.remainingArgs(), ["3"]);
    assert.ok(d.nextBlock());
    assert.equal(d.unknownProperty().message, "Corefile:3 - Error during parsing: unknown property 'bogus'");
    assert.equal(d.nextBlock(), false);
    assert.ok(d.next());
    assert.deepEqual(d.remainingArgs(), ["x", "y"]);
    assert.equal(
      d.argErr().message,
      "Corefile:5 - Error during parsing: Wrong argument count or unexpected line ending after 'y'",
    );
  });
});

describe("durations", () => {
  test("Go syntax", () => {
    assert.equal(parseDuration("5s"), 5000);
    assert.equal(parseDuration("1m30s"), 90_000);
    assert.equal(parseDuration("300ms"), 300);
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration("0"), 0);
    assert.throws(() => parseDuration("5"), /missing unit/);
    assert.throws(() => parseDuration("5x"), /unknown unit/);
  });
});
