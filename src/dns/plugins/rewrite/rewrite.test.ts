/**
 * rewrite: request rules and the answer rewriting that lets clients see their own names
 * (plugin/rewrite README, name_test.go, rewrite_test.go), end to end with dig and in unit tests.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Packet, RecordType } from "dns-packet";
import { startDNS } from "../../index.ts";
import type { Handler, PluginModule, Request } from "../../plugin.ts";
import { dig } from "../../testing/dig.ts";
import { FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { freeDnsPort } from "../health/testing.ts";
import { rewrite } from "./rewrite.ts";
import { newRule } from "./rules.ts";

/** Answers every question with an A record at the name asked, and remembers what it saw. */
function echo(seen: string[]): Handler {
  return {
    name: "echo",
    async serveDNS(req, w) {
      seen.push(`${req.name} ${req.qtype} ${req.qclass}`);
      if (req.name.startsWith("fail.")) return 2;
      const answers: Packet["answers"] = [{ name: req.name, type: "A", ttl: 5, data: "10.0.0.1" }];
      if (req.qtype === "SRV") {
        answers.push({
          name: req.name,
          type: "SRV",
          ttl: 5,
          data: { priority: 0, weight: 0, port: 80, target: req.name },
        });
      }
      w.write({ id: req.msg.id, type: "response", flags: 0x8400, questions: req.msg.questions, answers });
      return 0;
    },
  };
}

async function run(
  lines: string[][],
  req: Request,
): Promise<{ seen: string[]; msg: Packet | undefined; rcode: number }> {
  const seen: string[] = [];
  const h = rewrite(lines.map((l) => newRule(l)))(echo(seen));
  const w = new FakeWriter();
  const rcode = await h.serveDNS(req, w, new AbortController().signal);
  return { seen, msg: w.msgs[0], rcode };
}

test("exact: the backend sees the new name; the client its own, in question and answer", async () => {
  const r = await run([["name", "a.example.org", "b.example.net"]], fakeRequest("A.Example.org", "A"));
  assert.deepEqual(r.seen, ["b.example.net. A IN"]);
  // dns-packet keeps question names without the final dot.
  assert.equal(r.msg?.questions?.[0].name, "A.Example.org");
  assert.equal(r.msg?.answers?.[0].name, "a.example.org.");
});

test("prefix and substring normalise to labels (name_test.go)", async () => {
  let r = await run([["name", "prefix", "foo", "bar"]], fakeRequest("foo.example.com", "A"));
  assert.deepEqual(r.seen, ["bar.example.com. A IN"]);
  r = await run([["name", "prefix", "foo", "bar"]], fakeRequest("coredns.foo", "A"));
  assert.deepEqual(r.seen, ["coredns.foo. A IN"]);
  // Without answer auto the answer keeps the rewritten name; the question is restored (stop).
  r = await run(
    [["name", "substring", "service.us-west-1.example.org", "service.us-west-1.consul"]],
    fakeRequest("ftp.service.us-west-1.example.org"),
  );
  assert.deepEqual(r.seen, ["ftp.service.us-west-1.consul. A IN"]);
  assert.equal(r.msg?.questions?.[0].name, "ftp.service.us-west-1.example.org");
  assert.equal(r.msg?.answers?.[0].name, "ftp.service.us-west-1.consul.");
  r = await run([["name", "substring", "a.b", "c", "answer", "auto"]], fakeRequest("x.a.b.org"));
  assert.equal(r.msg?.answers?.[0].name, "x.a.b.org.");
});

test("regex with an explicit answer name rule (README: Explicit Response Name Rewrite)", async () => {
  const r = await run(
    [
      [
        "stop",
        "name",
        "regex",
        "(.*)-(us-west-1)\\.coredns\\.rocks",
        "{1}.service.{2}.consul",
        "answer",
        "name",
        "(.*)\\.service\\.(us-west-1)\\.consul",
        "{1}-{2}.coredns.rocks",
      ],
    ],
    fakeRequest("ftp-us-west-1.coredns.rocks"),
  );
  assert.deepEqual(r.seen, ["ftp.service.us-west-1.consul. A IN"]);
  assert.equal(r.msg?.answers?.[0].name, "ftp-us-west-1.coredns.rocks.");
});

test("suffix with answer auto rewrites names and values back", async () => {
  const r = await run(
    [["name", "suffix", ".coredns.rocks", ".service.consul", "answer", "auto"]],
    fakeRequest("_http._tcp.web.coredns.rocks", "SRV"),
  );
  assert.deepEqual(r.seen, ["_http._tcp.web.service.consul. SRV IN"]);
  const srv = r.msg?.answers?.[1];
  assert.equal(srv?.name, "_http._tcp.web.coredns.rocks.");
  assert.equal(srv?.type === "SRV" ? srv.data.target : "", "_http._tcp.web.coredns.rocks.");
});

