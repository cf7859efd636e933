/**
 * client-go's reflector: list (in pages), then watch from the list's resourceVersion, feeding a
 * store. A watch that ends is resumed from the last resourceVersion seen (bookmarks move it
 * forward); 410 Expired relists; network errors back off and retry.
 */
import type { KubeObject } from "../api/machinery/types.ts";
import { Backoff, sleep } from "../util/backoff.ts";
import { ApiError, isExpired } from "./api-error.ts";
import type { ListOptions, ObjectList, WatchOptions } from "./resource.ts";
import type { WatchEvent } from "./watch.ts";

/** What a reflector lists and watches: a ResourceClient fits. */
export interface ListerWatcher<T> {
  list(opts: ListOptions): Promise<ObjectList<T>>;
  watch(opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** Where a reflector delivers what it learns. */
export interface ReflectorStore<T> {
  /** A full list: the store must now hold exactly these objects. */
  replace(items: T[], resourceVersion: string): void;
  upsert(obj: T): void;
  remove(obj: T): void;
}

export type ReflectorPhase = "list" | "watch";

export interface ReflectorOptions<T = unknown> {
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (client-go: 500). 0 lists in one request. */
  pageSize?: number;
  /** Watches ask the server to end after a random time in [min, 2*min) seconds (client-go: 5 min). */
  minWatchTimeoutSeconds?: number;
  /** Retry delays after errors (default 800 ms doubling to 30 s with jitter, as client-go). */
  backoff?: Backoff;
  /** A watch shorter than this that saw no event counts as a failure (client-go: "very short watch"). */
  shortWatchMs?: number;
  /** Told about each error before the retry. */
  onError?: (err: unknown, phase: ReflectorPhase) => void;
  /**
   * client-go's SetTransform: every listed or watched object passes through this before the store
   * sees it (to drop the fields a consumer never reads). Runs per list page, so the full objects
   * of one page at most are alive at once. The resourceVersion to resume from is read before it.
   * Must not throw.
   */
  transform?: (obj: T) => T;
}

type WatchOutcome = "ended" | "short" | "expired" | "error";

export class Reflector<T extends KubeObject> {
  private lastRV = "";
  private readonly backoff: Backoff;
  private running = false;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly store: ReflectorStore<T>,
    private readonly opts: ReflectorOptions<T> = {},
  ) {
    this.backoff =
      opts.backoff ?? new Backoff({ initialMs: 800, maxMs: 30_000, jitter: 1, resetAfterMs: 120_000 });
  }

  /** The resourceVersion the store is known to be current at. */
  get lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** List and watch until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error("reflector is already running");
    this.running = true;
    try {
      let needList = true;
      let expiredInARow = 0;
      while (!signal.aborted) {
        if (needList) {
          try {
            await this.listAll(signal);
            needList = false;
          } catch (err) {
            if (signal.aborted) return;
            this.opts.onError?.(err, "list");
            await sleep(this.backoff.next(), signal);
            continue;
          }
        }
        let outcome: WatchOutcome;
        try {
          outcome = await this.watchOnce(signal);
        } catch (err) {
          if (signal.aborted) return;
          if (isExpired(err)) {
            outcome = "expired";
          } else {
            // Could not (re)connect: keep the cache and resume from lastRV once the server answers.
            this.opts.onError?.(err, "watch");
            await sleep(this.backoff.next(), signal);
            continue;
          }
        }
        if (signal.aborted) return;
        if (outcome === "expired") {
          needList = true;
          // Relist at once the first time; a server that keeps answering 410 gets backoff.
          if (++expiredInARow > 1) await sleep(this.backoff.next(), signal);
          continue;
        }
        expiredInARow = 0;
        if (outcome === "error") {
          needList = true;
          await sleep(this.backoff.next(), signal);
        } else if (outcome === "short") {
          await sleep(this.backoff.next(), signal);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** All pages, then one replace at the list's resourceVersion. */
  private async listAll(signal: AbortSignal): Promise<void> {
    const base = {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      signal,
    };
    const pageSize = this.opts.pageSize ?? 500;
    let items: T[] = [];
    let rv = "";
    let cont: string | undefined;
    for (;;) {
      let page: ObjectList<T>;
      try {
        page = await this.lw.list({ ...base, limit: pageSize || undefined, continue: cont });
      } catch (err) {
        if (!cont || !isExpired(err)) throw err;
        // The continue token outlived the snapshot (client-go's pager: fall back to a full list).
        page = await this.lw.list(base);
        items = [];
      }
      const tf = this.opts.transform;
      for (const item of page.items) items.push(tf ? tf(item) : item);
      rv = page.metadata.resourceVersion ?? "";
      cont = page.metadata.continue || undefined;
      if (!cont) break;
    }
    this.store.replace(items, rv);
    this.lastRV = rv;
    this.backoff.reset();
  }

  private async watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    const started = Date.now();
    let events = 0;
    const stream = this.lw.watch({
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      resourceVersion: this.lastRV,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(min * (1 + Math.random())),
      signal,
    });
    for await (const ev of stream) {
      events++;
      if (ev.type === "ERROR") {
        if (ev.object.code === 410) return "expired";
        this.opts.onError?.(new ApiError(ev.object), "watch");
        return "error";
      }
      const raw = ev.object;
      const tf = this.opts.transform;
      if (ev.type === "ADDED" || ev.type === "MODIFIED") this.store.upsert(tf ? tf(raw) : raw);
      else if (ev.type === "DELETED") this.store.remove(tf ? tf(raw) : raw);
      const rv = raw.metadata?.resourceVersion;
      if (rv) this.lastRV = rv;
      if (events === 1) this.backoff.reset();
    }
    if (events === 0 && Date.now() - started < (this.opts.shortWatchMs ?? 1000)) return "short";
    return "ended";
  }
}
