/**
 * kube's deployment sync (pkg/controller/deployment: deployment_controller.go syncDeployment,
 * sync.go, rolling.go, recreate.go, progress.go). The logic writes through DeploymentOps, so
 * tests drive it with an in-memory fake and the controller with the REST client.
 */
import { isAlreadyExists } from "../../client/index.ts";
import { isNamespaceTerminating } from "../replicaset/controller.ts";
import { controllerRefOf, newControllerRef, type Pod } from "../replicaset/podutil.ts";
import { canonicalJson, computeHash } from "./hash.ts";
import {
  activeReplicaSets,
  actualReplicaCount,
  availableReplicaCount,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  calculateStatus,
  type Deployment,
  type DeploymentStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  getProportion,
  hashLabel,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  type ReplicaSet,
  reasons,
  removeCondition,
  replicaFailures,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionAnnotation,
  rsReplicas,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicaCount,
} from "./util.ts";

export interface DeploymentOps {
  now(): Date;
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  /** The ReplicaSet by name as currently known (after AlreadyExists). */
  getReplicaSet(namespace: string, name: string): Promise<ReplicaSet | undefined>;
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(rs: ReplicaSet): Promise<void>;
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
  event(d: Deployment, type: "Normal" | "Warning", reason: string, message: string): void;
  /** Sync this deployment again after ms (progress deadline checks). */
  requeueAfter(ms: number): void;
}

/** Pods of the deployment grouped by the uid of their controlling ReplicaSet (for Recreate). */
export type PodMap = Map<string, Pod[]>;

export function podMapFor(rss: ReplicaSet[], pods: Pod[]): PodMap {
  const m: PodMap = new Map();
  for (const rs of rss) m.set(rs.metadata.uid ?? "", []);
  for (const p of pods) {
    const ref = controllerRefOf(p);
    if (ref && m.has(ref.uid)) m.get(ref.uid)!.push(p);
  }
  return m;
}

/**
 * syncDeployment from the point where ReplicaSets are claimed: d is a private copy (it is
 * updated as kube's is), rsList are the ReplicaSets it owns, podMap its pods.
 */
export async function syncDeployment(
  d: Deployment,
  rsList: ReplicaSet[],
  podMap: PodMap,
  ops: DeploymentOps,
) {
  return new DeploymentSync(d, rsList, ops).run(podMap);
}

class DeploymentSync {
  constructor(
    private d: Deployment,
    private rsList: ReplicaSet[],
    private readonly ops: DeploymentOps,
  ) {
    d.status ??= {};
  }

  async run(podMap: PodMap): Promise<void> {
    const d = this.d;
    const sel = d.spec.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      this.ops.event(
        d,
        "Warning",
        "SelectingAll",
        "This deployment is selecting all pods. A non-empty selector is required.",
      );
      if ((d.status!.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status!.observedGeneration = d.metadata.generation;
        await this.writeStatus();
      }
      return;
    }
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly();
    await this.checkPausedConditions();
    if (d.spec.paused) return this.sync();
    if (await this.isScalingEvent()) return this.sync();
    if (d.spec.strategy?.type === "Recreate") return this.rolloutRecreate(podMap);
    return this.rolloutRolling();
  }

