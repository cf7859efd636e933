/**
 * kube's UIDTrackingControllerExpectations: after a controller asks for creates or deletes it
 * waits until its informer has seen them before it counts pods again, so a sync triggered by a
 * stale cache does not create or delete twice. Expectations expire after 5 minutes
 * (ExpectationsTimeout) so a lost watch event cannot wedge a controller.
 */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Record {
  add: number;
  del: number;
  /** Keys of pods whose deletion we wait to see. */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /** SatisfiedExpectations: nothing pending, expired, or never set. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.at > expectationsTimeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, deleting: new Set(), at: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), at: this.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** Counts only deletions we asked for (a pod is observed gone once). */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r?.deleting.delete(podKey)) r.del--;
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
