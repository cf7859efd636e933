/**
 * `skiff dns` runs V8 without its background threads: a DNS server usually has one core or less
 * (the benchmark pins it to one), and there those threads take turns with the server instead of
 * running beside it.
 *
 * - `--single-threaded-gc`: the concurrent marker preempts the server and the scavenger waits
 *   for helpers the scheduler has not run: scavenge pauses reached 15–20 ms, against 2 ms
 *   single-threaded, and the p99 at 10k qps was lower in each of six same-run comparisons
 *   (bench/RESULTS.md, session 5).
 * - `--no-concurrent-recompilation`: TurboFan compiles on the server's thread. Its background
 *   thread had its own malloc arena, which kept the compiler's freed memory resident: 5 MiB more
 *   RSS once synced and after the load (bench/RESULTS.md, session 11).
 *
 * V8 reads --single-threaded-gc only from node's command line (NODE_OPTIONS refuses it, and
 * setting it at run time aborts V8), so `skiff dns` executes itself again with the flags before
 * it loads anything: execv through the native addon, so the PID, open descriptors and
 * environment stay. A flag the user gave for the same knob wins. Without the addon, or with
 * SKIFF_DNS_GC=parallel, V8's own threads stay.
 */
import { loadAddon } from "../dns/server/udp-batch.ts";

export const DNS_THREAD_FLAGS: ReadonlyArray<{ flag: string; knobs: RegExp }> = [
  { flag: "--single-threaded-gc", knobs: /single[-_]threaded/ },
  // V8's --single-threaded turns off concurrent recompilation as well.
  { flag: "--no-concurrent-recompilation", knobs: /concurrent[-_]recompilation|single[-_]threaded(?![-_])/ },
];

/**
 * node's flags for a `skiff dns` child (skiff up): given at its start, it need not start again.
 * An invalid SKIFF_DNS_GC is left to the child to report.
 */
export function dnsNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.SKIFF_DNS_GC === "parallel" ? [] : DNS_THREAD_FLAGS.map((f) => f.flag);
}

/** node's command line for the same program with `flags` first. */
export function reexecArgs(
  execPath: string,
  execArgv: readonly string[],
  argv: readonly string[],
  flags: readonly string[],
): string[] {
  return [execPath, ...flags, ...execArgv, ...argv.slice(1)];
}

/**
 * Re-execute this process with the DNS_THREAD_FLAGS its command line lacks; returns only when
 * it did not, saying why (`failed` when execv itself failed). `exec` is the addon's execv by
 * default.
 */
export function singleThreadedV8(
  env: NodeJS.ProcessEnv = process.env,
  exec?: (path: string, argv: string[]) => number,
): { reason: string; failed: boolean } {
  const mode = env.SKIFF_DNS_GC ?? "single";
  if (mode !== "single" && mode !== "parallel")
    throw new Error(`SKIFF_DNS_GC=${mode}: use "single" (the default) or "parallel"`);
  if (mode === "parallel") return { reason: "SKIFF_DNS_GC=parallel", failed: false };
  const given = [...process.execArgv, env.NODE_OPTIONS ?? ""].join(" ");
  const missing = DNS_THREAD_FLAGS.filter((f) => !f.knobs.test(given)).map((f) => f.flag);
  if (missing.length === 0) return { reason: "already single-threaded", failed: false };
  let run = exec;
  if (!run) {
    const a = loadAddon();
    if ("reason" in a) return { reason: a.reason, failed: false };
    // An addon built before exec existed: run as before until it is rebuilt.
    if (typeof a.addon.exec !== "function")
      return { reason: "the native addon has no exec (npm run build:native)", failed: false };
    run = a.addon.exec;
  }
  const errno = run(process.execPath, reexecArgs(process.execPath, process.execArgv, process.argv, missing));
  return { reason: `execv ${process.execPath} failed (errno ${errno}): V8's threads stay`, failed: true };
}
