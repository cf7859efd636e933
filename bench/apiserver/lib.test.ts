import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ensureServingCerts } from "../../src/api/server/certs.ts";
import { type CpuProfile, summarize } from "./cpuprofile.ts";
import { Client, cpuMs, rssMiB, runPool, stats } from "./lib.ts";

describe("stats", () => {
  test("nearest-rank percentiles over unsorted values", () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    assert.deepEqual(stats(v), { n: 100, p50: 50, p99: 99, max: 100 });
    assert.deepEqual(stats([7]), { n: 1, p50: 7, p99: 7, max: 7 });
    assert.ok(Number.isNaN(stats([]).p50));
  });
});

describe("runPool", () => {
  test("never more than `concurrency` in flight, every task once", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const done = await runPool(50, 4, performance.now() + 10_000, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      seen.push(i);
      inFlight--;
    });
    assert.equal(done, 50);
    assert.equal(peak, 4);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  test("starts nothing after the deadline", async () => {
    const done = await runPool(50, 4, performance.now() - 1, async () => {});
    assert.equal(done, 0);
  });
});

describe("/proc readings", () => {
  test("CPU time grows with work and RSS is plausible", () => {
    const before = cpuMs(process.pid);
    const t = performance.now();
    let x = 0;
    while (performance.now() - t < 60) x += Math.sqrt(x + 1);
    assert.ok(x > 0);
    assert.ok(cpuMs(process.pid) > before, "a 60 ms busy loop shows in utime (10 ms ticks)");
    const rss = rssMiB(process.pid);
    assert.ok(rss > 10 && rss < 4096, `${rss} MiB`);
  });
});

describe("summarize (cpuprofile)", () => {
  // (root) → main → [hot, cold]; samples every 1000 µs from t = 0.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "" }, children: [2, 5] },
      { id: 2, callFrame: { functionName: "main", url: "file:///x/app.js" }, children: [3, 4] },
      { id: 3, callFrame: { functionName: "hot", url: "file:///x/app.js" } },
      { id: 4, callFrame: { functionName: "cold", url: "file:///x/node_modules/dep/index.js" } },
      { id: 5, callFrame: { functionName: "(idle)", url: "" } },
    ],
    startTime: 0,
    samples: [3, 3, 3, 4, 5, 3, 3],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };

  test("self, file and inclusive time; idle left out", () => {
    const s = summarize(profile, 0, 1e9, 10);
    // The last sample has no following delta, so it counts for nothing.
    assert.equal(s.ms, 5);
    assert.deepEqual(s.self, [
      ["hot file:///x/app.js", 4],
      ["cold dep/index.js", 1],
    ]);
    assert.deepEqual(s.files, [
      ["file:///x/app.js", 4],
      ["node_modules/dep", 1],
    ]);
    assert.deepEqual(s.inclusive[0], ["main file:///x/app.js", 5]);
  });

  test("only samples inside the window count", () => {
    // Samples sit at t = 1000 … 7000 µs; [3500, 5500) holds the ones at 4000 (cold) and 5000 (idle).
    const s = summarize(profile, 3500, 5500, 10);
    assert.equal(s.ms, 1);
    assert.deepEqual(s.self, [["cold dep/index.js", 1]]);
  });
});

describe("Client", () => {
  test("a request on a kept-alive socket the server closed while the event loop was blocked is sent again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skiff-bench-client-"));
    let server: ChildProcess | undefined;
    try {
      const certs = await ensureServingCerts(dir, { hosts: [], ips: [] });
      writeFileSync(join(dir, "c.pem"), certs.certPem);
      writeFileSync(join(dir, "k.pem"), certs.keyPem);
      // Another process, so it closes the idle socket while this one's event loop is blocked. Its
      // keep-alive is 2.5 s: Node's agent drops at once a socket whose server announces under 2 s.
      const script = `const https = require("node:https"), fs = require("node:fs");
        const s = https.createServer({ cert: fs.readFileSync(process.argv[1]), key: fs.readFileSync(process.argv[2]), keepAliveTimeout: 2500 },
          (req, res) => res.end(req.method + " " + req.url));
        s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;
      const proc = spawn(process.execPath, ["-e", script, join(dir, "c.pem"), join(dir, "k.pem")]);
      server = proc;
      const port = await new Promise<number>((resolve, reject) => {
        proc.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString())));
        proc.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
      });
      const client = new Client({ host: "127.0.0.1", port, ca: certs.caCertPem, token: "t" }, 1);
      try {
        assert.equal((await client.request("GET", "/a")).body, "GET /a");
        // The agent keeps the socket once the response has been read to its end.
        const deadline = performance.now() + 10_000;
        const free = () => Object.values(client.agent.freeSockets).flat();
        while (free().length === 0 && performance.now() < deadline) await new Promise((r) => setImmediate(r));
        assert.equal(free().length, 1);
        const local = free()[0]?.localPort ?? 0;
        // Blocked as the DNS benchmark blocks on dnsperf: until the kernel has the server's FIN
        // on our socket (CLOSE_WAIT), which this process has not read yet.
        while (!closeWait(local)) {
          if (performance.now() > deadline) throw new Error("the server did not close the idle socket");
        }
        const r = await client.request("POST", "/b", { x: 1 });
        assert.equal(r.body, "POST /b");
      } finally {
        client.close();
      }
    } finally {
      server?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Whether the local TCP port is in CLOSE_WAIT (state 08 in /proc/net/tcp). */
function closeWait(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1]?.endsWith(`:${hex}`) && f[3] === "08";
    });
}
