/**
 * startDNS as a whole: errors before anything is served, reload that binds the new config
 * before dropping the old (a broken one keeps the old), graceful stop.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { test } from "node:test";
import { makeLogger, startDNS } from "./index.ts";
import { replyTo } from "./message/message.ts";
import { freeDnsPort } from "./plugins/health/testing.ts";
import { dig } from "./testing/dig.ts";

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.once("error", () => resolve(false));
    s.bind(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

const quiet = { defaultHost: "127.0.0.1", log: () => {} };

test("an unknown directive is an error with its line, and nothing is served", async () => {
  const port = await freeDnsPort();
  await assert.rejects(startDNS({ ...quiet, corefile: `.:${port} {\n  whoami\n  foo\n}\n` }), {
    message: "Corefile:3 - Error during parsing: Unknown directive 'foo'",
  });
  assert.ok(await canBind(port));
});

test("a bad option is the plugin's error with its line (plugin.Error)", async () => {
  await assert.rejects(startDNS({ ...quiet, defaultPort: 0, corefile: ". {\n  whoami extra\n}\n" }), {
    message:
      "plugin/whoami: Corefile:2 - Error during parsing: Wrong argument count or unexpected line ending after 'extra'",
  });
  await assert.rejects(
    startDNS({
      ...quiet,
      defaultPort: 0,
      corefile: ". {\n  log {\n    colour red\n  }\n}\n",
      corefilePath: "/etc/coredns/Corefile",
    }),
    { message: "plugin/log: /etc/coredns/Corefile:3 - Error during parsing: unknown property 'colour'" },
  );
});

test("the same zone twice on one port is an error (CoreDNS's words)", async () => {
  const port = await freeDnsPort();
  await assert.rejects(
    startDNS({
      ...quiet,
      corefile: `example.org:${port} {\n whoami\n}\nexample.org:${port} {\n whoami\n}\n`,
    }),
    { message: `cannot serve dns://example.org.:${port} - it is already defined` },
  );
});

test("several zones and ports; the most specific zone wins", async () => {
  const [p1, p2] = [await freeDnsPort(), await freeDnsPort()];
  const lines: string[] = [];
  const dns = await startDNS({
    ...quiet,
    log: (l) => lines.push(l),
    corefile: `.:${p1} {\n whoami\n}\nsub.example.org:${p1} {\n whoami\n log\n}\nexample.org:${p2} 10.0.0.0/24:${p2} {\n whoami\n}\n`,
  });
  try {
    assert.match(await dig(p1, "a.sub.example.org", "A"), /status: NOERROR/);
    assert.ok(
      lines.some((l) => l.includes('"A IN a.sub.example.org. udp')),
      "logged by the sub.example.org block",
    );
    const before = lines.length;
    assert.match(await dig(p1, "other.org", "A"), /status: NOERROR/);
    assert.equal(lines.length, before, "the root block has no log");
    assert.match(await dig(p2, "-x", "10.0.0.7"), /status: NOERROR/);
    assert.match(await dig(p2, "-x", "10.0.1.7"), /status: REFUSED/);
    assert.match(await dig(p2, "other.org", "A"), /status: REFUSED/);
  } finally {
    await dns.stop();
  }
  assert.ok(await canBind(p1));
  assert.ok(await canBind(p2));
});

test("reload swaps configs on the same port; a broken Corefile keeps the old one", async () => {
  const port = await freeDnsPort();
  const dns = await startDNS({ ...quiet, corefile: `example.org:${port} {\n whoami\n}\n` });
  try {
    assert.match(await dig(port, "example.org", "A"), /status: NOERROR/);
    assert.match(await dig(port, "example.net", "A"), /status: REFUSED/);
    await assert.rejects(
      dns.reload(`example.net:${port} {\n whoami\n bogus\n}\n`),
      /Unknown directive 'bogus'/,
    );
    assert.match(await dig(port, "example.org", "A"), /status: NOERROR/);
    await dns.reload(`example.net:${port} {\n whoami\n}\n`);
    assert.match(await dig(port, "example.net", "A"), /status: NOERROR/);
    assert.match(await dig(port, "example.org", "A"), /status: REFUSED/);
    // Moving to another port binds the new one and frees the old.
    const other = await freeDnsPort();
    await dns.reload(`example.net:${other} {\n whoami\n}\n`);
    assert.match(await dig(other, "example.net", "A"), /status: NOERROR/);
    assert.ok(await canBind(port));
  } finally {
    await dns.stop();
  }
});

test("a reload whose port is taken fails and the old config keeps serving", async () => {
  const port = await freeDnsPort();
  const blocker = dgram.createSocket("udp4");
  await new Promise<void>((r) => blocker.bind(0, "127.0.0.1", () => r()));
  const taken = blocker.address().port;
  const dns = await startDNS({ ...quiet, corefile: `.:${port} {\n whoami\n}\n` });
  try {
    await assert.rejects(dns.reload(`.:${port} {\n whoami\n}\n.:${taken} {\n whoami\n}\n`), /listen udp/);
    assert.match(await dig(port, "example.org", "A"), /status: NOERROR/);
  } finally {
    await dns.stop();
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

test("stop() via the abort signal frees the ports", async () => {
  const port = await freeDnsPort();
  const ac = new AbortController();
  const dns = await startDNS({ ...quiet, corefile: `.:${port} {\n whoami\n}\n`, signal: ac.signal });
  assert.equal(await canBind(port), false);
  ac.abort();
  await dns.stop();
  assert.ok(await canBind(port));
});

test("stop() lets an in-flight query finish before closing", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let entered = false;
  const slow = {
    name: "slow",
    setup(ctx: import("./plugin.ts").SetupContext) {
      ctx.dispenser.next();
      const p: import("./plugin.ts").Plugin = () => ({
        name: "slow",
        async serveDNS(req, w) {
          entered = true;
          await gate;
          w.write(replyTo(req.msg));
          return 0;
        },
      });
      return p;
    },
  };
  const dns = await startDNS({ ...quiet, defaultPort: 0, corefile: ". {\n slow\n}\n", plugins: [slow] });
  const port = dns.addresses[0].port;
  const answer = dig(port, "example.org", "A");
  const end = Date.now() + 2000;
  while (!entered && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  assert.ok(entered);
  const stopped = dns.stop();
  release();
  await stopped;
  assert.match(await answer, /status: NOERROR/);
});

test("fatal logs [FATAL] with the prefix and exits with status 1 (CoreDNS's log.Fatal)", () => {
  const lines: string[] = [];
  const codes: number[] = [];
  const exit = (code: number): never => {
    codes.push(code);
    throw new Error("exited");
  };
  const log = makeLogger((l) => lines.push(l), false, exit)("plugin/loop: ");
  assert.ok(log.fatal);
  assert.throws(() => log.fatal?.("boom"), /exited/);
  assert.deepEqual(lines, ["[FATAL] plugin/loop: boom"]);
  assert.deepEqual(codes, [1]);
});

test("SetupContext.listening: empty at setup, the bound addresses (port 0 resolved) at startup", async () => {
  const seen: { setup?: number; startup?: Array<{ proto: string; host: string; port: number }> } = {};
  const probe = {
    name: "probe",
    setup(ctx: import("./plugin.ts").SetupContext) {
      ctx.dispenser.next();
      seen.setup = ctx.listening().length;
      ctx.onStartup(() => {
        seen.startup = ctx.listening().map((a) => ({ ...a }));
      });
      return undefined;
    },
  };
  const dns = await startDNS({
    ...quiet,
    defaultPort: 0,
    corefile: ". {\n probe\n whoami\n}\n",
    plugins: [probe],
  });
  try {
    const port = dns.addresses[0].port;
    assert.notEqual(port, 0);
    assert.equal(seen.setup, 0);
    assert.deepEqual(seen.startup, [
      { proto: "udp", host: "127.0.0.1", port },
      { proto: "tcp", host: "127.0.0.1", port },
    ]);
  } finally {
    await dns.stop();
  }
});
