/**
 * The ReplicaSet controller's plumbing (kube's ReplicaSetController; also run for
 * ReplicationControllers): informers on the owners and pods, expectations, and the writes
 * (adopt/release patches, pod creates and deletes, status) with kube's events.
 */
import { type LabelSelector, matches, SelectorError } from "../../api/machinery/selectors/label.ts";
import type { OwnerReference } from "../../api/machinery/types.ts";
import {
  ApiError,
  type Informer,
  isConflict,
  isNotFound,
  objectKey,
  type ResourceClient,
  type RestClient,
  WorkQueue,
} from "../../client/index.ts";
import { type EventRecorder, type InformerFactory, kinds, runController } from "../framework/index.ts";
import { Expectations } from "./expectations.ts";
import type { ReplicaKind } from "./kind.ts";
import {
  controllerRefOf,
  isPodActive,
  isPodReady,
  newControllerRef,
  type Pod,
  podFromTemplate,
} from "./podutil.ts";
import {
  availabilityRecheckMs,
  calculateStatus,
  planReplicas,
  type ReplicaOwner,
  slowStartBatch,
  statusUpToDate,
} from "./reconciler.ts";
import { claim } from "./refmanager.ts";

export interface ReplicaControllerOptions {
  workers?: number;
  now?: () => Date;
  onError?: (key: string, err: unknown) => void;
}

/** kube's SlowStartInitialBatchSize. */
const slowStartInitialBatch = 1;

/** A create refused because the namespace is going away (kube's NamespaceTerminatingCause). */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.details?.causes?.some((c) => c.reason === "NamespaceTerminating")) return true;
  return err.code === 403 && /because it is being terminated/.test(err.message);
}

export class ReplicaController {
  readonly queue = new WorkQueue<string>();
  readonly expectations: Expectations;
  private readonly owners: Informer<ReplicaOwner>;
  private readonly pods: Informer<Pod>;
  private readonly ownerClient: ResourceClient<ReplicaOwner>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly now: () => Date;

