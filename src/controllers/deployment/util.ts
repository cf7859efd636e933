/**
 * kube's pkg/controller/deployment/util (deployment_util.go) and the ReplicaSet sort orders of
 * controller_utils.go, as pure functions over JSON objects.
 */
import type { KubeObject } from "../../api/machinery/types.ts";
import type { PodTemplate } from "../replicaset/podutil.ts";
import type { ReplicaOwner } from "../replicaset/reconciler.ts";
import { canonicalJson } from "./hash.ts";

export const revisionAnnotation = "deployment.kubernetes.io/revision";
export const revisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
export const desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
export const maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
export const hashLabel = "pod-template-hash";
/** The deployment controller's default --deployment-controller revision history limit in characters. */
export const maxRevHistoryLengthInChars = 2000;

/** Condition reasons (deployment_util.go). */
export const reasons = {
  newRSCreated: "NewReplicaSetCreated",
  foundNewRS: "FoundNewReplicaSet",
  newRSAvailable: "NewReplicaSetAvailable",
  rsUpdated: "ReplicaSetUpdated",
  timedOut: "ProgressDeadlineExceeded",
  failedRSCreate: "ReplicaSetCreateError",
  paused: "DeploymentPaused",
  resumed: "DeploymentResumed",
  minAvailable: "MinimumReplicasAvailable",
  minUnavailable: "MinimumReplicasUnavailable",
} as const;

const annotationsToSkip = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  "deprecated.deployment.rollback.to",
]);

export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
  [key: string]: unknown;
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    template?: PodTemplate;
    strategy?: {
      type?: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
    [key: string]: unknown;
  };
  status?: DeploymentStatus;
}

export type ReplicaSet = ReplicaOwner;

export const replicasOf = (d: Deployment): number => d.spec.replicas ?? 1;
export const rsReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailable down; both 0 means one may be unavailable. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): [surge: number, unavailable: number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export const isRollingUpdate = (d: Deployment): boolean => d.spec.strategy?.type === "RollingUpdate";

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const u = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas)[1];
  return Math.min(u, replicas);
}

/** Revision: the revision annotation as a number (0 when absent; NaN when unparsable). */
export function revisionOf(o: KubeObject): number {
  const v = o.metadata.annotations?.[revisionAnnotation];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number(v) : Number.NaN;
}

export function maxRevision(rss: ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}

function creationTime(o: KubeObject): number {
  return o.metadata.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : 0;
}

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = creationTime(a) - creationTime(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? "") < (b.metadata.name ?? "")
    ? -1
    : (a.metadata.name ?? "") > (b.metadata.name ?? "")
      ? 1
      : 0;
}

/** ReplicaSetsBySizeOlder: largest first, then oldest first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreation(a, b);
  return rsReplicas(b) - rsReplicas(a);
}

/** ReplicaSetsBySizeNewer: largest first, then newest first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) === rsReplicas(b)) return creationTime(b) - creationTime(a);
  return rsReplicas(b) - rsReplicas(a);
}

/** ReplicaSetsByRevision: lowest revision first, then oldest. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) || 0;
  const rb = revisionOf(b) || 0;
  if (ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** FilterActiveReplicaSets: those with replicas wanted. */
export const activeReplicaSets = (rss: Array<ReplicaSet | undefined>): ReplicaSet[] =>
  rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);

const sum = (rss: Array<ReplicaSet | undefined>, f: (rs: ReplicaSet) => number | undefined): number =>
  rss.reduce((n, rs) => n + (rs ? (f(rs) ?? 0) : 0), 0);

/** GetReplicaCountForReplicaSets: spec replicas. */
export const specReplicaCount = (rss: Array<ReplicaSet | undefined>): number =>
  sum(rss, (rs) => rs.spec?.replicas);
/** GetActualReplicaCountForReplicaSets: status replicas. */
export const actualReplicaCount = (rss: Array<ReplicaSet | undefined>): number =>
  sum(rss, (rs) => rs.status?.replicas);
export const readyReplicaCount = (rss: Array<ReplicaSet | undefined>): number =>
  sum(rss, (rs) => rs.status?.readyReplicas);
export const availableReplicaCount = (rss: Array<ReplicaSet | undefined>): number =>
  sum(rss, (rs) => rs.status?.availableReplicas);

function withoutHash(t: PodTemplate | undefined): PodTemplate {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels[hashLabel];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return c;
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the deployment's. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec.template));
}

