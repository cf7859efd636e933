/**
 * The decisions of kube's ReplicaSet controller (pkg/controller/replicaset, used for
 * ReplicationControllers too), as pure functions: which pods to claim, adopt and release, how
 * many pods to create or which to delete, and the status to report.
 */
import type { LabelSelector } from "../../api/machinery/selectors/label.ts";
import { matches, selectorFromMap } from "../../api/machinery/selectors/label.ts";
import type { KubeObject } from "../../api/machinery/types.ts";
import {
  controllerRefOf,
  isPodAvailable,
  isPodReady,
  type Pod,
  type PodTemplate,
  podsToDelete,
} from "./podutil.ts";

/** kube's BurstReplicas: at most this many creates or deletes per sync. */
export const burstReplicas = 500;

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
  [key: string]: unknown;
}

/** A ReplicaSet or ReplicationController as JSON. */
export interface ReplicaOwner extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: unknown;
    template?: PodTemplate;
    [key: string]: unknown;
  };
  status?: ReplicaStatus;
}

export interface Claim<T extends KubeObject = Pod> {
  /** Objects this controller owns and that still match: they count. */
  owned: T[];
  /** Matching orphans to adopt (they count once adopted). */
  adopt: T[];
  /** Owned objects that no longer match: to release. */
  release: T[];
}

/**
 * ControllerRefManager.ClaimObject over the active pods (or ReplicaSets) of the namespace: keep matching pods we
 * own; adopt matching orphans that are not being deleted; release owned pods that stopped
 * matching. A controller being deleted adopts and releases nothing.
 */
export function claimPods<T extends KubeObject>(
  owner: KubeObject,
  selector: LabelSelector,
  pods: T[],
): Claim<T> {
  const out: Claim<T> = { owned: [], adopt: [], release: [] };
  const deleting = !!owner.metadata.deletionTimestamp;
  const uid = owner.metadata.uid;
  for (const p of pods) {
    const ref = controllerRefOf(p);
    const match = matches(selector, p.metadata.labels);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (match) out.owned.push(p);
      else if (!deleting) out.release.push(p);
      continue;
    }
    if (deleting || !match || p.metadata.deletionTimestamp) continue;
    if (p.metadata.namespace !== owner.metadata.namespace) continue;
    out.adopt.push(p);
  }
  return out;
}

export type ManagePlan = { create: number; delete: Pod[] };

/**
 * manageReplicas: create the missing pods or pick the surplus ones to delete (kube's ranking),
 * at most burstReplicas per sync.
 */
export function planReplicas(
  replicas: number,
  active: Pod[],
  relatedPods: Pod[],
  now: Date,
  burst = burstReplicas,
): ManagePlan {
  const diff = active.length - replicas;
  if (diff < 0) return { create: Math.min(-diff, burst), delete: [] };
  if (diff > 0) return { create: 0, delete: podsToDelete(active, relatedPods, Math.min(diff, burst), now) };
  return { create: 0, delete: [] };
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * calculateStatus: counts over the active owned pods; the ReplicaFailure condition is set when
 * managing replicas failed (FailedCreate / FailedDelete) and removed once it works again.
 */
export function calculateStatus(
  owner: ReplicaOwner,
  pods: Pod[],
  manageError: Error | undefined,
  now: Date,
): ReplicaStatus {
  const status: ReplicaStatus = structuredClone(owner.status ?? {});
  const templateLabels = selectorFromMap(owner.spec?.template?.metadata?.labels);
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (matches(templateLabels, p.metadata.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const conditions = status.conditions ?? [];
  const failure = conditions.find((c) => c.type === "ReplicaFailure");
  if (manageError && !failure) {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    status.conditions = [
      ...conditions,
      {
        type: "ReplicaFailure",
        status: "True",
        lastTransitionTime: rfc3339(now),
        reason,
        message: manageError.message,
      },
    ];
  } else if (!manageError && failure) {
    status.conditions = conditions.filter((c) => c.type !== "ReplicaFailure");
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fully;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** updateReplicaSetStatus's early return: nothing counted changed and the generation is observed. */
export function statusUpToDate(owner: ReplicaOwner, next: ReplicaStatus): boolean {
  const cur = owner.status ?? {};
  return (
    (cur.replicas ?? 0) === next.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === next.fullyLabeledReplicas &&
    (cur.readyReplicas ?? 0) === next.readyReplicas &&
    (cur.availableReplicas ?? 0) === next.availableReplicas &&
    (owner.metadata.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}

/**
 * After a status write: with minReadySeconds, pods that are ready but not yet available become
 * available later; resync then (kube requeues after minReadySeconds).
 */
export function availabilityRecheckMs(owner: ReplicaOwner, status: ReplicaStatus): number | undefined {
  const minReady = owner.spec?.minReadySeconds ?? 0;
  const replicas = owner.spec?.replicas ?? 1;
  if (minReady > 0 && status.readyReplicas === replicas && status.availableReplicas !== replicas)
    return minReady * 1000;
  return undefined;
}

/**
 * slowStartBatch: run fn count times in batches of 1, 2, 4, … and stop after the first batch
 * with a failure, so a quota or admission error costs one request, not hundreds. Returns the
 * successes and the first error.
 */
export async function slowStartBatch(
  count: number,
  initialBatch: number,
  fn: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === "fulfilled") successes++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
