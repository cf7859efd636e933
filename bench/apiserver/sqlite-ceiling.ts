/**
 * The "bare SQLite ceiling": raw better-sqlite3 inserts of the same rows into the same kind of
 * table the embedded store uses (a log table, WAL, synchronous=NORMAL), one autocommit
 * transaction per row as one create per request commits once. Nothing else: no API, no JSON work.
 */

import { join } from "node:path";
import Database from "better-sqlite3";
import { removeDir, tempDir } from "./lib.ts";

export interface SqliteCeiling {
  rows: number;
  /** One transaction per insert (what one create per request costs at least). */
  insertsPerSec: number;
  /** All rows in one transaction (the cost of the inserts alone, commits amortised). */
  batchedInsertsPerSec: number;
}

/** The store's log table (src/api/storage/sqlite/sqlite-store.ts), without its meta table. */
export const SCHEMA = `
CREATE TABLE log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX log_name_id ON log (name, id);
`;

/** A fresh database file in WAL mode with synchronous=NORMAL, as the store opens it. */
export function open(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(SCHEMA);
  return db;
}

/** rows: [key, value] pairs, e.g. "/configmaps/bench/cm-1" and the object's JSON. */
export function benchSqlite(rows: Array<[string, string]>): SqliteCeiling {
  const dir = tempDir("skiff-bench-sqlite-");
  try {
    let db = open(join(dir, "a.db"));
    let insert = db.prepare(
      "INSERT INTO log (name, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)",
    );
    let t0 = performance.now();
    for (const [k, v] of rows) insert.run(k, v);
    const single = performance.now() - t0;
    db.close();

    db = open(join(dir, "b.db"));
    insert = db.prepare(
      "INSERT INTO log (name, created, deleted, create_revision, prev_revision, value) VALUES (?, 1, 0, 0, 0, ?)",
    );
    t0 = performance.now();
    db.transaction(() => {
      for (const [k, v] of rows) insert.run(k, v);
    })();
    const batched = performance.now() - t0;
    db.close();
    return {
      rows: rows.length,
      insertsPerSec: (rows.length / single) * 1000,
      batchedInsertsPerSec: (rows.length / batched) * 1000,
    };
  } finally {
    removeDir(dir);
  }
}
