/**
 * kube's staleEndpointsTracker: the resourceVersion each Endpoints had before this controller last
 * wrote it ("" after a create). While the informer still shows that version, a sync would write
 * from a cache older than its own write and only earn a conflict: it waits for the informer.
 */
export class StaleEndpointsTracker {
  private readonly versions = new Map<string, string>();

  /** We wrote key's Endpoints over `replaced` (undefined: we created it). */
  wrote(key: string, replaced: string | undefined): void {
    this.versions.set(key, replaced ?? "");
  }

  /** Is `cached` (the informer's resourceVersion, undefined when absent) older than our write? */
  isStale(key: string, cached: string | undefined): boolean {
    const v = this.versions.get(key);
    return v !== undefined && v === (cached ?? "");
  }

  /** The Endpoints or its Service is gone: nothing of ours to wait for. */
  forget(key: string): void {
    this.versions.delete(key);
  }
}
