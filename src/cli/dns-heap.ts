/**
 * V8 heap sizing for `skiff dns` (issue 5: ≤ 100 MB at 10,000 Services). Its live data is small
 * (about 30 MiB at that scale) and changes slowly, while V8's defaults are made for throughput:
 * a young generation that grows to 3 × 16 MiB and an old generation allowed to reach several
 * times the live data before a full collection. Both are set here, at run time, for this process
 * only (`skiff up` keeps the apiserver and controllers on the defaults), by main.ts before the
 * DNS code is loaded:
 *
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial 1 MiB semi-spaces,
 *   as `--max-semi-space-size=1` would; a query's garbage dies young either way.
 * - `--heap-growing-percent=20`: the next full collection comes when the old generation has
 *   grown 20% past what the last one left, so garbage from list pages and evicted cache
 *   entries is collected instead of kept as resident pages.
 *
 * Not `--compact-on-every-full-gc`: it moves every live object of the old generation to new
 * pages before it frees the old ones, so each full collection raised the RSS by the old
 * generation's live size (12–20 MiB) for a moment, and the peak RSS with it (to 105–113 MiB,
 * against 92–97 without; bench/RESULTS.md, session 11). V8's own choice compacts only sparse
 * pages, a few MiB at a time.
 *
 * The price is GC time, about 4 µs of CPU per query under heavy concurrent load (see
 * bench/dns/README.md, "Memory"). A flag the user gave (NODE_OPTIONS or node's command line) for
 * the same knob wins: that setting is then left alone.
 */
import { setFlagsFromString } from "node:v8";

export const DNS_HEAP_FLAGS: ReadonlyArray<{ flag: string; knobs: RegExp }> = [
  { flag: "--semi-space-growth-factor=1", knobs: /semi[-_]space/ },
  { flag: "--heap-growing-percent=20", knobs: /heap[-_]growing|optimize[-_]for[-_]size/ },
];

/**
 * Apply DNS_HEAP_FLAGS not overridden by `given` (node's flags); returns the ones applied.
 * `SKIFF_DNS_HEAP=v8` in the environment applies none: V8's own sizing (more memory, less GC).
 */
export function tuneHeapForDNS(
  given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" "),
  profile = process.env.SKIFF_DNS_HEAP ?? "small",
): string[] {
  if (profile === "v8") return [];
  if (profile !== "small") throw new Error(`SKIFF_DNS_HEAP=${profile}: use "small" (the default) or "v8"`);
  const applied: string[] = [];
  for (const { flag, knobs } of DNS_HEAP_FLAGS) {
    if (knobs.test(given)) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}
