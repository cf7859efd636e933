/**
 * The EndpointSlice controller: Services with a selector get EndpointSlices listing the pods the
 * selector picks (kube-controller-manager's endpointslice-controller). Slices managed by others
 * are never touched; selector-less Services are left to the mirroring controller.
 */
import { isNotFound, type RestClient, splitKey, WorkQueue } from "../../client/index.ts";
import { queueServicesAndPods } from "../endpointutil/handlers.ts";
import { StaleInformerCacheError } from "../endpointutil/stale.ts";
import { TriggerTimeTracker } from "../endpointutil/trigger-time.ts";
import {
  type EndpointSlice,
  labelManagedBy,
  labelServiceName,
  type Node,
  type Pod,
  type Service,
} from "../endpointutil/types.ts";
import { EventRecorder, InformerFactory, kinds, runController } from "../framework/index.ts";
import { controllerName, defaultMaxEndpointsPerSlice, reconcileEndpointSlices } from "./reconciler.ts";
import { SliceTracker } from "./tracker.ts";

export interface EndpointSliceControllerOptions {
  /** Share informers with other controllers. */
  informers?: InformerFactory;
  recorder?: EventRecorder;
  workers?: number;
  maxEndpointsPerSlice?: number;
  onError?: (key: string, err: unknown) => void;
}

const serviceIndex = "service";

function sliceServiceKey(s: EndpointSlice): string | undefined {
  const svc = s.metadata.labels?.[labelServiceName];
  return svc ? `${s.metadata.namespace}/${svc}` : undefined;
}

export class EndpointSliceController {
  private readonly informers: InformerFactory;
  private readonly queue = new WorkQueue<string>();
  private readonly tracker = new SliceTracker(sliceServiceKey);
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly recorder: EventRecorder;
  private readonly services;
  private readonly pods;
  private readonly nodes;
  private readonly slices;
  private readonly sliceClient;

  constructor(
    client: RestClient,
    private readonly opts: EndpointSliceControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new InformerFactory(client);
    this.recorder = opts.recorder ?? new EventRecorder(client, "endpointslice-controller");
    this.sliceClient = client.resource<EndpointSlice>(kinds.endpointslices);
    this.services = this.informers.informer<Service>(kinds.services);
    this.pods = this.informers.informer<Pod>(kinds.pods);
    this.nodes = this.informers.informer<Node>(kinds.nodes);
    this.slices = this.informers.informer<EndpointSlice>(kinds.endpointslices, {
      indexers: { [serviceIndex]: (s) => [sliceServiceKey(s) ?? ""] },
    });

    const q = this.queue;
    queueServicesAndPods(this.services, this.pods, q);
    const managed = (s: EndpointSlice) => s.metadata.labels?.[labelManagedBy] === controllerName;
    this.slices.addEventHandler({
      onAdd: (s) => {
        if (managed(s) && this.tracker.shouldSync(s)) this.queueSliceService(s);
      },
      onUpdate: (old, s) => {
        // A slice taken over by (or handed back from) another manager also needs a sync.
        if ((managed(s) && this.tracker.shouldSync(s)) || managed(old) !== managed(s))
          this.queueSliceService(s);
      },
      onDelete: (s) => {
        if (managed(s) && this.tracker.handleDeletion(s)) this.queueSliceService(s);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers,
      onError: this.opts.onError,
    });
  }

  private queueSliceService(s: EndpointSlice): void {
    const key = sliceServiceKey(s);
    if (key) this.queue.add(key);
  }

  /** syncService */
  private async sync(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc) {
      // Slices go with their owner through garbage collection.
      this.triggerTimes.delete(key);
      this.tracker.deleteService(key);
      return;
    }
    if (svc.spec?.type === "ExternalName" || svc.spec?.selector == null) return;
    if (svc.metadata.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const selector = svc.spec.selector;
    const pods = this.pods
      .byIndex("namespace", namespace)
      .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    const cached = this.slices.byIndex(serviceIndex, key);
    if (this.tracker.stale(key, cached))
      throw new StaleInformerCacheError(`EndpointSlice informer cache is out of date for ${key}`);
    const existing = cached.filter(
      (s) => s.metadata.labels?.[labelManagedBy] === controllerName && !s.metadata.deletionTimestamp,
    );
    const changes = reconcileEndpointSlices({
      service: svc,
      pods,
      node: (name) => this.nodes.get(name),
      existing,
      triggerTime: this.triggerTimes.compute(svc, pods),
      maxEndpointsPerSlice: this.opts.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice,
    });
    const api = this.sliceClient.namespace(namespace);
    try {
      for (const s of changes.create) this.tracker.update(await api.create(s));
      for (const s of changes.update) this.tracker.update(await api.update(s));
      for (const s of changes.delete) {
        try {
          await api.delete(s.metadata.name!);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        this.tracker.expectDeletion(s);
      }
    } catch (err) {
      // A terminating namespace refuses creates for good: drop the key.
      if (String((err as Error).message).includes("because it is being terminated")) return;
      this.recorder.recordEvent(
        svc,
        "Warning",
        "FailedToUpdateEndpointSlices",
        `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`,
      );
      throw err;
    }
    if (changes.errors.length > 0) throw new Error(changes.errors.join("; "));
  }
}
