/**
 * The embedded store: SQLite through better-sqlite3, log-structured like k3s's kine. One table of
 * rows; a row's id is the revision (AUTOINCREMENT, so revisions never repeat, even after
 * compaction removed the newest rows or a restart); a key's current state is its newest row; a
 * delete is a row with deleted = 1.
 */
import Database from "better-sqlite3";
import type { HistoryRow, KeyRange, ListedRows, LogBackend, NewRow, Row } from "../backend.ts";
import { prefixEnd, typePrefixOf } from "../keys.ts";
import { LogStore } from "../log-store.ts";

export interface SqliteStoreOptions {
  /**
   * NORMAL (default): in WAL mode a commit is written to the WAL file before the write returns,
   * so it survives the process being killed (kill -9); only an OS crash or power loss can lose
   * the last commits (the WAL is fsync'd at checkpoints). FULL: fsync on every commit, which also
   * survives power loss, at a large cost in writes per second.
   */
  synchronous?: "NORMAL" | "FULL";
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
-- get (newest row of a name), lists in key order, and per-name newest-at-revision lookups.
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface DbRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

interface DbHistoryRow extends DbRow {
  p_id: number | null;
  p_created: number | null;
  p_create_revision: number | null;
  p_value: string | null;
}

const COLS = "id, name, created, deleted, create_revision, prev_revision, value";
/** The newest row of k's name at or below a revision (parameter :rev). */
const NEWEST_AT_REV = "k.id = (SELECT MAX(id) FROM log WHERE name = k.name AND id <= :rev)";

function toRow(r: DbRow): Row {
  return {
    id: r.id,
    key: r.name,
    created: r.created === 1,
    deleted: r.deleted === 1,
    // Created rows store 0: the id is only known after the insert.
    createRevision: r.created === 1 ? r.id : r.create_revision,
    prevRevision: r.prev_revision,
    value: r.value,
  };
}

class SqliteBackend implements LogBackend {
  private seq: number;
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get() as
      | { seq: number }
      | undefined;
    this.seq = seq?.seq ?? 0;
    this.stmts = {
      latest: db.prepare(`SELECT ${COLS} FROM log WHERE name = ? ORDER BY id DESC LIMIT 1`),
      insert: db.prepare(
        "INSERT INTO log (name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      list: db.prepare(
        `SELECT ${COLS} FROM log k WHERE k.name >= :lo AND k.name < :hi AND k.name > :after AND k.id <= :rev
         AND ${NEWEST_AT_REV} AND k.deleted = 0 ORDER BY k.name LIMIT :limit`,
      ),
      countAtRev: db.prepare(
        `SELECT COUNT(*) AS n FROM log k WHERE k.name >= :lo AND k.name < :hi AND k.name > :after AND k.id <= :rev
         AND ${NEWEST_AT_REV} AND k.deleted = 0`,
      ),
      // Replay walks the primary key from the watch's revision ("+" keeps SQLite off the name
      // index, which would sort the prefix's whole history for every batch).
      history: db.prepare(
        `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value,
           p.id AS p_id, p.created AS p_created, p.create_revision AS p_create_revision, p.value AS p_value
         FROM log k LEFT JOIN log p ON p.id = k.prev_revision
         WHERE k.id > :after AND +k.name >= :lo AND +k.name < :hi ORDER BY k.id LIMIT :limit`,
      ),
      compactPrev: db.prepare(
        `DELETE FROM log WHERE id IN (SELECT prev_revision FROM log
           WHERE id > :from AND id <= :to AND name >= :lo AND name < :hi AND prev_revision != 0)`,
      ),
      compactTombstones: db.prepare(
        "DELETE FROM log WHERE id > :from AND id <= :to AND name >= :lo AND name < :hi AND deleted = 1",
      ),
      setMeta: db.prepare(
        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      ),
      meta: db.prepare("SELECT name, value FROM meta"),
      firstNameFrom: db.prepare("SELECT name FROM log WHERE name >= ? ORDER BY name LIMIT 1"),
      newestIds: db.prepare(
        "SELECT id FROM log WHERE name >= :lo AND name < :hi AND id <= :max ORDER BY id DESC LIMIT :n",
      ),
    };
  }

