/**
 * The Store semantics over a LogBackend: one global revision (the row id), conditional writes,
 * lists at a revision, watches (WatchHub) and compaction, explicit and automatic. MemoryStore and
 * SqliteStore are this class over their backends, so both behave identically by construction.
 */
import type { KubeObject } from "../machinery/types.ts";
import {
  type AutoCompactionOptions,
  CompactionTracker,
  DEFAULT_MIN_AGE_MS,
  DEFAULT_MIN_EVENTS_PER_TYPE,
} from "./auto-compaction.ts";
import type { KeyRange, LogBackend, NewRow, Row } from "./backend.ts";
import { prefixEnd, prefixTouchesType } from "./keys.ts";
import { PageCounts } from "./page-counts.ts";
import {
  ExpiredError,
  KeyExistsError,
  KeyNotFoundError,
  type ListOptions,
  type ListResult,
  RevisionConflictError,
  type Store,
  type StoredObject,
  type Watcher,
  type WatchOptions,
} from "./types.ts";
import { WatchHub } from "./watch-hub.ts";

/** Meta name of the explicit (all keys) compaction revision. */
export const GLOBAL_COMPACT_META = "compact_rev";
/** Meta name prefix of a type's automatic compaction revision: `compact_rev:/services/`. */
export const TYPE_COMPACT_META = "compact_rev:";

export function rangeOf(prefix: string): KeyRange {
  return { lo: prefix, hi: prefixEnd(prefix) };
}

/** The value as stored: JSON without metadata.resourceVersion (the revision is the truth). */
export function encodeObject(object: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = object.metadata ?? {};
  return JSON.stringify({ ...object, metadata });
}

/** A fresh copy for the caller (callers mutate what they get). */
function storedOf(row: Row): StoredObject {
  return {
    key: row.key,
    object: JSON.parse(row.value) as KubeObject,
    modRevision: row.id,
    createRevision: row.createRevision,
  };
}

export class LogStore implements Store {
  private closed = false;
  /** Explicit compaction revision (all keys). */
  private globalFloor = 0;
  /** Automatic compaction revision per type prefix. */
  private readonly typeFloors = new Map<string, number>();
  private readonly hub: WatchHub;
  private tracker?: CompactionTracker;
  private clock: () => number = Date.now;
  private stopAuto?: () => void;
  private readonly pageCounts = new PageCounts();

  constructor(private readonly backend: LogBackend) {
    for (const [name, rev] of backend.meta()) {
      if (name === GLOBAL_COMPACT_META) this.globalFloor = rev;
      else if (name.startsWith(TYPE_COMPACT_META))
        this.typeFloors.set(name.slice(TYPE_COMPACT_META.length), rev);
    }
    this.hub = new WatchHub({
      currentRevision: () => this.backend.sequence(),
      floorFor: (prefix) => this.floorFor(prefix),
      history: (prefix, after, limit) => this.backend.history(rangeOf(prefix), after, limit),
    });
  }

  currentRevision(): number {
    return this.backend.sequence();
  }

  /** The explicit compaction revision; automatic compaction may have gone further for some types. */
  compactedRevision(): number {
    return this.globalFloor;
  }

