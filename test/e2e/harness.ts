/** Test harness: run `skiff` as a real process, and real kubectl against it. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import https from "node:https";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";

const root = new URL("../..", import.meta.url).pathname;
export const skiffBin = join(root, "bin/skiff.js");

export interface SkiffProcess {
  proc: ChildProcess;
  dataDir: string;
  kubeconfig: string;
  url: string;
  output: () => string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export function tempDir(prefix = "skiff-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Start `skiff <command> --port 0 --data-dir DIR …` and wait (with a deadline) for its ready line. */
export async function startSkiff(
  command: string,
  args: string[] = [],
  opts: { dataDir?: string; timeoutMs?: number; port?: number } = {},
): Promise<SkiffProcess> {
  const dataDir = opts.dataDir ?? tempDir();
  const port = String(opts.port ?? 0);
  // Tests run side by side: `skiff up` gets its DNS on a free port unless the test says otherwise.
  // Its DNS forwards to a closed loopback port: tests never send queries off this machine.
  const extra: string[] = [];
  if (command === "up" && !args.some((a) => a === "--dns-port" || a === "--no-dns"))
    extra.push("--dns-port", "0");
  if (command === "up" && !args.includes("--dns-upstream")) extra.push("--dns-upstream", "127.0.0.1:9");
  const proc = spawn(
    process.execPath,
    [skiffBin, command, "--port", port, "--data-dir", dataDir, ...extra, ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let kubeconfig = "";
  let url = "";
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`skiff ${command} not ready within ${opts.timeoutMs ?? 30000} ms:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const k = /^kubeconfig: (.+)$/m.exec(out);
      if (k) kubeconfig = k[1].trim();
      const r = /ready at (\S+)/.exec(out);
      if (r) url = r[1];
      if (kubeconfig && url) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`skiff ${command} exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    proc,
    dataDir,
    kubeconfig,
    url,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** A port that was free a moment ago (for restarting a server on the same address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The kubectl binary of a given minor version ("1.27" … "1.33"; 1.33 by default). They sit beside
 * the kubectl on PATH, which is a dispatcher that picks its own version: tests name one.
 */
export function kubectlPath(version = "1.33"): string {
  const onPath = realpathSync(spawnSync("sh", ["-c", "command -v kubectl"]).stdout.toString().trim());
  return join(dirname(onPath), `kubectl.${version}`);
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * kubectl's HOME for this test process: its discovery and OpenAPI caches are keyed by host:port,
 * and ports are reused across runs, so a shared cache could serve another server's answers.
 */
export const kubectlHome = mkdtempSync(join(tmpdir(), "skiff-kubectl-home-"));
process.on("exit", () => rmSync(kubectlHome, { recursive: true, force: true }));

/** Run kubectl against a kubeconfig; asynchronous so a server in this process keeps serving. */
export function kubectl(
  kubeconfig: string,
  args: string[],
  opts: { version?: string; input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(kubectlPath(opts.version), ["--kubeconfig", kubeconfig, ...args], {
      env: { ...process.env, KUBECONFIG: "", HOME: kubectlHome, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`kubectl ${args.join(" ")} timed out\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // "close", not "exit": output may still be unread when the process exits.
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.end(opts.input ?? "");
  });
}

/** Poll `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 200);
  }
}

export interface ApiResponse {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** A minimal HTTPS client from an admin kubeconfig: server, CA and token (keep-alive, many in flight). */
export function apiClient(kubeconfigPath: string): {
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  stream(path: string, onLine: (line: string) => void): { close(): void; ended: Promise<void> };
  close(): void;
} {
  const kc = parseYaml(readFileSync(kubeconfigPath, "utf8")) as {
    clusters: Array<{ cluster: { server: string; "certificate-authority-data"?: string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const server = new URL(kc.clusters[0].cluster.server);
  const ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"] ?? "", "base64").toString();
  const token = kc.users[0].user.token;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 128, ca });
  const opts = (method: string, path: string, headers: Record<string, string> = {}) => ({
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    agent,
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...headers },
  });
  return {
    request(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        // Content-Length always: node sends DELETE bodies neither chunked nor delimited otherwise.
        const h =
          data !== undefined
            ? {
                "Content-Type": "application/json",
                "Content-Length": String(Buffer.byteLength(data)),
                ...headers,
              }
            : headers;
        const req = https.request(opts(method, path, h), (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            text += d;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T }),
          );
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(data);
      });
    },
    stream(path, onLine) {
      let buf = "";
      let req: ReturnType<typeof https.request> | undefined;
      const ended = new Promise<void>((resolve) => {
        req = https.request(opts("GET", path), (res) => {
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
          res.on("end", () => resolve());
          res.on("close", () => resolve());
        });
        req.on("error", () => resolve());
        req.end();
      });
      return { close: () => req?.destroy(), ended };
    },
    close: () => agent.destroy(),
  };
}

/**
 * Parse kubectl's column output (tabwriter, left-aligned): a cell starts where its header starts
 * and ends where the next one does, so empty cells (api-resources SHORTNAMES) survive.
 */
export function parseTable(text: string): Array<Record<string, string>> {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return [];
  const header = lines[0];
  const columns: Array<{ name: string; start: number }> = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) columns.push({ name: m[0], start: m.index ?? 0 });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    columns.forEach((c, i) => {
      const end = i + 1 < columns.length ? columns[i + 1].start : line.length;
      row[c.name] = line.slice(c.start, end).trim();
    });
    return row;
  });
}

export interface KubectlProcess {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGKILL by PID (if still running) and wait for the exit. */
  stop(): Promise<void>;
}

/** Start a long-running kubectl (e.g. `get -w`) whose output is read while it runs. */
export function spawnKubectl(
  kubeconfig: string,
  args: string[],
  opts: { version?: string } = {},
): KubectlProcess {
  const proc = spawn(kubectlPath(opts.version), ["--kubeconfig", kubeconfig, ...args], {
    env: { ...process.env, KUBECONFIG: "", HOME: kubectlHome },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    proc,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** The value at a dotted path of a parsed object (`metadata.name`), or undefined. */
export function field(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Assert a kubectl run succeeded (its output in the message when not). */
export function ok(r: KubectlResult, what: string): KubectlResult {
  assert.equal(r.code, 0, `${what} failed: ${r.stderr}${r.stdout}`);
  return r;
}
