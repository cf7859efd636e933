/**
 * In-memory store for tests: the same log-of-rows model as SQLite (so history, lists at a past
 * revision, watches and compaction behave identically), kept in arrays and maps.
 */
import type { HistoryRow, KeyRange, ListedRows, LogBackend, NewRow, Row } from "../backend.ts";
import { typePrefixOf } from "../keys.ts";
import { LogStore } from "../log-store.ts";

class MemoryBackend implements LogBackend {
  private seq = 0;
  /** Every row, ascending by id. */
  private log: Row[] = [];
  /** Each key's rows, ascending by id. */
  private readonly byKey = new Map<string, Row[]>();
  private readonly metaValues = new Map<string, number>();

  sequence(): number {
    return this.seq;
  }

  latest(key: string): Row | undefined {
    const rows = this.byKey.get(key);
    return rows?.[rows.length - 1];
  }

  append(input: NewRow): Row {
    const id = ++this.seq;
    const row: Row = { ...input, id, createRevision: input.created ? id : input.createRevision };
    this.log.push(row);
    const rows = this.byKey.get(row.key);
    if (rows) rows.push(row);
    else this.byKey.set(row.key, [row]);
    return row;
  }

  list(range: KeyRange, startAfter: string | undefined, revision: number, limit: number): ListedRows {
    const live = this.liveAt(range, startAfter, revision);
    if (limit === 0 || live.length <= limit) return { rows: live, more: false };
    return { rows: live.slice(0, limit), more: true };
  }

  countAfter(range: KeyRange, after: string, revision: number): number {
    return this.liveAt(range, after, revision).length;
  }

  private liveAt(range: KeyRange, after: string | undefined, revision: number): Row[] {
    const live: Row[] = [];
    for (const k of this.keysIn(range)) {
      if (after !== undefined && k <= after) continue;
      const row = newestAtOrBelow(this.byKey.get(k) ?? [], revision);
      if (row && !row.deleted) live.push(row);
    }
    return live;
  }

  count(range: KeyRange): number {
    let n = 0;
    for (const k of this.keysIn(range)) {
      if (!this.latest(k)?.deleted) n++;
    }
    return n;
  }

  history(range: KeyRange, afterRevision: number, limit: number): HistoryRow[] {
    const out: HistoryRow[] = [];
    for (let i = firstAbove(this.log, afterRevision); i < this.log.length && out.length < limit; i++) {
      const row = this.log[i];
      if (row.key < range.lo || row.key >= range.hi) continue;
      const prev = row.prevRevision
        ? this.byKey.get(row.key)?.find((r) => r.id === row.prevRevision)
        : undefined;
      out.push({ row, prev });
    }
    return out;
  }

  compact(range: KeyRange, from: number, to: number, metaName: string): void {
    const drop = new Set<number>();
    for (let i = firstAbove(this.log, from); i < this.log.length && this.log[i].id <= to; i++) {
      const row = this.log[i];
      if (row.key < range.lo || row.key >= range.hi) continue;
      if (row.prevRevision) drop.add(row.prevRevision);
      if (row.deleted) drop.add(row.id);
    }
    if (drop.size > 0) {
      this.log = this.log.filter((r) => !drop.has(r.id));
      for (const [key, rows] of this.byKey) {
        const kept = rows.filter((r) => !drop.has(r.id));
        if (kept.length === 0) this.byKey.delete(key);
        else if (kept.length !== rows.length) this.byKey.set(key, kept);
      }
    }
    this.metaValues.set(metaName, to);
  }

  meta(): Map<string, number> {
    return new Map(this.metaValues);
  }

  typePrefixes(): string[] {
    return [...new Set([...this.byKey.keys()].map(typePrefixOf))];
  }

  newestIds(range: KeyRange, maxId: number, n: number): number[] {
    const out: number[] = [];
    for (let i = this.log.length - 1; i >= 0 && out.length < n; i--) {
      const row = this.log[i];
      if (row.id <= maxId && row.key >= range.lo && row.key < range.hi) out.push(row.id);
    }
    return out.reverse();
  }

  close(): void {}

  private keysIn(range: KeyRange): string[] {
    const keys: string[] = [];
    for (const k of this.byKey.keys()) if (k >= range.lo && k < range.hi) keys.push(k);
    return keys.sort();
  }
}

/** Index of the first row with id > revision (rows ascending by id). */
function firstAbove(rows: Row[], revision: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].id <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function newestAtOrBelow(rows: Row[], revision: number): Row | undefined {
  const i = firstAbove(rows, revision);
  return i > 0 ? rows[i - 1] : undefined;
}

export class MemoryStore extends LogStore {
  constructor() {
    super(new MemoryBackend());
  }
}
