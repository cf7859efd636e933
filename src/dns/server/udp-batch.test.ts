/**
 * The native batched UDP socket (native/udpio) on its own: binding, batches, truncation, async
 * sends, close and descriptors. The Listener over it is in listeners.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import dgram from "node:dgram";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Remote } from "../plugin.ts";
import { addonPath, BatchSocket, loadAddon, udpMode } from "./udp-batch.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const canBuild = process.platform === "linux" && ["python3", "make", "cc"].every(has);
const native = "addon" in loadAddon();

test("on Linux with a C toolchain the addon is built and loads (npm install / npm run check build it)", {
  skip: canBuild ? false : "not Linux, or no python3/make/cc: the dgram path is used",
}, () => {
  const a = loadAddon();
  assert.ok("addon" in a, "reason" in a ? a.reason : "");
  assert.equal(udpMode({}), "native");
});

test("addonPath finds the addon from the sources and from the bundle (dist/)", {
  skip: native ? false : "addon not built",
}, () => {
  const fromSrc = addonPath() ?? "";
  assert.ok(fromSrc.endsWith(join("native", "udpio", "build", "Release", "udpio.node")));
  const root = fromSrc.slice(0, -join("native", "udpio", "build", "Release", "udpio.node").length);
  assert.equal(addonPath(join(root, "dist", "skiff.mjs")), fromSrc);
  assert.equal(addonPath("/nonexistent/dir/file.mjs"), undefined);
});

test("SKIFF_DNS_UDP picks the path; a bad value is an error", () => {
  assert.equal(udpMode({ SKIFF_DNS_UDP: "dgram" }), "dgram");
  assert.throws(() => udpMode({ SKIFF_DNS_UDP: "epoll" }), /expected native, dgram or auto/);
  if (native) assert.equal(udpMode({ SKIFF_DNS_UDP: "native" }), "native");
  else assert.throws(() => udpMode({ SKIFF_DNS_UDP: "native" }), /SKIFF_DNS_UDP=native/);
});

/** An echo server: each datagram answered with "re:" + its bytes, in the batch. */
function echo(host: string, port = 0) {
  const batches: number[] = [];
  const peers: { address: string; port: number; family: string; ipv6: boolean }[] = [];
  const b: BatchSocket = BatchSocket.open(host, port, (n) => {
    batches.push(n);
    for (let i = 0; i < n; i++) {
      peers.push({ ...b.peer(b.addr(i)), ipv6: b.ipv6(i) });
      b.reply(i, Buffer.concat([Buffer.from("re:"), b.query(i)]));
    }
  });
  return { b, batches, peers };
}

