/**
 * `skiff dns` without V8's background threads (dns-gc.ts): it executes itself again with the
 * flags, keeping its PID, and still serves; SKIFF_DNS_GC=parallel leaves V8's threads.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import dnsPacket from "dns-packet";
import { loadAddon } from "../dns/server/udp-batch.ts";
import { encodeQuery, udpExchange } from "../dns/testing/dig.ts";
import { DNS_THREAD_FLAGS, dnsNodeFlags, reexecArgs, singleThreadedV8 } from "./dns-gc.ts";

const BOTH = ["--single-threaded-gc", "--no-concurrent-recompilation"];

test("the command line again, with the flags before node's own flags and the script", () => {
  assert.deepEqual(
    reexecArgs("/usr/bin/node", ["--import", "tsx"], ["/usr/bin/node", "/x/main.ts", "dns", "-c", "F"], BOTH),
    ["/usr/bin/node", ...BOTH, "--import", "tsx", "/x/main.ts", "dns", "-c", "F"],
  );
});

test("skiff up's DNS child gets the flags on its command line, unless SKIFF_DNS_GC=parallel", () => {
  assert.deepEqual(dnsNodeFlags({}), BOTH);
  assert.deepEqual(dnsNodeFlags({ SKIFF_DNS_GC: "parallel" }), []);
});

test("a flag given for a knob is the user's: only the others are added", () => {
  const knob = (given: string) => DNS_THREAD_FLAGS.filter((f) => !f.knobs.test(given)).map((f) => f.flag);
  assert.deepEqual(knob(""), BOTH);
  assert.deepEqual(knob("--single_threaded_gc"), ["--no-concurrent-recompilation"]);
  assert.deepEqual(knob("--concurrent-recompilation"), ["--single-threaded-gc"]);
  // V8's --single-threaded covers both; --single-threaded-gc alone does not.
  assert.deepEqual(knob("--single-threaded --max-old-space-size=50"), []);
});

test("SKIFF_DNS_GC: parallel keeps V8's threads, another value is an error, execv's failure is told", () => {
  const calls: string[][] = [];
  const fake = (_path: string, argv: string[]) => {
    calls.push(argv);
    return 2; // ENOENT
  };
  assert.deepEqual(singleThreadedV8({ SKIFF_DNS_GC: "parallel" }, fake), {
    reason: "SKIFF_DNS_GC=parallel",
    failed: false,
  });
  assert.equal(calls.length, 0);
  assert.throws(() => singleThreadedV8({ SKIFF_DNS_GC: "one" }, fake), /SKIFF_DNS_GC=one/);
  assert.deepEqual(
    singleThreadedV8({ NODE_OPTIONS: "--single_threaded_gc --concurrent-recompilation" }, fake).failed,
    false,
  );
  assert.equal(calls.length, 0, "both knobs set: nothing to do");
  const r = singleThreadedV8({}, fake);
  assert.equal(r.failed, true);
  assert.match(r.reason, /errno 2/);
  assert.deepEqual(calls[0].slice(1, 3), BOTH);
});

/** `skiff dns` from the sources with a one-zone Corefile; resolves with its UDP port once ready. */
function startDns(env: NodeJS.ProcessEnv, corefile: string): { proc: ChildProcess; port: Promise<number> } {
  const main = join(import.meta.dirname, "main.ts");
  const proc = spawn(process.execPath, ["--import", "tsx", main, "dns", "--corefile", corefile], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "", ...env },
  });
  const port = new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`not ready in 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /dns ready: udp 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${out}`));
    });
  });
  return { proc, port };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const exited = new Promise((r) => proc.once("exit", r));
  process.kill(proc.pid, "SIGTERM");
  await exited;
}

test("skiff dns runs without V8's threads under its own PID and serves; SKIFF_DNS_GC=parallel does not", {
  skip: "addon" in loadAddon() ? false : "the native addon is not built",
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "skiff-dns-gc-"));
  const corefile = join(dir, "Corefile");
  writeFileSync(corefile, "example.org:0 {\n  bind 127.0.0.1\n  whoami\n}\n");
  try {
    for (const [env, want] of [
      [{}, true],
      [{ SKIFF_DNS_GC: "parallel" }, false],
    ] as const) {
      const { proc, port } = startDns(env, corefile);
      try {
        const p = await port;
        const cmdline = readFileSync(`/proc/${proc.pid}/cmdline`, "utf8").split("\0");
        for (const f of BOTH) assert.equal(cmdline.includes(f), want, cmdline.join(" "));
        const reply = await udpExchange(p, encodeQuery("example.org.", "A", 77));
        assert.ok(reply);
        assert.equal(dnsPacket.decode(reply).id, 77);
      } finally {
        await stop(proc);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
