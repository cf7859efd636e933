/** Pod QoS class as kube's GetPodQOS (pkg/apis/core/helper/qos), over cpu and memory. */
import { obj, objects } from "./json.ts";
import { parseQuantity } from "./quantity.ts";

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

export function podQOS(spec: unknown): QOSClass {
  const s = obj(spec);
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const c of [...objects(s.containers), ...objects(s.initContainers)]) {
    const res = obj(c.resources);
    for (const [k, q] of Object.entries(obj(res.requests))) {
      const v = parseQuantity(q);
      if ((k === "cpu" || k === "memory") && v !== undefined && v > 0) add(requests, k, v);
    }
    const found = new Set<string>();
    for (const [k, q] of Object.entries(obj(res.limits))) {
      const v = parseQuantity(q);
      if ((k === "cpu" || k === "memory") && v !== undefined && v > 0) {
        found.add(k);
        add(limits, k, v);
      }
    }
    if (!found.has("cpu") || !found.has("memory")) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
