/**
 * Reply templates, the server's side: which blocks may use them, the key of a query, and the
 * index from keys to the cache entries that keep a template (plugins/cache/template.ts). A
 * cache entry keeps the wire bytes of the reply its miss got, with the query's bytes; the next
 * identical query (any id) is answered from them with the id and the TTLs patched, without
 * decoding, running the chain or encoding: the common Kubernetes lookups repeat the same
 * questions, and decoding plus encoding cost most of a cache hit.
 *
 * A template is only made when the plugins before `cache` in the block are ones whose work a
 * template can repeat (metrics, the round-robin shuffle) or that never touch a cache hit, and it
 * answers exactly as long as the cache entry it is kept with is cached and fresh: evicted,
 * replaced, invalidated or expired entries send the query back through the chain.
 */
import { IntTable } from "../../util/int-table.ts";
import type { ReplySource } from "../plugin.ts";
import type { CounterChild, HistogramChild } from "./lite-metrics.ts";

/** Bound on a server's index of templates; past it the index starts over. */
export const MAX_TEMPLATES = 65_536;

const TYPE_OPT = 41;

/**
 * The template key of a query: a hash of its bytes after the id, for plain one-question queries
 * with at most an option-less OPT record; -1 for anything else (those take the full path). A
 * number, not a string of the bytes: most queries miss, and a key string per query was an
 * allocation each. Templates keep their query's bytes, so a colliding key only costs a hit.
 */
export function templateKey(q: Buffer): number {
  const len = q.length;
  if (len < 17 || len > 512) return -1;
  // QR=0, OPCODE=QUERY, TC=0; Z=0 and RCODE=0. AA, RD, AD and CD stay in the key.
  if ((q[2] & 0xfa) !== 0 || (q[3] & 0x4f) !== 0) return -1;
  if (q[4] !== 0 || q[5] !== 1 || q[6] !== 0 || q[7] !== 0 || q[8] !== 0 || q[9] !== 0) return -1;
  const ar = (q[10] << 8) | q[11];
  if (ar > 1) return -1;
  let off = 12;
  for (;;) {
    const l = q[off];
    if (l === 0) break;
    if (l > 63) return -1;
    off += l + 1;
    if (off >= len) return -1;
  }
  off += 5;
  if (ar === 1) {
    // OPT: root owner, type 41, no options (cookies and other options take the full path).
    if (off + 11 !== len || q[off] !== 0 || q[off + 1] !== 0 || q[off + 2] !== TYPE_OPT) return -1;
    if (q[off + 9] !== 0 || q[off + 10] !== 0) return -1;
  } else if (off !== len) return -1;
  // FNV-1a, kept to 30 bits: a non-negative int32 key for IntTable, a small integer anywhere.
  let h = 0x811c9dc5;
  for (let i = 2; i < len; i++) h = Math.imul(h ^ q[i], 0x01000193);
  return h & 0x3fffffff;
}

/** A templateKey not computed yet (the caller leaves it to the index or the server). */
export const NO_KEY = -2;

/** What the template store needs to know about the block that served the reply. */
export interface TemplateOptions {
  shuffle: boolean;
}

/** A server's metric children for one label set (server.ts statsFor). */
export interface FastStats {
  requests: CounterChild;
  responses: CounterChild;
  do: CounterChild | undefined;
  duration: HistogramChild;
  requestSize: HistogramChild;
  responseSize: HistogramChild;
}

/**
 * Query keys to the cache entries keeping their templates: two numbers per template, no object,
 * as the entries themselves (plugins/cache/store.ts).
 */
export class TemplateIndex<Z> {
  private readonly map = new IntTable();
  /** Where the references point: one slot per (source, zone handler) pair. */
  private readonly sources: Array<{ source: ReplySource; zh: Z }> = [];
  private readonly watched = new Set<ReplySource>();

  get size(): number {
    return this.map.size;
  }

  /**
   * Index the template `ref` of `source` (kept for `zh`) under the key of its query. Past
   * MAX_TEMPLATES keys the index starts over: stale keys (their entries gone) only cost a miss.
   */
  add(key: number, source: ReplySource, zh: Z, ref: number): void {
    let si = this.sources.findIndex((s) => s.source === source && s.zh === zh);
    if (si < 0) {
      if (this.sources.length >= MAX_SOURCES) return;
      si = this.sources.push({ source, zh }) - 1;
      // The key of a template whose entry went answers nothing: drop it, so the index holds
      // about as many keys as the caches hold templates.
      if (!this.watched.has(source)) {
        this.watched.add(source);
        source.watchDrops((k, ref) => this.drop(source, k, ref));
      }
    }
    // A reference and a source slot in one small integer (no object per template).
    if (ref >= MAX_REF) return;
    if (this.map.size >= MAX_TEMPLATES) this.map.clear();
    this.map.set(key, ref * MAX_SOURCES + si);
  }

  /** Forget `key` when it still leads to the template `ref` of `source`. */
  private drop(source: ReplySource, key: number, ref: number): void {
    const v = this.map.get(key);
    if (
      v !== undefined &&
      Math.floor(v / MAX_SOURCES) === ref &&
      this.sources[v % MAX_SOURCES].source === source
    )
      this.map.delete(key);
  }

  /**
   * The source whose template answers `query` (match() done), or undefined. `key` is its
   * templateKey, or NO_KEY to have it computed here (not at all while the index is empty).
   */
  find(query: Buffer, key = NO_KEY): Found<Z> | undefined {
    if (this.map.size === 0) return undefined;
    const k = key === NO_KEY ? templateKey(query) : key;
    if (k < 0) return undefined;
    const v = this.map.get(k);
    if (v === undefined) return undefined;
    const s = this.sources[v % MAX_SOURCES];
    const length = s.source.match(Math.floor(v / MAX_SOURCES), query);
    if (length === 0) return undefined;
    const f = this.found;
    f.source = s.source;
    f.zh = s.zh;
    f.length = length;
    return f as Found<Z>;
  }

  /** What find() returns, reused: read before the next call. */
  private readonly found: { source: ReplySource | undefined; zh: Z | undefined; length: number } = {
    source: undefined,
    zh: undefined,
    length: 0,
  };
}

/** Sources (cache × zone) per server, and entries per cache, that fit one Smi reference. */
const MAX_SOURCES = 64;
const MAX_REF = 2 ** 25;

/** A template found for a query: its source, the zone handler it was kept for, its length. */
export interface Found<Z> {
  source: ReplySource;
  zh: Z;
  length: number;
}

/**
 * Plugins that may run before `cache` in a block with reply templates: they either never touch
 * a cache hit (reload, bind, ready, health, errors, any, chaos) or do what a template repeats
 * (prometheus: the server's metrics; loadbalance round_robin: the shuffle). Any other plugin
 * there (log, rewrite before cache in a custom order, …) sees every query, so no templates.
 */
const BEFORE_CACHE_OK = new Set([
  "reload",
  "bind",
  "ready",
  "health",
  "prometheus",
  "errors",
  "any",
  "chaos",
  "loadbalance",
]);

/** Whether a block (its directives in chain order) can use templates, and how. */
export function templateOptions(
  plugins: readonly string[],
  roundRobinOnly: (name: string) => boolean,
): TemplateOptions | undefined {
  const at = plugins.indexOf("cache");
  if (at < 0) return undefined;
  const before = plugins.slice(0, at);
  if (!before.every((p) => BEFORE_CACHE_OK.has(p))) return undefined;
  const shuffle = before.includes("loadbalance");
  if (shuffle && !roundRobinOnly("loadbalance")) return undefined;
  return { shuffle };
}
