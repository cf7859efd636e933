/** The log plugin's lines and class selection, as plugin/log and plugin/pkg/replacer do them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "../../plugin.ts";
import { answering, FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { COMMON_LOG_FORMAT, compile, logPlugin, type Rule } from "./log.ts";

function capture(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, log: { debug: push, info: push, warn: push, error: push } };
}

const rule = (scope: string, classes: string[] = [], format = COMMON_LOG_FORMAT): Rule => ({
  scope,
  format,
  classes: new Set(classes) as Rule["classes"],
});

test("common log format line", async () => {
  const { lines, log } = capture();
  const h = logPlugin([rule(".")], log)(answering(0, { answers: 1 }));
  await h.serveDNS(fakeRequest("Example.org", "A"), new FakeWriter(), new AbortController().signal);
  assert.equal(lines.length, 1);
  // 10.1.2.3:40000 - 1234 "A IN example.org. udp 29 false 512" NOERROR qr,aa,rd 45 0.0001s
  assert.match(
    lines[0],
    /^10\.1\.2\.3:40000 - 1234 "A IN example\.org\. udp 29 false 512" NOERROR qr,aa,rd \d+ \d+(\.\d+)?s$/,
  );
});

test("IPv6 clients are bracketed; custom formats keep unknown text", async () => {
  const { lines, log } = capture();
  const h = logPlugin(
    [rule(".", [], "{remote} {proto} Request: {name} {type} {>id} {nope} {/meta}")],
    log,
  )(answering(0));
  const req = fakeRequest("a.org", "AAAA", { remote: { address: "::1", port: 5, family: "IPv6" } });
  await h.serveDNS(req, new FakeWriter(), new AbortController().signal);
  assert.deepEqual(lines, ["[::1] udp Request: a.org. AAAA 1234 {nope} -"]);
});

test("classes: denial logs NXDOMAIN and not success; error logs what the server answers", async () => {
  const { lines, log } = capture();
  const signal = new AbortController().signal;
  await logPlugin(
    [rule(".", ["denial"])],
    log,
  )(answering(3)).serveDNS(fakeRequest("x.org"), new FakeWriter(), signal);
  await logPlugin(
    [rule(".", ["denial"])],
    log,
  )(answering(0, { answers: 1 })).serveDNS(fakeRequest("y.org"), new FakeWriter(), signal);
  await logPlugin(
    [rule(".", ["error"])],
    log,
  )(answering(2)).serveDNS(fakeRequest("z.org"), new FakeWriter(), signal);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /"A IN x\.org\. .*" NXDOMAIN /);
  assert.match(lines[1], /"A IN z\.org\. .*" SERVFAIL qr,rd 0 /);
});

test("only names under a rule's scope are logged", async () => {
  const { lines, log } = capture();
  const h = logPlugin([rule("example.org.")], log)(answering(0));
  const signal = new AbortController().signal;
  await h.serveDNS(fakeRequest("a.example.org"), new FakeWriter(), signal);
  await h.serveDNS(fakeRequest("notexample.org"), new FakeWriter(), signal);
  assert.equal(lines.length, 1);
});

test("format parsing handles stray braces like replacer.parseFormat", () => {
  const f = compile("A } {type} {{name}}");
  const out = f(fakeRequest("a.org"), { msg: false, rcode: 0, flags: 0, size: 0, start: 0 });
  assert.equal(out, "A } A {a.org.}");
});
