/** The errors plugin: "RCODE name. TYPE: message" lines and consolidation (plugin/errors). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Logger, PluginError } from "../../plugin.ts";
import { answering, FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { ErrorHandler, goDuration } from "./errors.ts";

function capture(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  return {
    lines,
    log: {
      debug: (m) => lines.push(`D ${m}`),
      info: (m) => lines.push(`I ${m}`),
      warn: (m) => lines.push(`W ${m}`),
      error: (m) => lines.push(`E ${m}`),
    },
  };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setImmediate(r));
  }
}

test("a reported error is logged with rcode, name and type, and its rcode returned", async () => {
  const { lines, log } = capture();
  const h = new ErrorHandler([], log).plugin()(
    answering(0, { throws: new PluginError(2, "no healthy upstreams") }),
  );
  const rc = await h.serveDNS(
    fakeRequest("Example.org", "AAAA"),
    new FakeWriter(),
    new AbortController().signal,
  );
  assert.equal(rc, 2);
  assert.deepEqual(lines, ["E 2 example.org. AAAA: no healthy upstreams"]);
});

test("a plugin that throws before returning is reported the same way, without a promise", () => {
  const { lines, log } = capture();
  const h = new ErrorHandler([], log).plugin()(
    answering(0, { throws: new PluginError(5, "refused here"), sync: true }),
  );
  const rc = h.serveDNS(fakeRequest("a.example", "A"), new FakeWriter(), new AbortController().signal);
  assert.equal(rc, 5);
  assert.deepEqual(lines, ["E 5 a.example. A: refused here"]);
  const ok = new ErrorHandler([], log).plugin()(answering(0, { sync: true }));
  assert.equal(ok.serveDNS(fakeRequest("a.example", "A"), new FakeWriter(), new AbortController().signal), 0);
});

test("consolidate counts matching errors and prints one summary per period", async () => {
  const { lines, log } = capture();
  const eh = new ErrorHandler(
    [{ periodMs: 50, source: "timeout$", re: /timeout$/, level: "warning", showFirst: false }],
    log,
  );
  eh.report("2 a. A: read udp: i/o timeout");
  eh.report("2 b. A: read udp: i/o timeout");
  eh.report("2 c. A: refused");
  assert.deepEqual(lines, ["E 2 c. A: refused"]);
  await until(() => lines.length === 2);
  assert.equal(lines[1], "W 2 errors like 'timeout$' occurred in last 50ms");
});

test("show_first prints the first at once and no summary for a single error", async () => {
  const { lines, log } = capture();
  const eh = new ErrorHandler([{ periodMs: 20, source: "x", re: /x/, level: "error", showFirst: true }], log);
  eh.report("x1");
  assert.deepEqual(lines, ["E x1"]);
  eh.stop();
  assert.deepEqual(lines, ["E x1"]);
});

test("Go duration strings", () => {
  assert.equal(goDuration(30_000), "30s");
  assert.equal(goDuration(300_000), "5m0s");
  assert.equal(goDuration(3_600_000), "1h0m0s");
});
