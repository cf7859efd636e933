/** Shared pieces of the apiserver benchmarks: processes, an HTTPS keep-alive client, statistics. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import https from "node:https";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { removeDir, skiffBin, tempDir } from "../../test/e2e/harness.ts";

export const benchDir = new URL(".", import.meta.url).pathname;

/** Every bench phase stops at this deadline and reports what it managed. */
export const phaseDeadlineMs = 60_000;

export interface Endpoint {
  host: string;
  port: number;
  ca: string;
  token: string;
}

/** A process the bench started: it is always stopped by its own PID. */
export interface Proc {
  pid: number;
  stop(): Promise<void>;
}

function waitForLine(
  proc: ChildProcess,
  re: RegExp,
  timeoutMs: number,
  what: string,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`${what} not ready within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before ready:\n${out}`));
    });
  });
}

/** Stop a child by its PID: SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
export function stopper(proc: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return async () => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
    process.kill(proc.pid, "SIGTERM");
    const t = setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined)
        process.kill(proc.pid, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(t);
  };
}

export interface Apiserver extends Proc {
  endpoint: Endpoint;
  dataDir: string;
}

/**
 * A fresh `skiff apiserver` on a temp data dir (SQLite store unless told), loopback only.
 * cpuProfDir: run it under `node --cpu-prof` from the TypeScript sources (not the bundle
 * bin/skiff.js may pick), so frames name their src/ files; the profile is written when it stops.
 */