/** Send `msgs` from one client socket; resolve with the replies (all of them, or reject). */
async function exchange(
  type: "udp4" | "udp6",
  host: string,
  port: number,
  msgs: string[],
  ms = 2000,
): Promise<{ replies: string[]; local: number }> {
  const c = dgram.createSocket(type);
  await new Promise<void>((r) => c.bind(0, type === "udp4" ? "127.0.0.1" : "::1", () => r()));
  const replies: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${replies.length} of ${msgs.length} replies`)), ms);
      c.on("message", (m) => {
        replies.push(m.toString());
        if (replies.length === msgs.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (const m of msgs) c.send(m, port, host);
    });
    return { replies, local: c.address().port };
  } finally {
    c.close();
  }
}

const fds = () => readdirSync("/proc/self/fd").length;

describe("native batched UDP socket", { skip: native ? false : "addon not built" }, () => {
  test("IPv4: port 0 reports the bound port; the peer is what dgram's rinfo says", async () => {
    const { b, peers } = echo("127.0.0.1");
    try {
      assert.ok(b.port > 0);
      assert.equal(b.family, 4);
      const { replies, local } = await exchange("udp4", "127.0.0.1", b.port, ["hello"]);
      assert.deepEqual(replies, ["re:hello"]);
      assert.deepEqual(peers, [{ address: "127.0.0.1", port: local, family: "IPv4", ipv6: false }]);
    } finally {
      b.close();
    }
  });

  test("IPv6 ::1", async () => {
    const { b, peers } = echo("::1");
    try {
      assert.equal(b.family, 6);
      const { replies, local } = await exchange("udp6", "::1", b.port, ["six"]);
      assert.deepEqual(replies, ["re:six"]);
      assert.deepEqual(peers, [{ address: "::1", port: local, family: "IPv6", ipv6: true }]);
    } finally {
      b.close();
    }
  });

  test('"" is dual-stack: a v4 client is ::ffff:a.b.c.d and not flagged IPv6, as with dgram', async () => {
    const { b, peers } = echo("");
    try {
      assert.equal(b.family, 6);
      const v4 = await exchange("udp4", "127.0.0.1", b.port, ["four"]);
      const v6 = await exchange("udp6", "::1", b.port, ["six"]);
      assert.deepEqual([...v4.replies, ...v6.replies], ["re:four", "re:six"]);
      assert.deepEqual(peers, [
        { address: "::ffff:127.0.0.1", port: v4.local, family: "IPv6", ipv6: false },
        { address: "::1", port: v6.local, family: "IPv6", ipv6: true },
      ]);
    } finally {
      b.close();
    }
  });

  test("a port in use is an Error with code EADDRINUSE, not a crash; a hostname is EINVAL", async () => {
    const blocker = dgram.createSocket("udp4");
    await new Promise<void>((r) => blocker.bind(0, "127.0.0.1", () => r()));
    try {
      const port = blocker.address().port;
      assert.throws(
        () => BatchSocket.open("127.0.0.1", port, () => {}),
        (e: NodeJS.ErrnoException) =>
          e.code === "EADDRINUSE" && /bind EADDRINUSE 127\.0\.0\.1:/.test(e.message),
      );
      assert.throws(
        () => BatchSocket.open("localhost", 0, () => {}),
        (e: NodeJS.ErrnoException) => e.code === "EINVAL",
      );
    } finally {
      blocker.close();
    }
  });

  test("many datagrams from several sockets are all answered, several per batch", async () => {
    const { b, batches } = echo("127.0.0.1");
    try {
      const clients = Array.from({ length: 4 }, (_, c) =>
        exchange(
          "udp4",
          "127.0.0.1",
          b.port,
          Array.from({ length: 50 }, (_, i) => `c${c}-${i}`),
        ),
      );
      const all = await Promise.all(clients);
      for (const [c, { replies }] of all.entries())
        assert.deepEqual(replies.sort(), Array.from({ length: 50 }, (_, i) => `re:c${c}-${i}`).sort());
      assert.equal(
        batches.reduce((a, n) => a + n, 0),
        200,
      );
      assert.ok(Math.max(...batches) > 1, `batches: ${batches}`);
      assert.ok(Math.max(...batches) <= b.batch);
    } finally {
      b.close();
    }
  });

  test("a datagram longer than the slot is flagged truncated, with the slot's bytes", async () => {
    const seen: { len: number; trunc: boolean; head: string }[] = [];
    const b: BatchSocket = BatchSocket.open("127.0.0.1", 0, (n) => {
      for (let i = 0; i < n; i++) {
        const q = b.query(i);
        seen.push({ len: q.length, trunc: b.truncated(i), head: q.subarray(0, 4).toString() });
        b.reply(i, Buffer.from("ok"));
      }
    });
    try {
      await exchange("udp4", "127.0.0.1", b.port, [`big!${"x".repeat(6000)}`, "tiny"]);
      assert.deepEqual(seen, [
        { len: 4096, trunc: true, head: "big!" },
        { len: 4, trunc: false, head: "tiny" },
      ]);
    } finally {
      b.close();
    }
  });

  test("send() replies later, after the batch; a bad destination is counted, not thrown", async () => {
    const later: Buffer[] = [];
    const b: BatchSocket = BatchSocket.open("127.0.0.1", 0, (n) => {
      for (let i = 0; i < n; i++) {
        const q = Buffer.from(b.query(i));
        const addr = b.addr(i);
        later.push(addr);
        setTimeout(() => assert.ok(b.send(Buffer.concat([Buffer.from("late:"), q]), addr)), 20);
      }
    });
    try {
      const { replies } = await exchange("udp4", "127.0.0.1", b.port, ["a", "b"]);
      assert.deepEqual(replies.sort(), ["late:a", "late:b"]);
      // Port 0 is not a destination (sendto fails with EINVAL).
      const bad = Buffer.from(later[0]);
      bad.writeUInt16BE(0, 2);
      const mark = b.failureMark;
      assert.ok(mark >= 0, "the addon keeps a failure mark in the shared buffer");
      assert.ok(b.send(Buffer.from("ok"), later[0]));
      assert.equal(b.failureMark, mark, "a reply sent leaves the mark");
      assert.equal(b.send(Buffer.from("x"), bad), false);
      assert.equal(b.sendErrors, 1);
      assert.equal(b.dropped, 0);
      assert.notEqual(b.failureMark, mark, "a failed reply moves the mark");
    } finally {
      b.close();
    }
    assert.equal(b.send(Buffer.from("x"), later[0]), false, "nothing is sent after close");
  });

  test("replyLater joins the batch while its microtasks run, else sends alone; remote() is rinfo's", async () => {
    const sent: string[] = [];
    const remotes: { address: string; port: number }[] = [];
    const later: Remote[] = [];
    const b: BatchSocket = BatchSocket.open("", 0, (n) => {
      const gen = b.generation;
      for (let i = 0; i < n; i++) {
        const q = b.query(i).toString();
        const addr = b.addr(i);
        remotes.push(b.remote(i, addr));
        later.push(b.remoteLater(i, addr));
        if (q.startsWith("micro")) {
          // Resolved in the microtask checkpoint after the callback: still in the batch.
          void Promise.resolve().then(() => {
            const inBatch = b.generation === gen;
            sent.push(`${q}:${inBatch}`);
            assert.ok(b.replyLater(i, gen, Buffer.from(`re:${q}`), addr));
          });
        } else {
          setTimeout(() => {
            sent.push(`${q}:${b.generation === gen}`);
            assert.ok(b.replyLater(i, gen, Buffer.from(`re:${q}`), addr));
          }, 10);
        }
      }
    });
    try {
      const v4 = await exchange("udp4", "127.0.0.1", b.port, ["micro4", "timer4"]);
      const v6 = await exchange("udp6", "::1", b.port, ["micro6"]);
      assert.deepEqual(v4.replies.sort(), ["re:micro4", "re:timer4"]);
      assert.deepEqual(v6.replies, ["re:micro6"]);
      assert.ok(sent.includes("micro4:true") && sent.includes("micro6:true"), `${sent}`);
      // A v4 client of the dual-stack socket is its plain v4 address (dgram's ::ffff: form cut).
      assert.deepEqual(remotes, [
        { address: "127.0.0.1", port: v4.local },
        { address: "127.0.0.1", port: v4.local },
        { address: "::1", port: v6.local },
      ]);
      // Read after their batches were overwritten: the same, from the copied address bytes.
      assert.deepEqual(
        later.map((r) => ({ address: r.address, port: r.port, family: r.family })),
        [
          { address: "127.0.0.1", port: v4.local, family: "IPv4" },
          { address: "127.0.0.1", port: v4.local, family: "IPv4" },
          { address: "::1", port: v6.local, family: "IPv6" },
        ],
      );
    } finally {
      b.close();
    }
  });

  test("close() inside the batch callback stops the batch and frees the port", async () => {
    let port = 0;
    const b: BatchSocket = BatchSocket.open("127.0.0.1", 0, (n) => {
      for (let i = 0; i < n; i++) b.reply(i, Buffer.from("never"));
      b.close();
    });
    port = b.port;
    const c = dgram.createSocket("udp4");
    let got = 0;
    c.on("message", () => got++);
    c.send("x", port, "127.0.0.1");
    // Once the port can be bound again, the callback ran and closed the socket.
    const deadline = Date.now() + 2000;
    let again: BatchSocket | undefined;
    while (!again && Date.now() < deadline) {
      try {
        again = BatchSocket.open("127.0.0.1", port, () => {});
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    assert.ok(again, "the port was freed");
    again.close();
    c.close();
    assert.equal(got, 0, "the batch's replies were not sent after close");
  });

  test("close() releases the port and the descriptor; no fd leak over many sockets", async () => {
    const before = fds();
    for (let i = 0; i < 50; i++) {
      const { b } = echo(i % 2 === 0 ? "127.0.0.1" : "");
      const port = b.port;
      b.close();
      b.close(); // idempotent
      // The same port binds again at once, natively and with dgram.
      BatchSocket.open(i % 2 === 0 ? "127.0.0.1" : "", port, () => {}).close();
      const d = dgram.createSocket("udp4");
      await new Promise<void>((r) => d.bind(port, "127.0.0.1", () => r()));
      await new Promise<void>((r) => d.close(() => r()));
    }
    assert.equal(fds(), before);
  });

  test("closed, dropped sockets give their shared buffers back to the GC (no reference leak)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setImmediate(r));
      }
      return process.memoryUsage().arrayBuffers;
    };
    const before = await settle();
    // Each socket's shared buffer is about 0.5 MB: 200 leaked ones would be about 100 MB.
    for (let i = 0; i < 200; i++) BatchSocket.open("127.0.0.1", 0, () => {}).close();
    const after = await settle();
    assert.ok(after - before < 20e6, `array buffers grew by ${((after - before) / 1e6).toFixed(1)} MB`);
  });
});
