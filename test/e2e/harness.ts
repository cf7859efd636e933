/** Test harness: run `skiff` as a real process, and real kubectl against it. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

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
  opts: { dataDir?: string; timeoutMs?: number } = {},
): Promise<SkiffProcess> {
  const dataDir = opts.dataDir ?? tempDir();
  const proc = spawn(process.execPath, [skiffBin, command, "--port", "0", "--data-dir", dataDir, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let kubeconfig = "";
  let url = "";
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`skiff ${command} not ready within ${opts.timeoutMs ?? 30000} ms:\n${out}`)),
      opts.timeoutMs ?? 30_000,
    );
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

/** Run kubectl against a kubeconfig; asynchronous so a server in this process keeps serving. */
export function kubectl(
  kubeconfig: string,
  args: string[],
  opts: { version?: string; input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(kubectlPath(opts.version), ["--kubeconfig", kubeconfig, ...args], {
      env: { ...process.env, KUBECONFIG: "", HOME: tmpdir(), ...opts.env },
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
    p.on("exit", (code) => {
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
