/** `skiff controllers` as a child process, started and stopped by its PID. */
import { spawn } from "node:child_process";
import { skiffBin } from "../../test/e2e/harness.ts";
import { type Proc, stopper } from "../apiserver/lib.ts";

export interface ControllersProc extends Proc {
  /** performance.now() when the process printed its ready line. */
  readyAt: number;
  /** stderr so far (failed reconciles are logged there). */
  errors(): string;
}

export async function startControllers(kubeconfig: string, timeoutMs = 60_000): Promise<ControllersProc> {
  const proc = spawn(process.execPath, [skiffBin, "controllers", "--kubeconfig", kubeconfig], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stderr.on("data", (d: Buffer) => {
    // Keep the tail only: a broken run can log a line per failed reconcile.
    err = (err + d.toString()).slice(-20_000);
  });
  const stop = stopper(proc);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`controllers not ready in ${timeoutMs} ms:\n${out}${err}`)),
        timeoutMs,
      );
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (/controllers ready/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`controllers exited with ${code} before ready:\n${out}${err}`));
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { pid: proc.pid ?? 0, readyAt: performance.now(), errors: () => err, stop };
}