export async function startApiserver(opts: { store?: string; cpuProfDir?: string } = {}): Promise<Apiserver> {
  const dataDir = tempDir("skiff-bench-");
  const entry = opts.cpuProfDir
    ? [
        "--cpu-prof",
        "--cpu-prof-dir",
        opts.cpuProfDir,
        "--import",
        "tsx",
        join(benchDir, "../../src/cli/main.ts"),
      ]
    : [skiffBin];
  const proc = spawn(
    process.execPath,
    [
      ...entry,
      "apiserver",
      "--port",
      "0",
      "--bind-address",
      "127.0.0.1",
      "--data-dir",
      dataDir,
      "--store",
      opts.store ?? "sqlite",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const stop = stopper(proc);
  try {
    const m = await waitForLine(
      proc,
      /^kubeconfig: (.+)$[\s\S]*ready at https:\/\/127\.0\.0\.1:(\d+)/m,
      60_000,
      "apiserver",
    );
    const endpoint = endpointFromKubeconfig(m[1].trim());
    return {
      pid: proc.pid ?? 0,
      endpoint,
      dataDir,
      async stop() {
        await stop();
        removeDir(dataDir);
      },
    };
  } catch (e) {
    await stop();
    removeDir(dataDir);
    throw e;
  }
}

export function endpointFromKubeconfig(path: string): Endpoint {
  const kc = parseYaml(readFileSync(path, "utf8")) as {
    clusters: Array<{ cluster: { server: string; "certificate-authority-data"?: string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const server = new URL(kc.clusters[0].cluster.server);
  return {
    host: server.hostname,
    port: Number(server.port),
    ca: Buffer.from(kc.clusters[0].cluster["certificate-authority-data"] ?? "", "base64").toString(),
    token: kc.users[0].user.token,
  };
}

export interface Peer extends Proc {
  endpoint: Endpoint;
}

/**
 * The bare Node HTTPS ceiling (peer-https.ts) in its own process, serving with the apiserver's
 * own certificate so TLS costs the same. routesFile: see peer-https.ts.
 */
export async function startPeer(apiserverDataDir: string, ca: string, routesFile?: string): Promise<Peer> {
  const pki = join(apiserverDataDir, "pki");
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(benchDir, "peer-https.ts"),
      join(pki, "apiserver.crt"),
      join(pki, "apiserver.key"),
      ...(routesFile ? [routesFile] : []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const stop = stopper(proc);
  try {
    const m = await waitForLine(proc, /peer ready at https:\/\/127\.0\.0\.1:(\d+)/, 30_000, "peer");
    return {
      pid: proc.pid ?? 0,
      endpoint: { host: "127.0.0.1", port: Number(m[1]), ca, token: "peer" },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface Response {
  status: number;
  body: string;
  ms: number;
}

/** An HTTPS client with a keep-alive Agent, bearer token and timing per request. */
export class Client {
  readonly agent: https.Agent;
  constructor(
    readonly ep: Endpoint,
    maxSockets = 64,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: ep.ca });
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const h: Record<string, string> = {
      Authorization: `Bearer ${this.ep.token}`,
      Accept: "application/json",
      ...headers,
    };
    if (data !== undefined) h["Content-Type"] = "application/json";
    return this.send(method, path, data, h, true);
  }

  /**
   * A request that failed on a kept-alive socket before any response (the server had closed it
   * while idle: the benchmarks block the event loop on dnsperf longer than the server's
   * keep-alive) is sent once more on a new socket, as Node's docs advise (`reusedSocket`).
   */
  private send(
    method: string,
    path: string,
    data: string | undefined,
    h: Record<string, string>,
    retry: boolean,
  ): Promise<Response> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = https.request(
        { method, hostname: this.ep.host, port: this.ep.port, path, agent: this.agent, headers: h },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString("utf8"),
              ms: performance.now() - t0,
            }),
          );
          res.on("error", reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (retry && req.reusedSocket && err.code === "ECONNRESET") {
          this.send(method, path, data, h, false).then(resolve, reject);
        } else reject(err);
      });
      req.end(data);
    });
  }

  /** A streaming GET (a watch): lines to onLine; resolves `connected` once headers arrive. */
  stream(path: string, onLine: (line: string) => void): { connected: Promise<number>; close(): void } {
    let req: ReturnType<typeof https.request> | undefined;
    const connected = new Promise<number>((resolve, reject) => {
      req = https.request(
        {
          method: "GET",
          hostname: this.ep.host,
          port: this.ep.port,
          path,
          agent: this.agent,
          headers: { Authorization: `Bearer ${this.ep.token}`, Accept: "application/json" },
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          let buf = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            buf += d;
            let i = buf.indexOf("\n");
            while (i >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              if (line.trim()) onLine(line);
              i = buf.indexOf("\n");
            }
          });
          res.on("error", () => {});
        },
      );
      req.on("error", reject);
      req.end();
    });
    return { connected, close: () => req?.destroy() };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Run `count` tasks with at most `concurrency` in flight; stops starting new ones at the deadline. */
export async function runPool(
  count: number,
  concurrency: number,
  deadline: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      await task(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return done;
}

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : Number.NaN);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s.length ? s[s.length - 1] : Number.NaN };
}

/** VmRSS of a process in MiB, from /proc/PID/status. */
export function rssMiB(pid: number): number {
  return statusMiB(pid, "VmRSS");
}

/** The most RSS the process has had since it started (the kernel's high-water mark). */
export function peakRssMiB(pid: number): number {
  return statusMiB(pid, "VmHWM");
}

function statusMiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]) / 1024;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system) a process has used, in ms, from /proc/PID/stat. Unlike throughput, CPU
 * per operation barely moves when other work loads the machine, so the reports give both.
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks;
}

/** Sample a process's RSS every intervalMs; stop() returns the largest value seen. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number } {
  let max = rssMiB(pid);
  const t = setInterval(() => {
    max = Math.max(max, rssMiB(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(t);
      return Math.max(max, rssMiB(pid));
    },
  };
}

export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
}

/** Wait for a condition with a deadline (no fixed sleeps). */
export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

export function expectStatus(r: Response, want: number, what: string): void {
  if (r.status !== want) throw new Error(`${what}: HTTP ${r.status} (want ${want}): ${r.body.slice(0, 300)}`);
}

/** Numbers on the command line: `--name value`. */
export function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0)
    throw new Error(`--${name} wants a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

export function strArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export { removeDir, tempDir };
