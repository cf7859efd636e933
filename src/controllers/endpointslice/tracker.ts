/**
 * kube's EndpointSliceTracker: the generation of every slice this controller wrote (or "deleted"),
 * so a sync never acts on an informer cache that has not caught up with its own writes (which
 * would create duplicate slices), and the informer's echo of its own writes does not requeue.
 */
import type { EndpointSlice } from "../endpointutil/types.ts";

const deleted = -1;

export class SliceTracker {
  /** service key → slice uid → generation written (or deleted). */
  private readonly bySvc = new Map<string, Map<string, number>>();

  constructor(private readonly serviceKey: (s: EndpointSlice) => string | undefined) {}

  /** Record a slice the apiserver returned for our create or update. */
  update(s: EndpointSlice): void {
    this.set(s, s.metadata.generation ?? 0);
  }

  expectDeletion(s: EndpointSlice): void {
    this.set(s, deleted);
  }

  /** True when the informer event is not the echo of our own write (so the Service should sync). */
  shouldSync(s: EndpointSlice): boolean {
    const g = this.get(s);
    if (g === undefined) return true;
    return g === deleted || (s.metadata.generation ?? 0) > g;
  }

  /** A slice was deleted: forget it. True if the deletion was not one we made. */
  handleDeletion(s: EndpointSlice): boolean {
    const key = this.serviceKey(s);
    const m = key === undefined ? undefined : this.bySvc.get(key);
    const g = m?.get(s.metadata.uid ?? "");
    m?.delete(s.metadata.uid ?? "");
    if (key !== undefined && m?.size === 0) this.bySvc.delete(key);
    return g !== deleted;
  }

  /** Is the cached view of the Service's slices older than what we wrote? */
  stale(serviceKey: string, cached: EndpointSlice[]): boolean {
    const m = this.bySvc.get(serviceKey);
    if (!m) return false;
    const have = new Map(cached.map((s) => [s.metadata.uid ?? "", s.metadata.generation ?? 0]));
    for (const [uid, g] of m) {
      const c = have.get(uid);
      if (g === deleted) {
        if (c !== undefined) return true;
      } else if (c === undefined || c < g) return true;
    }
    return false;
  }

  deleteService(serviceKey: string): void {
    this.bySvc.delete(serviceKey);
  }

  private get(s: EndpointSlice): number | undefined {
    const key = this.serviceKey(s);
    return key === undefined ? undefined : this.bySvc.get(key)?.get(s.metadata.uid ?? "");
  }

  private set(s: EndpointSlice, g: number): void {
    const key = this.serviceKey(s);
    if (key === undefined) return;
    let m = this.bySvc.get(key);
    if (!m) {
      m = new Map();
      this.bySvc.set(key, m);
    }
    m.set(s.metadata.uid ?? "", g);
  }
}
