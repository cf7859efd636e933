/**
 * A shared informer: one reflector keeps one cache current and tells every registered handler
 * what changed. Handlers run synchronously in registration order; they should only enqueue work.
 */
import type { KubeObject } from "../api/machinery/types.ts";
import { Cache, type CacheReader, type Indexers, objectKey } from "./cache.ts";
import { type ListerWatcher, Reflector, type ReflectorOptions, type ReflectorStore } from "./reflector.ts";

export interface DeleteInfo {
  /** True when the delete was inferred from a relist (client-go's DeletedFinalStateUnknown). */
  finalStateUnknown: boolean;
}

export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  /** Also called with old === new on periodic resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** obj is the last state the cache had. */
  onDelete?(obj: T, info: DeleteInfo): void;
}

export interface InformerOptions<T> extends ReflectorOptions<T> {
  indexers?: Indexers<T>;
  /** CacheOptions.byNamespace: getIn() without building a key. */
  byNamespace?: boolean;
  /** Call onUpdate(obj, obj) for every cached object this often (0/absent: never). */
  resyncMs?: number;
  /** Told when a handler throws (the informer goes on). */
  onHandlerError?: (err: unknown) => void;
}

export class Informer<T extends KubeObject> implements CacheReader<T> {
  private readonly cache: Cache<T>;
  private readonly reflector: Reflector<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private synced = false;
  private readonly syncWaiters = new Set<() => void>();

  constructor(
    lw: ListerWatcher<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.cache = new Cache<T>(opts.indexers, { byNamespace: opts.byNamespace });
    const store: ReflectorStore<T> = {
      replace: (items) => this.onReplace(items),
      upsert: (obj) => {
        const old = this.cache.upsert(obj);
        if (old) this.notify((h) => h.onUpdate?.(old, obj));
        else this.notify((h) => h.onAdd?.(obj));
      },
      remove: (obj) => {
        const old = this.cache.delete(objectKey(obj));
        // client-go drops deletes of objects it never knew.
        if (old) this.notify((h) => h.onDelete?.(obj, { finalStateUnknown: false }));
      },
    };
    this.reflector = new Reflector<T>(lw, store, opts);
  }

  /** Register handlers; if the cache already has objects, they are delivered as adds first. */
  addEventHandler(h: EventHandlers<T>): () => void {
    this.handlers.add(h);
    for (const obj of this.cache.list()) this.call(() => h.onAdd?.(obj));
    return () => {
      this.handlers.delete(h);
    };
  }

  /** List and watch until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.opts.resyncMs
      ? setInterval(() => {
          if (!this.synced) return;
          for (const obj of this.cache.list()) this.notify((h) => h.onUpdate?.(obj, obj));
        }, this.opts.resyncMs)
      : undefined;
    try {
      await this.reflector.run(signal);
    } finally {
      if (resync) clearInterval(resync);
    }
  }

  /** True once the first full list has reached the cache and the handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.syncWaiters.delete(done);
        resolve(false);
      };
      const done = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      };
      this.syncWaiters.add(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  get size(): number {
    return this.cache.size;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  getIn(namespace: string, name: string): T | undefined {
    return this.cache.getIn(namespace, name);
  }

  list(): T[] {
    return this.cache.list();
  }

  keys(): string[] {
    return this.cache.keys();
  }

  byIndex(indexName: string, value: string): T[] {
    return this.cache.byIndex(indexName, value);
  }

  private onReplace(items: T[]): void {
    const { added, updated, deleted } = this.cache.replace(items);
    for (const obj of added) this.notify((h) => h.onAdd?.(obj));
    for (const [old, obj] of updated) this.notify((h) => h.onUpdate?.(old, obj));
    for (const obj of deleted) this.notify((h) => h.onDelete?.(obj, { finalStateUnknown: true }));
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w();
      this.syncWaiters.clear();
    }
  }

  private notify(fn: (h: EventHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.onHandlerError?.(err);
    }
  }
}