  constructor(
    client: RestClient,
    private readonly informers: InformerFactory,
    private readonly kind: ReplicaKind,
    private readonly recorder: EventRecorder,
    private readonly opts: ReplicaControllerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.expectations = new Expectations(() => this.now().getTime());
    this.owners = informers.informer<ReplicaOwner>(kind.desc);
    this.pods = informers.informer<Pod>(kinds.pods);
    this.ownerClient = client.resource<ReplicaOwner>(kind.desc);
    this.podClient = client.resource<Pod>(kinds.pods);
    this.owners.addEventHandler({
      onAdd: (o) => this.queue.add(objectKey(o)),
      onUpdate: (_old, o) => this.queue.add(objectKey(o)),
      onDelete: (o) => {
        this.expectations.delete(objectKey(o));
        this.queue.add(objectKey(o));
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (old, p) => this.podUpdated(old, p),
      onDelete: (p) => this.podDeleted(p),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers,
      onError: this.opts.onError,
    });
  }

  /** resolveControllerRef: the owner a controller reference names, if it is ours and still the same object. */
  private ownerOf(ns: string | undefined, ref: OwnerReference | undefined): ReplicaOwner | undefined {
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const o = this.owners.get(`${ns}/${ref.name}`);
    return o && o.metadata.uid === ref.uid ? o : undefined;
  }

  /** getPodReplicaSets: owners in the pod's namespace whose selector matches it. */
  private ownersSelecting(p: Pod): ReplicaOwner[] {
    const out: ReplicaOwner[] = [];
    for (const o of this.owners.byIndex("namespace", p.metadata.namespace ?? "")) {
      try {
        const sel = this.kind.selector(o);
        if (!sel.nothing && sel.requirements.length === 0) continue; // kube skips selectors matching everything
        if (matches(sel, p.metadata.labels)) out.push(o);
      } catch {
        // An unparsable selector selects nothing.
      }
    }
    return out;
  }

  private podAdded(p: Pod): void {
    if (p.metadata.deletionTimestamp) {
      // A pod can arrive already being deleted (after a relist): count it as gone.
      this.podDeleted(p);
      return;
    }
    const ref = controllerRefOf(p);
    if (ref) {
      const o = this.ownerOf(p.metadata.namespace, ref);
      if (!o) return;
      const key = objectKey(o);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const o of this.ownersSelecting(p)) this.queue.add(objectKey(o));
  }

  private podUpdated(old: Pod, p: Pod): void {
    if (old.metadata.resourceVersion === p.metadata.resourceVersion) return; // periodic resync
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {});
    if (p.metadata.deletionTimestamp) {
      // Graceful deletion: the pod is on its way out; count it gone now so a replacement starts.
      this.podDeleted(p);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const ref = controllerRefOf(p);
    const oldRef = controllerRefOf(old);
    const refChanged = JSON.stringify(ref) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const o = this.ownerOf(old.metadata.namespace, oldRef);
      if (o) this.queue.add(objectKey(o));
    }
    if (ref) {
      const o = this.ownerOf(p.metadata.namespace, ref);
      if (!o) return;
      const key = objectKey(o);
      this.queue.add(key);
      // A pod that just became ready becomes available after minReadySeconds: look again then.
      const minReady = o.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(p)) this.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.ownersSelecting(p)) this.queue.add(objectKey(o));
  }

  private podDeleted(p: Pod): void {
    const o = this.ownerOf(p.metadata.namespace, controllerRefOf(p));
    if (!o) return;
    const key = objectKey(o);
    this.expectations.deletionObserved(key, objectKey(p));
    this.queue.add(key);
  }

  /** syncReplicaSet. */
  async sync(key: string): Promise<void> {
    const cached = this.owners.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const owner: ReplicaOwner = {
      ...structuredClone(cached),
      apiVersion: this.kind.apiVersion,
      kind: this.kind.kind,
    };
    let selector: LabelSelector;
    try {
      selector = this.kind.selector(owner);
    } catch (err) {
      if (err instanceof SelectorError) return; // invalid selectors are not retried (kube logs and drops)
      throw err;
    }
    const needsSync = this.expectations.satisfied(key) && !owner.metadata.deletionTimestamp;
    const ns = owner.metadata.namespace ?? "";
    const active = this.pods.byIndex("namespace", ns).filter(isPodActive);
    const owned = await this.claim(owner, selector, active);
    let manageError: Error | undefined;
    if (needsSync) manageError = await this.manageReplicas(key, owner, owned, active);
    const now = this.now();
    const status = calculateStatus(owner, owned, manageError, now);
    const updated = await this.updateStatus(owner, status);
    const recheck = availabilityRecheckMs(updated, updated.status ?? {});
    if (!manageError && recheck !== undefined) this.queue.addAfter(key, recheck);
    if (manageError) throw manageError;
  }

  /** claimPods: release what stopped matching, adopt matching orphans, return what we own. */
  private claim(owner: ReplicaOwner, selector: LabelSelector, active: Pod[]): Promise<Pod[]> {
    const ns = owner.metadata.namespace ?? "";
    return claim(
      {
        owner,
        ownerApiVersion: this.kind.apiVersion,
        ownerKind: this.kind.kind,
        getOwner: () => this.ownerClient.namespace(ns).get(owner.metadata.name!),
        client: this.podClient.namespace(ns),
      },
      selector,
      active,
    );
  }

  /** manageReplicas: create or delete pods toward spec.replicas, with expectations. */
  private async manageReplicas(
    key: string,
    owner: ReplicaOwner,
    owned: Pod[],
    active: Pod[],
  ): Promise<Error | undefined> {
    const replicas = owner.spec?.replicas ?? 1;
    const plan = planReplicas(replicas, owned, this.relatedPods(owner, owned, active), this.now());
    const ns = owner.metadata.namespace ?? "";
    const pods = this.podClient.namespace(ns);
    if (plan.create > 0) {
      this.expectations.expectCreations(key, plan.create);
      const ref = newControllerRef(owner, this.kind.apiVersion, this.kind.kind);
      const template = owner.spec?.template ?? {};
      const { successes, error } = await slowStartBatch(plan.create, slowStartInitialBatch, async () => {
        try {
          const created = await pods.create(podFromTemplate(template, owner.metadata.name!, ref));
          this.recorder.recordEvent(
            owner,
            "Normal",
            "SuccessfulCreate",
            `Created pod: ${created.metadata.name}`,
          );
        } catch (err) {
          if (isNamespaceTerminating(err)) return; // every create would fail; nothing to do
          // A timeout may still have created the pod: the informer will tell.
          if (err instanceof ApiError && err.code === 504) return;
          this.recorder.recordEvent(owner, "Warning", "FailedCreate", `Error creating: ${errorText(err)}`);
          throw err;
        }
      });
      // Creates that were skipped or failed will never be observed.
      for (let i = successes; i < plan.create; i++) this.expectations.creationObserved(key);
      return error === undefined ? undefined : toError(error);
    }
    if (plan.delete.length > 0) {
      this.expectations.expectDeletions(key, plan.delete.map(objectKey));
      let first: Error | undefined;
      await Promise.all(
        plan.delete.map(async (p) => {
          try {
            await pods.delete(p.metadata.name!);
            this.recorder.recordEvent(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
          } catch (err) {
            // The informer will not see this deletion.
            this.expectations.deletionObserved(key, objectKey(p));
            if (isNotFound(err)) return;
            this.recorder.recordEvent(owner, "Warning", "FailedDelete", `Error deleting: ${errorText(err)}`);
            first ??= toError(err);
          }
        }),
      );
      return first;
    }
    return undefined;
  }

  /**
   * getIndirectlyRelatedPods: pods of every controller that shares this one's owner (the
   * Deployment's other ReplicaSets), used to rank by pods doubled up on a node.
   */
  private relatedPods(owner: ReplicaOwner, owned: Pod[], active: Pod[]): Pod[] {
    const parent = controllerRefOf(owner);
    if (!parent) return owned;
    const siblings = new Set<string>();
    for (const o of this.owners.byIndex("namespace", owner.metadata.namespace ?? "")) {
      if (controllerRefOf(o)?.uid === parent.uid && o.metadata.uid) siblings.add(o.metadata.uid);
    }
    const byUid = new Map<string, Pod>();
    for (const p of [...owned, ...active.filter((p) => siblings.has(controllerRefOf(p)?.uid ?? ""))])
      byUid.set(p.metadata.uid ?? p.metadata.name ?? "", p);
    return [...byUid.values()];
  }

  /** updateReplicaSetStatus: skip when nothing changed; one retry on a conflict with a fresh read. */
  private async updateStatus(
    owner: ReplicaOwner,
    status: ReplicaOwner["status"] & object,
  ): Promise<ReplicaOwner> {
    if (statusUpToDate(owner, status)) return owner;
    const client = this.ownerClient.namespace(owner.metadata.namespace ?? "");
    let cur = owner;
    for (let attempt = 0; ; attempt++) {
      const next = { ...status, observedGeneration: cur.metadata.generation };
      try {
        return await client.updateStatus({ ...cur, status: next });
      } catch (err) {
        if (isNotFound(err)) return cur; // deleted meanwhile: its delete event ends this
        if (attempt >= 1 || !isConflict(err)) throw err;
        cur = await client.get(owner.metadata.name!);
      }
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
