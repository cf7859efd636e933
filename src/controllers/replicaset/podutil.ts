/**
 * Pod helpers of kube-controller-manager (pkg/api/v1/pod and pkg/controller/controller_utils.go):
 * readiness and availability, which pods count, which to delete first, pods from a template.
 */
import type { KubeObject, OwnerReference } from "../../api/machinery/types.ts";

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [key: string]: unknown };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: Array<{ restartCount?: number; [key: string]: unknown }>;
    [key: string]: unknown;
  };
}

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

/** controller.IsPodActive: not finished and not being deleted. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !p.metadata.deletionTimestamp;
}

function readyCondition(p: Pod): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === "Ready");
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(p: Pod): boolean {
  return readyCondition(p)?.status === "True";
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds (strictly before now). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(p)) return false;
  if (!minReadySeconds) return true;
  const since = readyCondition(p)?.lastTransitionTime;
  if (!since) return false;
  return Date.parse(since) + minReadySeconds * 1000 < now.getTime();
}

/** metav1.GetControllerOf. */
export function controllerRefOf(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** getPodsPrefix: `<name>-` unless that is too long for a generateName. */
export function podNamePrefix(controllerName: string): string {
  return controllerName.length + 1 > 253 ? controllerName : `${controllerName}-`;
}

/** controller.GetPodFromTemplate: labels, annotations and finalizers of the template, its spec, the owner. */
export function podFromTemplate(template: PodTemplate, controllerName: string, ref: OwnerReference): Pod {
  const md = template.metadata ?? {};
  const metadata: Pod["metadata"] = {
    generateName: podNamePrefix(controllerName),
    ownerReferences: [ref],
  };
  if (md.labels) metadata.labels = { ...md.labels };
  if (md.annotations) metadata.annotations = { ...md.annotations };
  if (md.finalizers) metadata.finalizers = [...md.finalizers];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata,
    spec: structuredClone(template.spec ?? {}),
  };
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readyTime(p: Pod): number | undefined {
  if (!isPodReady(p)) return undefined;
  const t = readyCondition(p)?.lastTransitionTime;
  return t ? Date.parse(t) : undefined;
}

function maxRestarts(p: Pod): number {
  let m = 0;
  for (const c of p.status?.containerStatuses ?? []) m = Math.max(m, c.restartCount ?? 0);
  return m;
}

/** The controller.kubernetes.io/pod-deletion-cost annotation (0 when absent or invalid). */
function deletionCost(p: Pod): number {
  const v = p.metadata.annotations?.["controller.kubernetes.io/pod-deletion-cost"];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/** afterOrZero: a zero time sorts first, else the later one. */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** logarithmicRankDiff: compare the log2 of the ages (in nanoseconds, as kube does). */
function logRankDiff(a: number, b: number, now: number): number {
  const rank = (t: number): number => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(a) - rank(b);
}

/**
 * ActivePodsWithRanks.Less (LogarithmicScaleDown and PodDeletionCost on, as in 1.22+): true when
 * a should be deleted before b. rank = active related pods on the same node.
 */
export function deleteBefore(a: Pod, rankA: number, b: Pod, rankB: number, now: number): boolean {
  const na = a.spec?.nodeName ?? "";
  const nb = b.spec?.nodeName ?? "";
  // 1. Unassigned < assigned.
  if (na !== nb && (na === "" || nb === "")) return na === "";
  // 2. Pending < Unknown < Running.
  const pa = phaseOrdinal[a.status?.phase ?? ""] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ""] ?? 0;
  if (pa !== pb) return pa < pb;
  // 3. Not ready < ready.
  if (isPodReady(a) !== isPodReady(b)) return !isPodReady(a);
  // 4. Lower pod-deletion-cost first.
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca < cb;
  // 5. Doubled up on a node first.
  if (rankA !== rankB) return rankA > rankB;
  const uidLess = (): boolean => (a.metadata.uid ?? "") < (b.metadata.uid ?? "");
  // 6. Ready for less time first (log buckets, then uid).
  if (isPodReady(a) && isPodReady(b)) {
    const ra = readyTime(a);
    const rb = readyTime(b);
    if (ra !== rb) {
      if (ra === undefined || rb === undefined) return afterOrZero(ra, rb);
      const d = logRankDiff(ra, rb, now);
      return d === 0 ? uidLess() : d < 0;
    }
  }
  // 7. More restarts first.
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(a) > maxRestarts(b);
  // 8. Newer first (log buckets, then uid).
  const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : undefined;
  const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : undefined;
  if (ta !== tb) {
    if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
    const d = logRankDiff(ta, tb, now);
    return d === 0 ? uidLess() : d < 0;
  }
  return false;
}

/**
 * getPodsToDelete: the diff pods to delete first, ranked against relatedPods (this controller's
 * pods and those of its siblings under the same owner) on the same node.
 */
export function podsToDelete(pods: Pod[], relatedPods: Pod[], diff: number, now: Date): Pod[] {
  if (diff >= pods.length) return pods.slice();
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? "";
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const t = now.getTime();
  const ranked = pods.map((p) => ({ p, rank: onNode.get(p.spec?.nodeName ?? "") ?? 0 }));
  ranked.sort((x, y) => {
    if (deleteBefore(x.p, x.rank, y.p, y.rank, t)) return -1;
    if (deleteBefore(y.p, y.rank, x.p, x.rank, t)) return 1;
    return 0;
  });
  return ranked.slice(0, diff).map((r) => r.p);
}