  /** The oldest revision a list or watch on prefix may start from. */
  floorFor(prefix: string): number {
    let floor = this.globalFloor;
    for (const [tp, rev] of this.typeFloors) {
      if (rev > floor && prefixTouchesType(prefix, tp)) floor = rev;
    }
    return floor;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.assertOpen();
    const row = this.backend.latest(key);
    return row && !row.deleted ? storedOf(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const current = this.backend.sequence();
    const revision = opts.revision && opts.revision > 0 ? opts.revision : current;
    if (revision > current) {
      throw new Error(`revision ${revision} is in the future (current revision ${current})`);
    }
    const floor = this.floorFor(prefix);
    if (revision < floor) throw new ExpiredError(revision, floor);
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    const range = rangeOf(prefix);
    const { rows, more } = this.backend.list(range, opts.startAfter, revision, limit);
    if (!more) return { items: rows.map(storedOf), revision, remaining: 0 };
    const last = rows[rows.length - 1].key;
    const before =
      opts.startAfter === undefined ? undefined : this.pageCounts.take(prefix, revision, opts.startAfter);
    const remaining =
      before === undefined ? this.backend.countAfter(range, last, revision) : before - rows.length;
    this.pageCounts.set(prefix, revision, last, remaining);
    return { items: rows.map(storedOf), revision, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    return this.backend.count(rangeOf(prefix));
  }

  async create(key: string, object: KubeObject): Promise<StoredObject> {
    this.assertOpen();
    const value = encodeObject(object);
    const latest = this.backend.latest(key);
    if (latest && !latest.deleted) throw new KeyExistsError(key);
    return storedOf(
      this.write(
        { key, created: true, deleted: false, createRevision: 0, prevRevision: latest?.id ?? 0, value },
        latest,
      ),
    );
  }

  async update(key: string, object: KubeObject, expectedRevision: number): Promise<StoredObject> {
    this.assertOpen();
    const value = encodeObject(object);
    const latest = this.live(key);
    if (latest.id !== expectedRevision) throw new RevisionConflictError(key, storedOf(latest));
    const row: NewRow = {
      key,
      created: false,
      deleted: false,
      createRevision: latest.createRevision,
      prevRevision: latest.id,
      value,
    };
    return storedOf(this.write(row, latest));
  }

  async delete(key: string, expectedRevision?: number): Promise<StoredObject> {
    this.assertOpen();
    const latest = this.live(key);
    if (expectedRevision !== undefined && latest.id !== expectedRevision) {
      throw new RevisionConflictError(key, storedOf(latest));
    }
    const row: NewRow = {
      key,
      created: false,
      deleted: true,
      createRevision: latest.createRevision,
      prevRevision: latest.id,
      value: latest.value,
    };
    return storedOf(this.write(row, latest));
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.assertOpen();
    return this.hub.watch(prefix, opts);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    const current = this.backend.sequence();
    if (!Number.isInteger(revision) || revision < 0)
      throw new Error(`invalid compaction revision ${revision}`);
    if (revision > current) {
      throw new Error(
        `cannot compact to revision ${revision}: it is in the future (current revision ${current})`,
      );
    }
    if (revision <= this.globalFloor) return;
    this.backend.compact(rangeOf(""), this.globalFloor, revision, GLOBAL_COMPACT_META);
    this.globalFloor = revision;
  }

  /**
   * Compact on a timer (unref'd) by the policy in auto-compaction.ts. Returns a function that
   * stops it; close() stops it too. Starting again replaces the previous timer.
   */
  startAutoCompaction(opts: AutoCompactionOptions): () => void {
    this.assertOpen();
    this.stopAuto?.();
    this.clock = opts.now ?? Date.now;
    const minEvents = Math.max(1, opts.minEventsPerType ?? DEFAULT_MIN_EVENTS_PER_TYPE);
    const start = this.backend.sequence();
    const tracker = new CompactionTracker(
      minEvents,
      opts.minAgeMs ?? DEFAULT_MIN_AGE_MS,
      start,
      this.clock(),
    );
    for (const tp of this.backend.typePrefixes()) {
      tracker.seed(tp, this.backend.newestIds(rangeOf(tp), start, minEvents));
    }
    this.tracker = tracker;
    const onError =
      opts.onError ?? ((err: Error) => process.emitWarning(`store auto-compaction failed: ${err.message}`));
    const timer = setInterval(() => {
      try {
        this.runAutoCompaction();
      } catch (err) {
        onError(err instanceof Error ? err : new Error(String(err)));
      }
    }, opts.intervalMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      if (this.tracker === tracker) this.tracker = undefined;
      if (this.stopAuto === stop) this.stopAuto = undefined;
    };
    this.stopAuto = stop;
    return stop;
  }

  /** One automatic compaction pass (the timer calls this). Returns the types compacted. */
  runAutoCompaction(): Map<string, number> {
    this.assertOpen();
    const done = new Map<string, number>();
    if (!this.tracker) return done;
    for (const [tp, target] of this.tracker.targets(this.clock())) {
      const from = Math.max(this.globalFloor, this.typeFloors.get(tp) ?? 0);
      if (target <= from) continue;
      this.backend.compact(rangeOf(tp), from, target, TYPE_COMPACT_META + tp);
      this.typeFloors.set(tp, target);
      done.set(tp, target);
    }
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopAuto?.();
    this.closed = true;
    this.hub.closeAll();
    this.backend.close();
  }

  private live(key: string): Row {
    const latest = this.backend.latest(key);
    if (!latest || latest.deleted) throw new KeyNotFoundError(key);
    return latest;
  }

  /** Append, then tell the compaction tracker and the watchers (after commit). */
  private write(row: NewRow, prev: Row | undefined): Row {
    const stored = this.backend.append(row);
    this.tracker?.record(stored.key, stored.id, this.clock());
    this.hub.publish({ row: stored, prev });
    return stored;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("store is closed");
  }
}
