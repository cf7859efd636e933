/**
 * client-go's rate-limited work queue. A key is queued at most once (bursts collapse), and a key
 * being processed is never handed out again until done(): adds during processing mark it dirty
 * and it is requeued by done(). Retries with backoff live here, not in reconcilers.
 */
export interface WorkQueueOptions {
  /** First per-key retry delay (client-go's default controller rate limiter: 5 ms). */
  baseDelayMs?: number;
  /** Cap for the per-key retry delay (client-go: 1000 s). */
  maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiters: Array<(k: K | undefined) => void> = [];
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<K, number>();
  private readonly drained: Array<() => void> = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  /** Queue a key unless it is already waiting; ignored after shutDown. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() requeues it
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /**
   * The next key to process; wait while the queue is empty. Resolves undefined once the queue is
   * shut down (keys still queued then are dropped: a stopping component does no more work).
   * Every key received must be passed to done().
   */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Processing of key finished; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
    if (this.processing.size === 0) for (const d of this.drained.splice(0)) d();
  }

  /** Add key after ms; a key already waiting keeps the earlier of the two times. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const prev = this.delayed.get(key);
    if (prev && prev.at <= at) return;
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Add key after its own exponential backoff (base * 2^failures, capped); counts one failure. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.when(key));
  }

  /** The delay addRateLimited would use next, counting it as a failure. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  /** Stop tracking key's failures (after a success). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** Failures counted for key since its last forget(). */
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys waiting to be handed out (not counting delayed or in-process ones). */
  len(): number {
    return this.queue.length;
  }

  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** shutDown, then wait until every key handed out has been passed to done(). */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}

export interface RunWorkersOptions<K> {
  /** Told about each failed reconcile before the key is retried. */
  onError?: (key: K, err: unknown) => void;
}

/**
 * Run n workers that take keys from queue and reconcile them, until signal aborts (which shuts
 * the queue down) or the queue is shut down. A failure requeues the key with its per-key backoff;
 * a success forgets the key's failures. Resolves when every worker has stopped.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  reconcile: (key: K) => Promise<void>,
  signal: AbortSignal,
  opts: RunWorkersOptions<K> = {},
): Promise<void> {
  const stop = (): void => queue.shutDown();
  if (signal.aborted) stop();
  signal.addEventListener("abort", stop, { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        opts.onError?.(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
