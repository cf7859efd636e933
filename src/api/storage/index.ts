/** The store: open a backend by name; the Store contract is in types.ts. */
import type { AutoCompactionOptions } from "./auto-compaction.ts";
import { MemoryStore } from "./memory/memory-store.ts";
import { SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.ts";
import type { Store } from "./types.ts";

export type { AutoCompactionOptions } from "./auto-compaction.ts";
export { DEFAULT_MIN_AGE_MS, DEFAULT_MIN_EVENTS_PER_TYPE } from "./auto-compaction.ts";
export { LogStore } from "./log-store.ts";
export { MemoryStore } from "./memory/memory-store.ts";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.ts";
export * from "./types.ts";

/** A Store that can also compact itself on a timer. */
export interface CompactingStore extends Store {
  /** Start automatic compaction; returns a function that stops it (close() stops it too). */
  startAutoCompaction(opts: AutoCompactionOptions): () => void;
  /** The oldest revision a list or watch on prefix may start from (per-type automatic compaction included). */
  floorFor(prefix: string): number;
}

export type OpenStoreOptions =
  | ({ backend: "sqlite"; path: string } & SqliteStoreOptions)
  | { backend: "memory" };

export function openStore(opts: OpenStoreOptions): CompactingStore {
  if (opts.backend === "memory") return new MemoryStore();
  return SqliteStore.open(opts.path, { synchronous: opts.synchronous });
}