test("type rule; continue without response rules leaves the question rewritten", async () => {
  let r = await run([["type", "ANY", "HINFO"]], fakeRequest("x.org", "ANY" as RecordType));
  assert.deepEqual(r.seen, ["x.org. HINFO IN"]);
  assert.equal(r.msg?.questions?.[0].type, "ANY");
  r = await run([["continue", "type", "AAAA", "A"]], fakeRequest("x.org", "AAAA"));
  assert.equal(r.msg?.questions?.[0].type, "A");
  // Rules run in order; continue lets the next one match the rewritten question.
  r = await run(
    [
      ["continue", "name", "a.org", "b.org"],
      ["name", "b.org", "c.org"],
    ],
    fakeRequest("a.org"),
  );
  assert.deepEqual(r.seen, ["c.org. A IN"]);
  assert.equal(r.msg?.answers?.[0].name, "a.org.");
});

test("an invalid name after rewrite is SERVFAIL; a backend SERVFAIL is written with the original question", async () => {
  const long = `${"x".repeat(70)}.org`;
  await assert.rejects(run([["name", "regex", "(.*)", `${long}`]], fakeRequest("a.org")), {
    name: "PluginError",
    message: `invalid name after rewrite: ${long}.`,
  });
  const r = await run([["name", "a.org", "fail.org"]], fakeRequest("a.org"));
  assert.equal(r.rcode, 0);
  assert.equal(r.msg?.questions?.[0].name, "a.org");
  assert.equal((r.msg?.flags ?? 0) & 0xf, 2);
});

test("setup errors in CoreDNS's words", () => {
  const cases: Array<[string[], RegExp]> = [
    [["answer", "name", "a", "b"], /response rewrites must begin with a name rule/],
    [["type", "ANY"], /type rules must have exactly two arguments/],
    [["type", "ANY", "BOGUS"], /invalid type "BOGUS"/],
    [["class", "XX", "IN"], /invalid class "XX"/],
    [["name", "a"], /too few arguments for a name rule/],
    [["name", "fuzzy", "a", "b"], /received: fuzzy/],
    [["name", "regex", "(a", "b"], /invalid regex matching pattern: \(a/],
    [["name", "regex", "a", "{1}"], /uses more subexpressions/],
    [["name", "exact", "a", "b", "auto", "x"], /exceeded the number of arguments/],
    [["name", "regex", "(a)", "b", "answer", "auto", "answer", "name", "x", "y"], /cannot be combined/],
    [["edns0", "local", "set", "0xffee", "abcd"], /rewrite edns0 rules are not supported by Skiff/],
    [["foo", "a", "b"], /invalid rule type "foo"/],
    [["name", "exact", "a", "b", "auto"], /invalid arguments for exact rule/],
    [["stop"], /stop rule must begin with a rule type/],
  ];
  for (const [args, message] of cases) assert.throws(() => newRule(args), { message }, args.join(" "));
});

const echoModule: PluginModule = {
  name: "echo",
  setup(ctx) {
    ctx.dispenser.next();
    return () => echo([]);
  },
};

test("dig: the client sees its own name over UDP and TCP; block syntax", async () => {
  const port = await freeDnsPort();
  const dns = await startDNS({
    defaultHost: "127.0.0.1",
    defaultPort: port,
    log: () => {},
    plugins: [echoModule],
    corefile: `. {
  rewrite stop {
    name regex (.*)-(us-west-1)\\.coredns\\.rocks {1}.service.{2}.consul
    answer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.coredns.rocks
  }
  rewrite name exact red.example.org blue.example.org
  echo
}
`,
  });
  try {
    let out = await dig(port, "ftp-us-west-1.coredns.rocks", "A");
    assert.match(out, /;ftp-us-west-1\.coredns\.rocks\.\s+IN\s+A/);
    assert.match(out, /^ftp-us-west-1\.coredns\.rocks\.\s+5\s+IN\s+A\s+10\.0\.0\.1$/m);
    assert.doesNotMatch(out, /consul|mismatch/i);
    out = await dig(port, "red.example.org", "A", "+tcp");
    assert.match(out, /^red\.example\.org\.\s+5\s+IN\s+A\s+10\.0\.0\.1$/m);
    assert.doesNotMatch(out, /blue/);
  } finally {
    await dns.stop();
  }
});
