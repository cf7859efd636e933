/**
 * Exponential backoff with jitter and a cap, like client-go's wait.Backoff as the reflector uses
 * it: each step multiplies the delay by `factor` up to `maxMs`, and jitter adds up to
 * `jitter * delay` on top so that many clients retrying after one outage spread out.
 */
export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Upper bound for the delay before jitter. */
  maxMs: number;
  /** Growth per step (default 2). */
  factor?: number;
  /** Extra random delay as a fraction of the delay, 0..1+ (default 0: none). */
  jitter?: number;
  /** Forget past failures when no step was taken for this long (client-go resets after 2 min). */
  resetAfterMs?: number;
  /** Injectable for tests. */
  random?: () => number;
  now?: () => number;
}

export class Backoff {
  private attempts = 0;
  private lastStep = Number.NEGATIVE_INFINITY;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly opts: BackoffOptions) {
    if (!(opts.initialMs >= 0) || !(opts.maxMs >= opts.initialMs)) {
      throw new RangeError("backoff needs 0 <= initialMs <= maxMs");
    }
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  /** The delay to wait before the next attempt; each call counts as one failure. */
  next(): number {
    const now = this.now();
    if (this.opts.resetAfterMs !== undefined && now - this.lastStep > this.opts.resetAfterMs) {
      this.attempts = 0;
    }
    this.lastStep = now;
    const base = Math.min(this.opts.initialMs * this.factor ** this.attempts, this.opts.maxMs);
    // Stop counting once capped so the exponent cannot overflow to Infinity.
    if (base < this.opts.maxMs) this.attempts++;
    return base + (this.jitter > 0 ? this.random() * this.jitter * base : 0);
  }

  /** Call after a success: the next failure starts again from initialMs. */
  reset(): void {
    this.attempts = 0;
    this.lastStep = Number.NEGATIVE_INFINITY;
  }

  /** Failures counted since the last reset (stops growing at the cap). */
  get steps(): number {
    return this.attempts;
  }
}

/** Resolve after `ms`, or at once (resolving false) when the signal aborts. True when the time passed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