/** FindOldReplicaSets: every other ReplicaSet. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  const n = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata.uid !== n?.metadata.uid);
}

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(
  d: Deployment,
  all: Array<ReplicaSet | undefined>,
  newRS: ReplicaSet,
): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = specReplicaCount(all);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  rs.metadata.annotations ??= {};
  let updated = false;
  if (rs.metadata.annotations[desiredReplicasAnnotation] !== String(desired)) {
    rs.metadata.annotations[desiredReplicasAnnotation] = String(desired);
    updated = true;
  }
  if (rs.metadata.annotations[maxReplicasAnnotation] !== String(max)) {
    rs.metadata.annotations[maxReplicasAnnotation] = String(max);
    updated = true;
  }
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations;
  return a?.[desiredReplicasAnnotation] !== String(desired) || a?.[maxReplicasAnnotation] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copy the deployment's own annotations, raise the revision (keeping
 * the old ones in revision-history when an old template comes back), and for a new ReplicaSet set
 * desired/max replicas. True when anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: string,
  exists: boolean,
  historyLimitChars = maxRevHistoryLengthInChars,
): boolean {
  rs.metadata.annotations ??= {};
  const a = rs.metadata.annotations;
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision = a[revisionAnnotation];
  let oldInt = 0;
  if (oldRevision !== undefined && oldRevision !== "") {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    a[revisionAnnotation] = newRevision;
    changed = true;
  }
  if (oldRevision !== undefined && oldInt < newInt) {
    const history = a[revisionHistoryAnnotation] ?? "";
    const olds = history.split(",");
    if (olds[0] === "") a[revisionHistoryAnnotation] = oldRevision;
    else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > historyLimitChars && start < olds.length) {
        total -= olds[start].length + 1;
        start++;
      }
      if (total <= historyLimitChars)
        a[revisionHistoryAnnotation] = [...olds.slice(start), oldRevision].join(",");
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  d.metadata.annotations ??= {};
  if (d.metadata.annotations[revisionAnnotation] === revision) return false;
  d.metadata.annotations[revisionAnnotation] = revision;
  return true;
}

export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: Date,
): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: same status and reason → unchanged; same status → keep the transition
 * time; the condition moves to the end of the list.
 */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (!s.conditions) return;
  s.conditions = s.conditions.filter((c) => c.type !== type);
}

export const hasProgressDeadline = (d: Deployment): boolean =>
  d.spec.progressDeadlineSeconds !== undefined &&
  d.spec.progressDeadlineSeconds !== null &&
  d.spec.progressDeadlineSeconds !== 2147483647;

export const hasRevisionHistoryLimit = (d: Deployment): boolean =>
  d.spec.revisionHistoryLimit !== undefined &&
  d.spec.revisionHistoryLimit !== null &&
  d.spec.revisionHistoryLimit !== 2147483647;

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === r &&
    (s.replicas ?? 0) === r &&
    (s.availableReplicas ?? 0) === r &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than before. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the condition's last update. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, "Progressing");
  if (!c) return false;
  if (c.reason === reasons.newRSAvailable) return false;
  if (c.reason === reasons.timedOut) return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : 0;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}

/** calculateStatus: counts over the ReplicaSets and the Available condition. */
export function calculateStatus(
  all: Array<ReplicaSet | undefined>,
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: Date,
): DeploymentStatus {
  const available = availableReplicaCount(all);
  const total = specReplicaCount(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(all),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = structuredClone(d.status?.conditions ?? []);
  if (available >= replicasOf(d) - maxUnavailable(d))
    setCondition(
      status,
      newCondition("Available", "True", reasons.minAvailable, "Deployment has minimum availability.", now),
    );
  else
    setCondition(
      status,
      newCondition(
        "Available",
        "False",
        reasons.minUnavailable,
        "Deployment does not have minimum availability.",
        now,
      ),
    );
  return status;
}

/** getReplicaFailures: ReplicaFailure conditions of the new ReplicaSet first, else of any. */
export function replicaFailures(
  all: Array<ReplicaSet | undefined>,
  newRS: ReplicaSet | undefined,
): DeploymentCondition[] {
  const conv = (rs: ReplicaSet): DeploymentCondition[] =>
    (rs.status?.conditions ?? [])
      .filter((c) => c.type === "ReplicaFailure")
      .map((c) => ({
        type: c.type,
        status: c.status,
        lastUpdateTime: c.lastTransitionTime,
        lastTransitionTime: c.lastTransitionTime,
        reason: c.reason,
        message: c.message,
      }));
  if (newRS) {
    const c = conv(newRS);
    if (c.length > 0) return c;
  }
  return all.flatMap((rs) => (rs ? conv(rs) : []));
}

/** getReplicaSetFraction: this ReplicaSet's share of a proportional scale. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata.annotations?.[maxReplicasAnnotation]);
  const base =
    rs.metadata.annotations?.[maxReplicasAnnotation] !== undefined && Number.isInteger(annotated)
      ? annotated
      : (d.status?.replicas ?? 0);
  // Go's float64 division by 0 gives ±Inf/NaN; an unset base means "no information": keep the size.
  if (base === 0) return 0;
  return goRound((rsReplicas(rs) * deploymentReplicas) / base) - rsReplicas(rs);
}

/** math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** GetProportion: replicas to add to (or remove from) rs in a proportional scale. */
export function getProportion(
  rs: ReplicaSet | undefined,
  d: Deployment,
  toAdd: number,
  added: number,
): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** IsSaturated: the ReplicaSet is at the deployment's size, annotated so, and all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[desiredReplicasAnnotation];
  if (desired === undefined || !/^\d+$/.test(desired)) return false;
  const r = replicasOf(d);
  return rsReplicas(rs) === r && Number(desired) === r && (rs.status?.availableReplicas ?? 0) === r;
}

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active. */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  olds: ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && olds.length === 0) return undefined;
  const sorted = [...olds].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...sorted, newRS]);
  if (active.length === 0) return newRS ?? sorted[0];
  if (active.length === 1) return active[0];
  return undefined;
}
