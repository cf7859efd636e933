/**
 * The Deployment controller's plumbing (kube's DeploymentController): informers on Deployments,
 * ReplicaSets and pods, ReplicaSet adoption, and the REST writes behind DeploymentOps.
 */
import { fromLabelSelector, type LabelSelector, matches } from "../../api/machinery/selectors/label.ts";
import type { OwnerReference } from "../../api/machinery/types.ts";
import {
  type Informer,
  isConflict,
  isNotFound,
  objectKey,
  type ResourceClient,
  type RestClient,
  WorkQueue,
} from "../../client/index.ts";
import { type EventRecorder, type InformerFactory, kinds, runController } from "../framework/index.ts";
import { controllerRefOf, type Pod } from "../replicaset/podutil.ts";
import { claim } from "../replicaset/refmanager.ts";
import { type DeploymentOps, podMapFor, syncDeployment } from "./reconciler.ts";
import { type Deployment, type ReplicaSet, revisionAnnotation } from "./util.ts";

export interface DeploymentControllerOptions {
  workers?: number;
  now?: () => Date;
  onError?: (key: string, err: unknown) => void;
}

export class DeploymentController {
  readonly queue = new WorkQueue<string>();
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly dClient: ResourceClient<Deployment>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private readonly now: () => Date;

  constructor(
    client: RestClient,
    private readonly informers: InformerFactory,
    private readonly recorder: EventRecorder,
    private readonly opts: DeploymentControllerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.deployments = informers.informer<Deployment>(kinds.deployments);
    this.replicaSets = informers.informer<ReplicaSet>(kinds.replicasets);
    this.pods = informers.informer<Pod>(kinds.pods);
    this.dClient = client.resource<Deployment>(kinds.deployments);
    this.rsClient = client.resource<ReplicaSet>(kinds.replicasets);
    this.deployments.addEventHandler({
      onAdd: (d) => this.queue.add(objectKey(d)),
      onUpdate: (_old, d) => this.queue.add(objectKey(d)),
      onDelete: (d) => this.queue.add(objectKey(d)),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.rsChanged(undefined, rs),
      onUpdate: (old, rs) => this.rsChanged(old, rs),
      onDelete: (rs) => this.enqueueOwner(rs.metadata.namespace, controllerRefOf(rs)),
    });
    this.pods.addEventHandler({ onDelete: (p) => this.podDeleted(p) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers,
      onError: this.opts.onError,
    });
  }

  private ownerOf(ns: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (ref?.kind !== "Deployment") return undefined;
    const d = this.deployments.get(`${ns}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(ns: string | undefined, ref: OwnerReference | undefined): void {
    const d = this.ownerOf(ns, ref);
    if (d) this.queue.add(objectKey(d));
  }

  /** addReplicaSet / updateReplicaSet: wake the owner, or every deployment that could adopt an orphan. */
  private rsChanged(old: ReplicaSet | undefined, rs: ReplicaSet): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const ref = controllerRefOf(rs);
    const oldRef = old && controllerRefOf(old);
    if (old && oldRef && oldRef.uid !== ref?.uid) this.enqueueOwner(old.metadata.namespace, oldRef);
    if (ref) {
      this.enqueueOwner(rs.metadata.namespace, ref);
      return;
    }
    if (rs.metadata.deletionTimestamp) return;
    const labelsChanged = !old || JSON.stringify(old.metadata.labels) !== JSON.stringify(rs.metadata.labels);
    if (!labelsChanged && oldRef?.uid === ref) return;
    for (const d of this.deployments.byIndex("namespace", rs.metadata.namespace ?? "")) {
      const sel = selectorOf(d);
      if (!sel || (!sel.nothing && sel.requirements.length === 0)) continue;
      if (matches(sel, rs.metadata.labels)) this.queue.add(objectKey(d));
    }
  }

  /** deletePod: a Recreate rollout waits for old pods to be gone. */
  private podDeleted(p: Pod): void {
    const rsRef = controllerRefOf(p);
    if (rsRef?.kind !== "ReplicaSet") return;
    const rs = this.replicaSets.get(`${p.metadata.namespace}/${rsRef.name}`);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const d = this.ownerOf(rs.metadata.namespace, controllerRefOf(rs));
    if (d?.spec.strategy?.type === "Recreate") this.queue.add(objectKey(d));
  }

  async sync(key: string): Promise<void> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const d: Deployment = { ...structuredClone(cached), apiVersion: "apps/v1", kind: "Deployment" };
    const ns = d.metadata.namespace ?? "";
    const sel = selectorOf(d);
    if (!sel) return; // an unparsable selector never syncs (kube logs it)
    let rsList: ReplicaSet[] = [];
    let pods: Pod[] = [];
    if (sel.nothing || sel.requirements.length > 0) {
      rsList = await claim(
        {
          owner: d,
          ownerApiVersion: "apps/v1",
          ownerKind: "Deployment",
          getOwner: () => this.dClient.namespace(ns).get(d.metadata.name!),
          client: this.rsClient.namespace(ns),
        },
        sel,
        this.replicaSets
          .byIndex("namespace", ns)
          .map((rs) => ({ ...rs, apiVersion: "apps/v1", kind: "ReplicaSet" })),
      );
      pods = this.pods.byIndex("namespace", ns).filter((p) => matches(sel, p.metadata.labels));
    }
    await syncDeployment(d, rsList, podMapFor(rsList, pods), this.ops(key, ns));
  }

  private ops(key: string, ns: string): DeploymentOps {
    const rs = this.rsClient.namespace(ns);
    const ds = this.dClient.namespace(ns);
    return {
      now: this.now,
      createReplicaSet: (o) => rs.create(o),
      getReplicaSet: async (_ns, name) => {
        try {
          return await rs.get(name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
      updateReplicaSet: (o) => rs.update(o),
      deleteReplicaSet: async (o) => {
        try {
          await rs.delete(o.metadata.name!, { preconditions: { uid: o.metadata.uid } });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      },
      updateDeploymentStatus: async (o) => {
        try {
          return await ds.updateStatus(o);
        } catch (err) {
          // A stale cache (our own previous status write) is the usual cause: retry once on the
          // fresh object when the spec is the one we computed from.
          if (!isConflict(err)) throw err;
          const fresh = await ds.get(o.metadata.name!);
          if (fresh.metadata.generation !== o.metadata.generation || fresh.metadata.uid !== o.metadata.uid)
            throw err;
          const annotations = { ...fresh.metadata.annotations };
          const rev = o.metadata.annotations?.[revisionAnnotation];
          if (rev !== undefined) annotations[revisionAnnotation] = rev;
          return ds.updateStatus({
            ...fresh,
            metadata: { ...fresh.metadata, annotations },
            status: o.status,
          });
        }
      },
      event: (o, type, reason, message) => this.recorder.recordEvent(o, type, reason, message),
      requeueAfter: (ms) => this.queue.addAfter(key, ms),
    };
  }
}

function selectorOf(d: Deployment): LabelSelector | undefined {
  try {
    return fromLabelSelector(d.spec.selector as Parameters<typeof fromLabelSelector>[0]);
  } catch {
    return undefined;
  }
}
