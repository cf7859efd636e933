/**
 * `skiff dns` runs under V8's single-threaded GC: a DNS server usually has one core or less
 * (the benchmark pins it to one), and there V8's GC threads take turns with the server instead of
 * running beside it. The concurrent marker preempts it and the scavenger waits for helpers the
 * scheduler has not run: scavenge pauses reached 15–20 ms, against 2 ms single-threaded, and the
 * p99 at 10k qps was lower in each of six same-run comparisons (bench/RESULTS.md, session 5).
 *
 * V8 reads --single-threaded-gc only from node's command line (NODE_OPTIONS refuses it, and
 * setting it at run time aborts V8), so `skiff dns` executes itself again with it before it loads
 * anything: execv through the native addon, so the PID, open descriptors and environment stay.
 * Without the addon, or with SKIFF_DNS_GC=parallel, V8's own GC threads stay.
 */
import { loadAddon } from "../dns/server/udp-batch.ts";

const FLAG = "--single-threaded-gc";

/**
 * node's flags for a `skiff dns` child (skiff up): given at its start, it need not start again.
 * An invalid SKIFF_DNS_GC is left to the child to report.
 */
export function dnsNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.SKIFF_DNS_GC === "parallel" ? [] : [FLAG];
}

/** node's command line for the same program with the flag first. */
export function reexecArgs(execPath: string, execArgv: readonly string[], argv: readonly string[]): string[] {
  return [execPath, FLAG, ...execArgv, ...argv.slice(1)];
}

/**
 * Re-execute this process with --single-threaded-gc when it should be; returns only when it did
 * not, saying why (`failed` when execv itself failed). `exec` is the addon's execv by default.
 */
export function singleThreadedGC(
  env: NodeJS.ProcessEnv = process.env,
  exec?: (path: string, argv: string[]) => number,
): { reason: string; failed: boolean } {
  const mode = env.SKIFF_DNS_GC ?? "single";
  if (mode !== "single" && mode !== "parallel")
    throw new Error(`SKIFF_DNS_GC=${mode}: use "single" (the default) or "parallel"`);
  if (mode === "parallel") return { reason: "SKIFF_DNS_GC=parallel", failed: false };
  if ([...process.execArgv, env.NODE_OPTIONS ?? ""].some((a) => /single[-_]threaded[-_]gc/.test(a)))
    return { reason: "already single-threaded", failed: false };
  let run = exec;
  if (!run) {
    const a = loadAddon();
    if ("reason" in a) return { reason: a.reason, failed: false };
    // An addon built before exec existed: run as before until it is rebuilt.
    if (typeof a.addon.exec !== "function")
      return { reason: "the native addon has no exec (npm run build:native)", failed: false };
    run = a.addon.exec;
  }
  const errno = run(process.execPath, reexecArgs(process.execPath, process.execArgv, process.argv));
  return { reason: `execv ${process.execPath} failed (errno ${errno}): V8's GC threads stay`, failed: true };
}
