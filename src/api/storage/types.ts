/**
 * The store behind the apiserver. etcd-shaped: one global, strictly increasing revision; every
 * write gets the next revision, which becomes the object's resourceVersion. Keys look like
 * kube-apiserver's etcd keys without the /registry prefix: `/services/specs/default/my-nginx`
 * (see keyFor in the apiserver). Values are the objects as JSON, stored without
 * metadata.resourceVersion (the store's revision is the truth).
 */
import type { KubeObject } from "../machinery/types.ts";

export interface StoredObject {
  key: string;
  object: KubeObject;
  /** Revision of the last write to this key (the object's resourceVersion). */
  modRevision: number;
  /** Revision at which the key was created. */
  createRevision: number;
}

export interface ListOptions {
  /** Return at most this many items (0 or absent: all). */
  limit?: number;
  /** Start strictly after this key (for continue tokens). */
  startAfter?: string;
  /**
   * Read as of this revision (for paginated lists: every page reads at the first page's revision).
   * Absent: the current revision. Older than the compacted revision: ExpiredError.
   */
  revision?: number;
}

export interface ListResult {
  items: StoredObject[];
  /** The revision the list was read at: a list's resourceVersion. */
  revision: number;
  /** How many more items match after the returned ones (0 when complete). */
  remaining: number;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface WatchEvent {
  type: WatchEventType;
  /** The object after the event; for DELETED the last state, with modRevision = the delete's revision. */
  current: StoredObject;
  /** The object before the event (absent for ADDED). */
  previous?: StoredObject;
  /** The revision of this event. */
  revision: number;
}

export interface Watcher {
  stop(): void;
}

export interface WatchOptions {
  /** Deliver events with revision > afterRevision, replaying history first. */
  afterRevision: number;
  onEvent: (ev: WatchEvent) => void;
  /** Called once if the watch can no longer continue (the store closed). */
  onClose?: (err?: Error) => void;
}

/** Thrown by create when the key exists. */
export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}

/** Thrown by get-dependent writes when the key is absent. */
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

/** Thrown by update/delete when the expected revision is not the key's current one. */
export class RevisionConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: StoredObject,
  ) {
    super(`revision conflict on ${key}`);
  }
}

/** Thrown by list/watch from a revision that compaction already removed. */
export class ExpiredError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (oldest available: ${compacted + 1})`);
  }
}

export interface Store {
  /** The revision of the newest write (0 for an empty store). */
  currentRevision(): number;
  /** The highest revision compaction removed; lists and watches need a revision above it. */
  compactedRevision(): number;
  get(key: string): Promise<StoredObject | undefined>;
  /** Keys starting with prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Count keys under prefix (for metrics and quotas). */
  count(prefix: string): Promise<number>;
  /** Create if absent; KeyExistsError otherwise. */
  create(key: string, object: KubeObject): Promise<StoredObject>;
  /** Replace if the key's modRevision is expectedRevision; RevisionConflictError or KeyNotFoundError otherwise. */
  update(key: string, object: KubeObject, expectedRevision: number): Promise<StoredObject>;
  /**
   * Delete if the key's modRevision is expectedRevision (absent: unconditionally).
   * Returns the deleted object with modRevision = the delete's revision.
   */
  delete(key: string, expectedRevision?: number): Promise<StoredObject>;
  /**
   * Events for keys under prefix with revision > opts.afterRevision, history first, then live, in
   * revision order. Throws ExpiredError at once when afterRevision < compactedRevision().
   */
  watch(prefix: string, opts: WatchOptions): Watcher;
  /** Drop history at or below revision (never the newest state of a live key). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
