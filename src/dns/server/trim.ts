/**
 * Gives the C heap's free memory back to the system every few seconds (the native addon's
 * malloc_trim). glibc keeps what was freed for later mallocs: V8's compiler zones, ArrayBuffer
 * stores, Node's own buffers. In `skiff dns` at 10,000 Services that was 2–4 MiB of RSS after
 * the load (bench/RESULTS.md, session 11); a trim takes about 0.1 ms. Without the addon it does nothing.
 */
import { type Addon, loadAddon } from "./udp-batch.ts";

export const TRIM_EVERY_MS = 5_000;

/** Start trimming every `ms`; returns the stop function. The timer keeps no process alive. */
export function trimMallocEvery(
  ms: number = TRIM_EVERY_MS,
  loaded: { addon: Pick<Addon, "trim"> } | { reason: string } = loadAddon(),
): () => void {
  const trim = "addon" in loaded ? loaded.addon.trim : undefined;
  if (typeof trim !== "function") return () => {};
  const timer = setInterval(() => trim(), ms);
  timer.unref();
  return () => clearInterval(timer);
}
