/**
 * The automatic compaction policy: never remove history younger than minAgeMs, nor any of the
 * newest minEventsPerType events of a resource type (the key's first path segment). Each type is
 * compacted on its own, so a rarely written type (whose few events are all protected) does not
 * hold back compaction of busy ones.
 */
import { typePrefixOf } from "./keys.ts";

export interface AutoCompactionOptions {
  /** How often to compact. */
  intervalMs: number;
  /** Keep every event younger than this (default 75 s, kube's watch-cache window). */
  minAgeMs?: number;
  /** Keep the newest this-many events of each resource type (default 1,000). */
  minEventsPerType?: number;
  /** Clock (tests). */
  now?: () => number;
  /** Where errors of a timer-driven pass go (default: a process warning). */
  onError?: (err: Error) => void;
}

export const DEFAULT_MIN_AGE_MS = 75_000;
export const DEFAULT_MIN_EVENTS_PER_TYPE = 1000;

/** Write times (per second: the newest revision and its time) and per-type recent revisions. */
export class CompactionTracker {
  private readonly buckets: { time: number; rev: number }[] = [];
  private head = 0;
  /** Every revision at or below this is older than minAgeMs. */
  private aged = 0;
  private readonly rings = new Map<string, number[]>();

  /**
   * startRevision/startTime: everything at or below startRevision was written before startTime
   * (history from before the tracker existed has no recorded times).
   */
  constructor(
    private readonly minEvents: number,
    private readonly minAgeMs: number,
    private readonly startRevision: number,
    private readonly startTime: number,
  ) {}

  /** Newest revisions of a type from before the tracker started, ascending. */
  seed(typePrefix: string, revisions: number[]): void {
    const ring = this.rings.get(typePrefix) ?? [];
    this.rings.set(typePrefix, [...revisions, ...ring].slice(-this.minEvents));
  }

  record(key: string, revision: number, now: number): void {
    const tp = typePrefixOf(key);
    let ring = this.rings.get(tp);
    if (!ring) {
      ring = [];
      this.rings.set(tp, ring);
    }
    ring.push(revision);
    if (ring.length >= 2 * this.minEvents) this.rings.set(tp, ring.slice(-this.minEvents));
    const last = this.buckets[this.buckets.length - 1];
    if (last && Math.floor(last.time / 1000) === Math.floor(now / 1000)) {
      last.time = now;
      last.rev = revision;
    } else {
      this.buckets.push({ time: now, rev: revision });
    }
  }

  /** For each type with more than minEvents events: the highest revision it may compact to. */
  targets(now: number): Map<string, number> {
    const cutoff = now - this.minAgeMs;
    if (this.startTime <= cutoff) this.aged = Math.max(this.aged, this.startRevision);
    while (this.head < this.buckets.length && this.buckets[this.head].time <= cutoff) {
      this.aged = Math.max(this.aged, this.buckets[this.head].rev);
      this.head++;
    }
    if (this.head > 1024) {
      this.buckets.splice(0, this.head);
      this.head = 0;
    }
    const out = new Map<string, number>();
    for (const [tp, ring] of this.rings) {
      if (ring.length < this.minEvents) continue;
      const oldestProtected = ring[ring.length - this.minEvents];
      out.set(tp, Math.min(this.aged, oldestProtected - 1));
    }
    return out;
  }
}