  sequence(): number {
    return this.seq;
  }

  latest(key: string): Row | undefined {
    const r = this.stmts.latest.get(key) as DbRow | undefined;
    return r ? toRow(r) : undefined;
  }

  append(row: NewRow): Row {
    const info = this.stmts.insert.run(
      row.key,
      row.created ? 1 : 0,
      row.deleted ? 1 : 0,
      row.created ? 0 : row.createRevision,
      row.prevRevision,
      row.value,
    );
    const id = Number(info.lastInsertRowid);
    this.seq = id;
    return { ...row, id, createRevision: row.created ? id : row.createRevision };
  }

  list(range: KeyRange, startAfter: string | undefined, revision: number, limit: number): ListedRows {
    const params = { lo: range.lo, hi: range.hi, after: startAfter ?? "", rev: revision };
    // One row past the page says whether there is more, without counting the rest of the range.
    const dbRows = this.stmts.list.all({ ...params, limit: limit > 0 ? limit + 1 : -1 }) as DbRow[];
    const more = limit > 0 && dbRows.length > limit;
    if (more) dbRows.length = limit;
    return { rows: dbRows.map(toRow), more };
  }

  countAfter(range: KeyRange, after: string, revision: number): number {
    const { n } = this.stmts.countAtRev.get({ lo: range.lo, hi: range.hi, after, rev: revision }) as {
      n: number;
    };
    return n;
  }

  count(range: KeyRange): number {
    const { n } = this.stmts.countAtRev.get({ lo: range.lo, hi: range.hi, after: "", rev: this.seq }) as {
      n: number;
    };
    return n;
  }

  history(range: KeyRange, afterRevision: number, limit: number): HistoryRow[] {
    const rows = this.stmts.history.all({
      after: afterRevision,
      lo: range.lo,
      hi: range.hi,
      limit,
    }) as DbHistoryRow[];
    return rows.map((r) => {
      const row = toRow(r);
      if (r.p_id === null) return { row };
      const prev: Row = {
        id: r.p_id,
        key: r.name,
        created: r.p_created === 1,
        deleted: false,
        createRevision: r.p_created === 1 ? r.p_id : (r.p_create_revision ?? 0),
        prevRevision: 0,
        value: r.p_value ?? "null",
      };
      return { row, prev };
    });
  }

  compact(range: KeyRange, from: number, to: number, metaName: string): void {
    this.db.transaction(() => {
      const params = { from, to, lo: range.lo, hi: range.hi };
      this.stmts.compactPrev.run(params);
      this.stmts.compactTombstones.run(params);
      this.stmts.setMeta.run(metaName, to);
    })();
  }

  meta(): Map<string, number> {
    const rows = this.stmts.meta.all() as { name: string; value: number }[];
    return new Map(rows.map((r) => [r.name, r.value]));
  }

  typePrefixes(): string[] {
    // Skip-scan over the name index: one probe per type, not one per row.
    const out: string[] = [];
    let from = "";
    for (;;) {
      const r = this.stmts.firstNameFrom.get(from) as { name: string } | undefined;
      if (!r) return out;
      const tp = typePrefixOf(r.name);
      out.push(tp);
      from = prefixEnd(tp);
    }
  }

  newestIds(range: KeyRange, maxId: number, n: number): number[] {
    const rows = this.stmts.newestIds.all({ lo: range.lo, hi: range.hi, max: maxId, n }) as { id: number }[];
    return rows.map((r) => r.id).reverse();
  }

  close(): void {
    this.db.close();
  }
}

export class SqliteStore extends LogStore {
  private constructor(
    backend: SqliteBackend,
    /** The database file. */
    readonly path: string,
  ) {
    super(backend);
  }

  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${opts.synchronous ?? "NORMAL"}`);
      // Another process holding a write lock (a checkpoint, an inspecting CLI): wait, do not fail.
      db.pragma("busy_timeout = 5000");
      db.exec(SCHEMA);
      return new SqliteStore(new SqliteBackend(db), path);
    } catch (err) {
      db.close();
      throw err;
    }
  }
}
