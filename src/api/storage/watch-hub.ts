/**
 * Watch fan-out. Each watcher replays history from the log in batches, then switches to live
 * events, which the write path publishes right after commit. Watchers are grouped by prefix so
 * one write costs one startsWith per distinct prefix, and each event is decoded once and shared
 * (frozen) by every watcher that receives it.
 */
import type { KubeObject } from "../machinery/types.ts";
import type { HistoryRow, Row } from "./backend.ts";
import {
  ExpiredError,
  type StoredObject,
  type WatchEvent,
  type Watcher,
  type WatchOptions,
} from "./types.ts";

/** What the hub reads from the store. */
export interface WatchSource {
  currentRevision(): number;
  /** The revision below which a watch on prefix has lost history. */
  floorFor(prefix: string): number;
  history(prefix: string, afterRevision: number, limit: number): HistoryRow[];
}

interface WatchState {
  prefix: string;
  opts: WatchOptions;
  /** Revision of the last event delivered (or the start revision). */
  cursor: number;
  /** Replay is over: the write path delivers from now on. */
  live: boolean;
  done: boolean;
}

const REPLAY_BATCH = 500;

export class WatchHub {
  private readonly groups = new Map<string, Set<WatchState>>();
  private readonly queue: HistoryRow[] = [];
  private draining = false;

  constructor(private readonly source: WatchSource) {}

  watch(prefix: string, opts: WatchOptions): Watcher {
    const floor = this.source.floorFor(prefix);
    if (opts.afterRevision < floor) throw new ExpiredError(opts.afterRevision, floor);
    const st: WatchState = { prefix, opts, cursor: opts.afterRevision, live: false, done: false };
    let group = this.groups.get(prefix);
    if (!group) {
      group = new Set();
      this.groups.set(prefix, group);
    }
    group.add(st);
    // Replay starts on a later turn: no callback runs before the caller holds the Watcher.
    setImmediate(() => this.replay(st));
    return { stop: () => this.remove(st) };
  }

  /** Called by the write path after commit, in revision order. */
  publish(h: HistoryRow): void {
    this.queue.push(h);
    // A callback that writes re-enters here: queue its event so every watcher still sees
    // revisions in order.
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) this.deliverLive(this.queue[i]);
    } finally {
      this.queue.length = 0;
      this.draining = false;
    }
  }

  /** Ends every watch (the store closed). */
  closeAll(err?: Error): void {
    for (const group of [...this.groups.values()]) {
      for (const st of [...group]) this.finish(st, err);
    }
  }

  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.size;
    return n;
  }

  private deliverLive(h: HistoryRow): void {
    let ev: WatchEvent | undefined;
    for (const [prefix, group] of this.groups) {
      if (!h.row.key.startsWith(prefix)) continue;
      for (const st of group) {
        if (!st.live || st.done || h.row.id <= st.cursor) continue;
        ev ??= toEvent(h);
        st.cursor = h.row.id;
        this.deliver(st, ev);
      }
    }
  }

  private replay(st: WatchState): void {
    for (;;) {
      if (st.done) return;
      const floor = this.source.floorFor(st.prefix);
      if (st.cursor < floor) {
        this.finish(st, new ExpiredError(st.cursor, floor));
        return;
      }
      const readAt = this.source.currentRevision();
      const batch = this.source.history(st.prefix, st.cursor, REPLAY_BATCH);
      for (const h of batch) {
        if (st.done) return;
        st.cursor = h.row.id;
        this.deliver(st, toEvent(h));
      }
      if (st.done) return;
      if (batch.length === REPLAY_BATCH) {
        setImmediate(() => this.replay(st));
        return;
      }
      // Caught up, unless a callback wrote during delivery: then read once more.
      if (this.source.currentRevision() === readAt) {
        st.live = true;
        st.cursor = Math.max(st.cursor, readAt);
        return;
      }
    }
  }

  private deliver(st: WatchState, ev: WatchEvent): void {
    try {
      st.opts.onEvent(ev);
    } catch (err) {
      // A throwing consumer is ended rather than allowed to break the writer or other watchers.
      this.finish(st, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private remove(st: WatchState): void {
    st.done = true;
    const group = this.groups.get(st.prefix);
    if (!group) return;
    group.delete(st);
    if (group.size === 0) this.groups.delete(st.prefix);
  }

  private finish(st: WatchState, err?: Error): void {
    if (st.done) return;
    this.remove(st);
    st.opts.onClose?.(err);
  }
}

/** Builds the event for a log row; the objects are frozen because watchers share them. */
export function toEvent(h: HistoryRow): WatchEvent {
  const { row, prev } = h;
  const object = deepFreeze(JSON.parse(row.value) as KubeObject);
  const current = stored(row, object);
  if (row.created) return Object.freeze({ type: "ADDED", current, revision: row.id });
  let previous: StoredObject | undefined;
  if (prev) {
    const prevObject = row.deleted ? object : deepFreeze(JSON.parse(prev.value) as KubeObject);
    previous = stored(prev, prevObject);
  }
  const type = row.deleted ? "DELETED" : "MODIFIED";
  return Object.freeze({ type, current, previous, revision: row.id });
}

function stored(row: Row, object: KubeObject): StoredObject {
  return Object.freeze({
    key: row.key,
    object,
    modRevision: row.id,
    createRevision: row.createRevision,
  });
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
