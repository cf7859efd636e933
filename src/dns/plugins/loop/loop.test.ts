/**
 * loop (CoreDNS plugin/loop: loop.go, loop_test.go, setup.go): counting the probe, the fatal
 * message, and a real forwarding loop stopping the process.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startDNS } from "../../index.ts";
import { answering, FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { startStub } from "../forward/stub.ts";
import { Loop, probeName } from "./loop.ts";

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = dgram.createSocket("udp4");
    s.bind(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function loopWith(zone: string) {
  const fatals: string[] = [];
  const l = new Loop(zone, (m) => fatals.push(m));
  l.next = answering(0);
  l.addr = "127.0.0.1:1053";
  return { l, fatals };
}

const serve = (l: Loop, name: string, type: "A" | "HINFO" = "HINFO") =>
  l.serveDNS(fakeRequest(name, type), new FakeWriter(), new AbortController().signal);

test("the probe name is two random numbers under the zone", () => {
  assert.match(probeName("."), /^\d+\.\d+\.$/);
  assert.match(probeName("example.org."), /^\d+\.\d+\.example\.org\.$/);
  assert.notEqual(probeName("."), probeName("."));
});

test("only HINFO queries for the probe name count; other queries pass", async () => {
  const { l } = loopWith(".");
  assert.equal(await serve(l, "example.org.", "A"), 0);
  assert.equal(await serve(l, "example.org."), 0);
  assert.equal(l.count, 0);
  await serve(l, l.qname);
  assert.equal(l.count, 1);
  const other = loopWith("example.org.");
  other.l.qname = "1.2.example.org.";
  await serve(other.l, "1.2.example.com.");
  assert.equal(other.l.count, 0, "outside the zone");
});

test("seen more than twice is fatal with CoreDNS's message", async () => {
  const { l, fatals } = loopWith(".");
  await serve(l, l.qname);
  await serve(l, l.qname);
  assert.deepEqual(fatals, []);
  await serve(l, l.qname);
  assert.deepEqual(fatals, [
    `Loop (10.1.2.3:40000 -> 127.0.0.1:1053) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${l.qname}"`,
  ]);
});

test("a disabled loop counts nothing", async () => {
  const { l, fatals } = loopWith(".");
  l.disable();
  for (let i = 0; i < 4; i++) await serve(l, l.qname);
  assert.equal(l.count, 0);
  assert.deepEqual(fatals, []);
});

test("setup: no arguments, once per block", async () => {
  await assert.rejects(startDNS({ corefile: ". {\n  loop x\n}\n", defaultPort: 0, log: () => {} }), {
    message: /Wrong argument count or unexpected line ending after 'x'/,
  });
  await assert.rejects(startDNS({ corefile: ". {\n  loop\n  loop\n}\n", defaultPort: 0, log: () => {} }), {
    message: /this plugin can only be used once per Server Block/,
  });
});

test("without a loop the probe reaches the upstream once and the server keeps serving", async () => {
  const up = await startStub();
  cleanups.push(() => up.stop());
  const port = await freePort();
  const dns = await startDNS({
    corefile: `.:${port} {\n  loop\n  forward . 127.0.0.1:${up.port}\n}\n`,
    defaultHost: "127.0.0.1",
    log: () => {},
  });
  cleanups.push(() => dns.stop());
  const deadline = Date.now() + 5000;
  while (!up.queries.some((q) => q.msg.questions?.[0].type === "HINFO")) {
    assert.ok(Date.now() < deadline, "probe seen upstream");
    await new Promise((r) => setTimeout(r, 10));
  }
  const probe = up.queries.find((q) => q.msg.questions?.[0].type === "HINFO")!;
  assert.match(probe.msg.questions![0].name, /^\d+\.\d+$/);
  assert.equal(up.queries.filter((q) => q.msg.questions?.[0].type === "HINFO").length, 1);
});

/** Run `code` (an ES module) in a child process; its exit status and everything it printed. */
async function runChild(code: string): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b) => {
    out += b;
  });
  child.stderr.on("data", (b) => {
    out += b;
  });
  const status = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return { status, out };
}

const index = fileURLToPath(new URL("../../index.ts", import.meta.url));

/** CoreDNS's message, logged with log.Fatalf (plugin/loop/loop.go): "[FATAL] plugin/loop: …". */
const fatalLine = (to: string) =>
  new RegExp(
    `\\[FATAL\\] plugin/loop: Loop \\(127\\.0\\.0\\.1:\\d+ -> ${to.replaceAll(".", "\\.")}\\) detected for zone "\\.", see https://coredns\\.io/plugins/loop#troubleshooting\\. Query: "HINFO \\d+\\.\\d+\\."`,
  );

test("forwarding to itself stops the process with the loop message", async () => {
  const port = await freePort();
  const { status, out } = await runChild(`
    import { startDNS } from ${JSON.stringify(index)};
    await startDNS({ corefile: ".:${port} {\\n  loop\\n  forward . 127.0.0.1:${port}\\n}\\n", defaultHost: "127.0.0.1" });
    setTimeout(() => { console.log("still running"); process.exit(3); }, 8000);
  `);
  // log.Fatalf exits with status 1.
  assert.equal(status, 1, out);
  assert.match(out, fatalLine(`127.0.0.1:${port}`));
});

test("on port 0 the probe goes to the port the server bound: a loop back to it is fatal", async () => {
  // The upstream relays every query back to the server, wherever it listens (an upstream that
  // forwards back, README troubleshooting); the server's port is only known once it is bound.
  const { status, out } = await runChild(`
    import dgram from "node:dgram";
    import { startDNS } from ${JSON.stringify(index)};
    let target = 0;
    const relay = dgram.createSocket("udp4");
    relay.on("message", (buf, rinfo) => {
      if (target && rinfo.port !== target) relay.send(buf, target, "127.0.0.1");
    });
    await new Promise((r) => relay.bind(0, "127.0.0.1", r));
    const up = relay.address().port;
    const dns = await startDNS({ corefile: ".:0 {\\n  loop\\n  forward . 127.0.0.1:" + up + "\\n}\\n", defaultHost: "127.0.0.1" });
    target = dns.addresses[0].port;
    console.log("bound " + target);
    setTimeout(() => { console.log("still running"); process.exit(3); }, 9000);
  `);
  assert.equal(status, 1, out);
  const bound = /bound (\d+)/.exec(out)?.[1];
  assert.ok(bound, out);
  assert.match(out, fatalLine(`127.0.0.1:${bound}`));
});
