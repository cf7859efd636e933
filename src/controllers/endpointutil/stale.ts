/**
 * The informer has not yet seen the controller's own last write (kube's StaleInformerCache
 * error): the sync is retried with backoff and succeeds once the watch catches up, so it is a
 * condition to count, not an error to show.
 */
export class StaleInformerCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleInformerCacheError";
  }
}
