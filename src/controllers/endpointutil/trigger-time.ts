/**
 * The endpoints.kubernetes.io/last-change-trigger-time value, as kube's TriggerTimeTracker
 * computes it: a Service seen for the first time gives its creationTimestamp; afterwards the
 * earliest Ready-condition lastTransitionTime among pods whose one changed since the last sync
 * (or the Service's creation time if that changed); undefined when nothing did (the annotation
 * is then removed).
 */
import { objectKey } from "../../client/index.ts";
import type { Pod, Service } from "./types.ts";

interface State {
  service: number;
  pods: Map<string, number>;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, State>();

  compute(svc: Service, pods: Pod[]): string | undefined {
    const key = objectKey(svc);
    const prev = this.states.get(key);
    let min: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      const t = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : Number.NaN;
      if (Number.isNaN(t)) continue;
      podTimes.set(pod.metadata.name ?? "", t);
      if (t > (prev?.pods.get(pod.metadata.name ?? "") ?? Number.NEGATIVE_INFINITY))
        min = Math.min(min ?? t, t);
    }
    const created = svc.metadata.creationTimestamp ? Date.parse(svc.metadata.creationTimestamp) : Number.NaN;
    const svcTime = Number.isNaN(created) ? 0 : created;
    if (svcTime > (prev?.service ?? Number.NEGATIVE_INFINITY) && svcTime > 0)
      min = Math.min(min ?? svcTime, svcTime);
    this.states.set(key, { service: svcTime, pods: podTimes });
    if (!prev) return svcTime > 0 ? formatTime(svcTime) : undefined;
    return min === undefined ? undefined : formatTime(min);
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}

/** RFC 3339 with nanoseconds trimmed as Go's RFC3339Nano does (no trailing zeros). */
export function formatTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.?0+Z$/, "Z")
    .replace(/\.Z$/, "Z");
}
