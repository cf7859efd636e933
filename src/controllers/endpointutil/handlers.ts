/**
 * The event wiring the Endpoints and EndpointSlice controllers share: a Service change queues
 * that Service; a pod change that matters for endpoints queues every Service selecting the pod,
 * before and after the change.
 */
import { type Informer, objectKey, type WorkQueue } from "../../client/index.ts";
import { podChangedForEndpoints, servicesSelecting } from "./pods.ts";
import type { Pod, Service } from "./types.ts";

export function queueServicesAndPods(
  services: Informer<Service>,
  pods: Informer<Pod>,
  q: WorkQueue<string>,
): void {
  const queuePod = (pod: Pod) => {
    const candidates = services.byIndex("namespace", pod.metadata.namespace ?? "");
    for (const s of servicesSelecting(pod, candidates)) q.add(objectKey(s));
  };
  services.addEventHandler({
    onAdd: (s) => q.add(objectKey(s)),
    onUpdate: (_o, s) => q.add(objectKey(s)),
    onDelete: (s) => q.add(objectKey(s)),
  });
  pods.addEventHandler({
    onAdd: queuePod,
    onUpdate: (old, p) => {
      if (old === p || !podChangedForEndpoints(old, p)) return;
      queuePod(old);
      queuePod(p);
    },
    onDelete: queuePod,
  });
}
