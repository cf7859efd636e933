/**
 * What a log-structured backend provides to LogStore: an append-only log of rows (one per write,
 * the row id is the revision) with range reads. The revision rules, conflict checks, watches and
 * compaction policy live in LogStore, once for every backend.
 */

/** One write to one key. The newest row of a key is its current state; deleted rows are tombstones. */
export interface Row {
  /** The revision of this write. */
  id: number;
  key: string;
  /** This write created the key (it was absent or a tombstone before). */
  created: boolean;
  /** This write deleted the key; value holds the last state. */
  deleted: boolean;
  /** Revision at which the key was created (a created row's own id). */
  createRevision: number;
  /** The id of the key's previous row (0: none). */
  prevRevision: number;
  /** The object as JSON, without metadata.resourceVersion. */
  value: string;
}

/** A row to append; the backend assigns the id (and createRevision for created rows). */
export type NewRow = Omit<Row, "id">;

/** A row with the row it superseded (needed for MODIFIED/DELETED events' previous state). */
export interface HistoryRow {
  row: Row;
  prev?: Row;
}

/** Keys k with lo <= k < hi. */
export interface KeyRange {
  lo: string;
  hi: string;
}

export interface LogBackend {
  /** The newest revision ever assigned; survives compaction and restarts. */
  sequence(): number;
  /** The newest row of key (a tombstone when the key is deleted), if any. */
  latest(key: string): Row | undefined;
  /** Append atomically and durably; returns the stored row. */
  append(row: NewRow): Row;
  /**
   * Keys in range (and > startAfter) whose newest row at or below revision is not a tombstone,
   * in key order, at most limit (0: all); more = whether any match beyond the last one returned.
   */
  list(range: KeyRange, startAfter: string | undefined, revision: number, limit: number): ListedRows;
  /** How many keys in range and > after are live at revision (what list would return unlimited). */
  countAfter(range: KeyRange, after: string, revision: number): number;
  /** Live keys in range at the current revision. */
  count(range: KeyRange): number;
  /** Rows in range with id > afterRevision, in id order, at most limit. */
  history(range: KeyRange, afterRevision: number, limit: number): HistoryRow[];
  /**
   * In one transaction: remove rows in range superseded by a row with id in (from, to], and
   * tombstones with id in (from, to]; then record meta[metaName] = to.
   */
  compact(range: KeyRange, from: number, to: number, metaName: string): void;
  /** Every meta value recorded by compact. */
  meta(): Map<string, number>;
  /** The distinct type prefixes (`/services/`) of the keys present. */
  typePrefixes(): string[];
  /** Ids of the newest n rows in range with id <= maxId, ascending. */
  newestIds(range: KeyRange, maxId: number, n: number): number[];
  close(): void;
}

export interface ListedRows {
  rows: Row[];
  more: boolean;
}
