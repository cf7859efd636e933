/** The loop every controller runs: informers synced → workers over the queue → until signal aborts. */
import { runWorkers, type WorkQueue } from "../../client/index.ts";
import type { InformerFactory } from "./informers.ts";

export interface RunControllerOptions {
  /** Parallel reconciles (client-go's ConcurrentSyncs; kube's endpoint controllers default to 5). */
  workers?: number;
  /** Told about each failed reconcile (the key is retried with backoff). */
  onError?: (key: string, err: unknown) => void;
}

/**
 * Start the factory's informers, wait for their first list, then reconcile keys until signal
 * aborts. Resolves once the workers have stopped (the queue is shut down on abort).
 */
export async function runController(
  informers: InformerFactory,
  queue: WorkQueue<string>,
  reconcile: (key: string) => Promise<void>,
  signal: AbortSignal,
  opts: RunControllerOptions = {},
): Promise<void> {
  informers.start(signal);
  if (!(await informers.waitForSync(signal))) {
    queue.shutDown();
    return;
  }
  await runWorkers(queue, opts.workers ?? 5, reconcile, signal, { onError: opts.onError });
}