  private async writeStatus(): Promise<void> {
    const updated = await this.ops.updateDeploymentStatus(this.d);
    // Keep going with the stored resourceVersion so the next write does not conflict with our own.
    this.d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  private replace(rs: ReplicaSet): void {
    this.rsList = this.rsList.map((x) => (x.metadata.uid === rs.metadata.uid ? rs : x));
  }

  private async syncStatusOnly(): Promise<void> {
    const [newRS, olds] = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.syncDeploymentStatus([...olds, newRS], newRS);
  }

  /** sync: scaling events and paused deployments. */
  private async sync(): Promise<void> {
    const [newRS, olds] = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.scale(newRS, olds);
    const [n2, o2] = this.current(newRS, olds);
    if (this.d.spec.paused) await this.cleanupDeployment(o2);
    await this.syncDeploymentStatus([...o2, n2], n2);
  }

  /** The latest copies of newRS and olds after writes. */
  private current(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): [ReplicaSet | undefined, ReplicaSet[]] {
    const byUid = new Map(this.rsList.map((rs) => [rs.metadata.uid, rs]));
    const fresh = (rs: ReplicaSet): ReplicaSet => byUid.get(rs.metadata.uid) ?? rs;
    return [newRS && fresh(newRS), olds.map(fresh)];
  }

  private async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, "Progressing");
    if (cond?.reason === reasons.timedOut) return;
    const pausedCond = cond?.reason === reasons.paused;
    const now = this.ops.now();
    if (d.spec.paused && !pausedCond)
      setCondition(
        d.status!,
        newCondition("Progressing", "Unknown", reasons.paused, "Deployment is paused", now),
      );
    else if (!d.spec.paused && pausedCond)
      setCondition(
        d.status!,
        newCondition("Progressing", "Unknown", reasons.resumed, "Deployment is resumed", now),
      );
    else return;
    await this.writeStatus();
  }

  private async isScalingEvent(): Promise<boolean> {
    const [newRS, olds] = await this.getAllReplicaSetsAndSyncRevision(false);
    for (const rs of activeReplicaSets([...olds, newRS])) {
      const desired = rs.metadata.annotations?.[desiredReplicasAnnotation];
      if (desired === undefined || !/^\d+$/.test(desired)) continue;
      if (Number(desired) !== replicasOf(this.d)) return true;
    }
    return false;
  }

  /** getAllReplicaSetsAndSyncRevision. */
  private async getAllReplicaSetsAndSyncRevision(
    create: boolean,
  ): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
    const olds = findOldReplicaSets(this.d, this.rsList);
    const newRS = await this.getNewReplicaSet(olds, create);
    return [newRS, olds];
  }

  private async getNewReplicaSet(olds: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rsList);
    const newRevision = String(maxRevision(olds) + 1);
    const now = this.ops.now();
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (annotationsUpdated || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec = { ...copy.spec, minReadySeconds: minReady };
        const updated = await this.ops.updateReplicaSet(copy);
        this.replace(updated);
        return updated;
      }
      let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[revisionAnnotation] ?? "");
      if (hasProgressDeadline(d) && !getCondition(d.status, "Progressing")) {
        setCondition(
          d.status!,
          newCondition(
            "Progressing",
            "True",
            reasons.foundNewRS,
            `Found new replica set "${copy.metadata.name}"`,
            now,
          ),
        );
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus();
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template ?? {});
    const hash = computeHash(template, d.status!.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [hashLabel]: hash } };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [hashLabel]: hash };
    const newRS: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d, "apps/v1", "Deployment")],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...olds, newRS], newRS);
    newRS.spec!.replicas = count;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.ops.createReplicaSet(newRS);
      this.rsList = [...this.rsList, created];
    } catch (err) {
      if (isAlreadyExists(err)) {
        alreadyExists = true;
        const rs = await this.ops.getReplicaSet(d.metadata.namespace ?? "", newRS.metadata.name!);
        if (!rs) throw err;
        const ref = controllerRefOf(rs);
        if (!(ref && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec?.template))) {
          // A hash collision: another template hashed the same. Bump collisionCount and retry.
          d.status!.collisionCount = (d.status!.collisionCount ?? 0) + 1;
          await this.ops.updateDeploymentStatus(d).catch(() => undefined);
          throw err;
        }
        created = rs;
      } else if (isNamespaceTerminating(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${err instanceof Error ? err.message : err}`;
        if (hasProgressDeadline(d)) {
          setCondition(d.status!, newCondition("Progressing", "False", reasons.failedRSCreate, msg, now));
          await this.ops.updateDeploymentStatus(d).catch(() => undefined);
        }
        this.ops.event(d, "Warning", reasons.failedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExists && count > 0)
      this.ops.event(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${created.metadata.name} from 0 to ${count}`,
      );
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(
        d.status!,
        newCondition(
          "Progressing",
          "True",
          reasons.newRSCreated,
          `Created new replica set "${created.metadata.name}"`,
          now,
        ),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus();
    return created;
  }

  /** scale: proportional scaling of the active ReplicaSets when the deployment's size changed. */
  private async scale(newRS: ReplicaSet | undefined, olds: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const only = findActiveOrLatest(newRS, olds);
    if (only) {
      if (rsReplicas(only) !== replicasOf(d)) await this.scaleReplicaSet(only, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(olds)) await this.scaleReplicaSet(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeReplicaSets([...olds, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - specReplicaCount(all);
    if (toAdd > 0) all.sort(bySizeNewer);
    else if (toAdd < 0) all.sort(bySizeOlder);
    let added = 0;
    const sizes = new Map<ReplicaSet, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = getProportion(rs, d, toAdd, added);
        sizes.set(rs, rsReplicas(rs) + p);
        added += p;
      } else sizes.set(rs, rsReplicas(rs));
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      // Leftovers go to the largest ReplicaSet.
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs)!);
    }
  }

  /** scaleReplicaSet (and AndRecordEvent): resize and refresh the replica annotations. */
  private async scaleReplicaSet(rs: ReplicaSet, newScale: number): Promise<boolean> {
    const d = this.d;
    const sizeChanged = rsReplicas(rs) !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return false;
    const oldScale = rsReplicas(rs);
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec, replicas: newScale };
    setReplicasAnnotations(copy, replicasOf(d), max);
    const updated = await this.ops.updateReplicaSet(copy);
    this.replace(updated);
    if (sizeChanged) {
      const op = oldScale < newScale ? "up" : "down";
      this.ops.event(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled ${op} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`,
      );
    }
    return sizeChanged;
  }

  /** rolloutRolling. */
  private async rolloutRolling(): Promise<void> {
    let [newRS, olds] = await this.getAllReplicaSetsAndSyncRevision(true);
    if (await this.reconcileNewReplicaSet([...olds, newRS], newRS)) {
      [newRS, olds] = this.current(newRS, olds);
      return this.syncRolloutStatus([...olds, newRS], newRS);
    }
    if (await this.reconcileOldReplicaSets([...olds, newRS], activeReplicaSets(olds), newRS)) {
      [newRS, olds] = this.current(newRS, olds);
      return this.syncRolloutStatus([...olds, newRS], newRS);
    }
    if (deploymentComplete(this.d, this.d.status!)) await this.cleanupDeployment(olds);
    [newRS, olds] = this.current(newRS, olds);
    return this.syncRolloutStatus([...olds, newRS], newRS);
  }

  private async reconcileNewReplicaSet(
    all: Array<ReplicaSet | undefined>,
    newRS?: ReplicaSet,
  ): Promise<boolean> {
    const d = this.d;
    if (!newRS) return false;
    if (rsReplicas(newRS) === replicasOf(d)) return false;
    if (rsReplicas(newRS) > replicasOf(d)) return this.scaleReplicaSet(newRS, replicasOf(d));
    return this.scaleReplicaSet(newRS, newRSNewReplicas(d, all, newRS));
  }

  private async reconcileOldReplicaSets(
    all: Array<ReplicaSet | undefined>,
    olds: ReplicaSet[],
    newRS: ReplicaSet | undefined,
  ): Promise<boolean> {
    const d = this.d;
    if (specReplicaCount(olds) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = rsReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicaCount(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const [cleaned, cleanupCount] = await this.cleanupUnhealthyReplicas(olds, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned, newRS], cleaned);
    return cleanupCount + scaledDown > 0;
  }

  /** cleanupUnhealthyReplicas: scale down old replicas that are not available first. */
  private async cleanupUnhealthyReplicas(
    olds: ReplicaSet[],
    maxCleanup: number,
  ): Promise<[ReplicaSet[], number]> {
    const sorted = [...olds].sort(byCreation);
    let total = 0;
    const out: ReplicaSet[] = [];
    for (const rs of sorted) {
      const avail = rs.status?.availableReplicas ?? 0;
      if (total >= maxCleanup || rsReplicas(rs) === 0 || rsReplicas(rs) === avail) {
        out.push(rs);
        continue;
      }
      const down = Math.min(maxCleanup - total, rsReplicas(rs) - avail);
      await this.scaleReplicaSet(rs, rsReplicas(rs) - down);
      out.push(this.current(rs, [])[0]!);
      total += down;
    }
    return [out, total];
  }

  /** scaleDownOldReplicaSetsForRollingUpdate: keep minAvailable available, oldest first. */
  private async scaleDownOldReplicaSetsForRollingUpdate(
    all: Array<ReplicaSet | undefined>,
    olds: ReplicaSet[],
  ): Promise<number> {
    const d = this.d;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const available = availableReplicaCount(all);
    if (available <= minAvailable) return 0;
    const target = available - minAvailable;
    let total = 0;
    for (const rs of [...olds].sort(byCreation)) {
      if (total >= target) break;
      if (rsReplicas(rs) === 0) continue;
      const down = Math.min(rsReplicas(rs), target - total);
      await this.scaleReplicaSet(rs, rsReplicas(rs) - down);
      total += down;
    }
    return total;
  }

  /** rolloutRecreate: old pods all gone before the new ReplicaSet scales up. */
  private async rolloutRecreate(podMap: PodMap): Promise<void> {
    let [newRS, olds] = await this.getAllReplicaSetsAndSyncRevision(false);
    let scaledDown = false;
    for (const rs of activeReplicaSets(olds)) if (await this.scaleReplicaSet(rs, 0)) scaledDown = true;
    [newRS, olds] = this.current(newRS, olds);
    if (scaledDown) return this.syncRolloutStatus([...olds, newRS], newRS);
    if (oldPodsRunning(newRS, olds, podMap)) return this.syncRolloutStatus([...olds, newRS], newRS);
    if (!newRS) [newRS, olds] = await this.getAllReplicaSetsAndSyncRevision(true);
    if (newRS) await this.scaleReplicaSet(newRS, replicasOf(this.d));
    if (deploymentComplete(this.d, this.d.status!)) await this.cleanupDeployment(olds);
    [newRS, olds] = this.current(newRS, olds);
    return this.syncRolloutStatus([...olds, newRS], newRS);
  }

  /** cleanupDeployment: delete the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(olds: ReplicaSet[]): Promise<void> {
    const d = this.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const alive = olds.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - (d.spec.revisionHistoryLimit ?? 0);
    if (diff <= 0) return;
    alive.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = alive[i];
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        rsReplicas(rs) !== 0 ||
        (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
        rs.metadata.deletionTimestamp
      )
        continue;
      await this.ops.deleteReplicaSet(rs);
      this.rsList = this.rsList.filter((x) => x.metadata.uid !== rs.metadata.uid);
    }
  }

  private async syncDeploymentStatus(all: Array<ReplicaSet | undefined>, newRS?: ReplicaSet): Promise<void> {
    const status = calculateStatus(all, newRS, this.d, this.ops.now());
    if (statusEqual(this.d.status!, status)) return;
    this.d.status = status;
    await this.writeStatus();
  }

  /** syncRolloutStatus: status plus the Progressing condition and the progress deadline. */
  private async syncRolloutStatus(all: Array<ReplicaSet | undefined>, newRS?: ReplicaSet): Promise<void> {
    const d = this.d;
    const now = this.ops.now();
    const status = calculateStatus(all, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(status, "Progressing");
    const current = getCondition(d.status, "Progressing");
    const complete = status.replicas === status.updatedReplicas && current?.reason === reasons.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const name = newRS?.metadata.name;
      if (deploymentComplete(d, status)) {
        const msg = name ? `ReplicaSet "${name}" has successfully progressed.` : "";
        setCondition(status, newCondition("Progressing", "True", reasons.newRSAvailable, msg, now));
      } else if (deploymentProgressing(d, status)) {
        const msg = name
          ? `ReplicaSet "${name}" is progressing.`
          : `Deployment "${d.metadata.name}" is progressing.`;
        const c = newCondition("Progressing", "True", reasons.rsUpdated, msg, now);
        // Progress refreshes lastUpdateTime but keeps the transition time.
        if (current?.status === "True") c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, "Progressing");
        setCondition(status, c);
      } else if (deploymentTimedOut(d, status, now)) {
        const msg = name
          ? `ReplicaSet "${name}" has timed out progressing.`
          : `Deployment "${d.metadata.name}" has timed out progressing.`;
        setCondition(status, newCondition("Progressing", "False", reasons.timedOut, msg, now));
      }
    }
    const failures = replicaFailures(all, newRS);
    if (failures.length > 0) setCondition(status, failures[0]);
    else removeCondition(status, "ReplicaFailure");
    if (statusEqual(d.status!, status)) {
      this.requeueStuckDeployment(status);
      return;
    }
    d.status = status;
    await this.writeStatus();
  }

  /** requeueStuckDeployment: look again when the progress deadline would pass. */
  private requeueStuckDeployment(status: DeploymentStatus): void {
    const d = this.d;
    const cond = getCondition(d.status, "Progressing");
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === reasons.timedOut) return;
    const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : 0;
    const after = from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - this.ops.now().getTime();
    // kube: rate-limited when under a second away, else a second after the deadline.
    this.ops.requeueAfter(Math.max(after, 0) + 1000);
  }
}

/** oldPodsRunning: any old ReplicaSet still reports replicas, or any old pod is not finished. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, olds: ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicaCount(olds) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === "Failed" || phase === "Succeeded") continue;
      return true;
    }
  }
  return false;
}

/** reflect.DeepEqual on statuses, treating absent and zero counts alike (Go's zero values). */
export function statusEqual(a: DeploymentStatus, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus): string => {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(s).sort()) {
      const v = s[k];
      if (v === undefined || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
      o[k] = v;
    }
    return canonicalJson(o);
  };
  return norm(a) === norm(b);
}
