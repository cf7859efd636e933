/**
 * The EndpointSliceMirroring controller: Endpoints written by users for selector-less Services
 * are mirrored into EndpointSlices (kube-controller-manager's endpointslice-mirroring-controller).
 */
import { isNotFound, objectKey, type RestClient, splitKey, WorkQueue } from "../../client/index.ts";
import {
  annotationLeader,
  type EndpointSlice,
  type Endpoints,
  labelManagedBy,
  labelServiceName,
  labelSkipMirror,
  type Service,
} from "../endpointutil/types.ts";
import { EventRecorder, InformerFactory, kinds, runController } from "../framework/index.ts";
import { controllerName, defaultMaxEndpointsPerSubset, reconcileMirroredSlices } from "./reconciler.ts";

export interface EndpointSliceMirroringControllerOptions {
  informers?: InformerFactory;
  recorder?: EventRecorder;
  workers?: number;
  maxEndpointsPerSubset?: number;
  onError?: (key: string, err: unknown) => void;
}

const serviceIndex = "service";

function sliceServiceKey(s: EndpointSlice): string | undefined {
  const svc = s.metadata.labels?.[labelServiceName];
  return svc ? `${s.metadata.namespace}/${svc}` : undefined;
}

export class EndpointSliceMirroringController {
  private readonly informers: InformerFactory;
  private readonly queue = new WorkQueue<string>();
  private readonly recorder: EventRecorder;
  private readonly services;
  private readonly endpoints;
  private readonly slices;
  private readonly api;

  constructor(
    client: RestClient,
    private readonly opts: EndpointSliceMirroringControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new InformerFactory(client);
    this.recorder = opts.recorder ?? new EventRecorder(client, "endpoint-slice-mirroring-controller");
    this.api = client.resource<EndpointSlice>(kinds.endpointslices);
    this.services = this.informers.informer<Service>(kinds.services);
    this.endpoints = this.informers.informer<Endpoints>(kinds.endpoints);
    this.slices = this.informers.informer<EndpointSlice>(kinds.endpointslices, {
      indexers: { [serviceIndex]: (s) => [sliceServiceKey(s) ?? ""] },
    });
    const q = this.queue;
    const key = (o: Service | Endpoints) => q.add(objectKey(o));
    this.services.addEventHandler({ onAdd: key, onUpdate: (_o, s) => key(s), onDelete: key });
    this.endpoints.addEventHandler({ onAdd: key, onUpdate: (_o, e) => key(e), onDelete: key });
    const mine = (s: EndpointSlice) => s.metadata.labels?.[labelManagedBy] === controllerName;
    const queueSlice = (s: EndpointSlice) => {
      const k = sliceServiceKey(s);
      if (k) q.add(k);
    };
    this.slices.addEventHandler({
      onAdd: (s) => mine(s) && queueSlice(s),
      onUpdate: (old, s) => (mine(s) || mine(old)) && queueSlice(s),
      onDelete: (s) => mine(s) && queueSlice(s),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers,
      onError: this.opts.onError,
    });
  }

  private mirrored(key: string): EndpointSlice[] {
    return this.slices
      .byIndex(serviceIndex, key)
      .filter((s) => s.metadata.labels?.[labelManagedBy] === controllerName && !s.metadata.deletionTimestamp);
  }

  private async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const svc = this.services.get(key);
    // No Service: its slices (owned by the Endpoints) are left to garbage collection.
    if (!svc || svc.spec?.type === "ExternalName") return;
    const ep = this.endpoints.get(key);
    const mirror =
      svc.spec?.selector == null &&
      ep !== undefined &&
      ep.metadata.labels?.[labelSkipMirror] !== "true" &&
      !ep.metadata.annotations?.[annotationLeader];
    const existing = this.mirrored(key);
    const api = this.api.namespace(namespace);
    if (!mirror || !ep) {
      for (const s of existing) await this.remove(api, s);
      return;
    }
    // Endpoints being deleted: mirror nothing.
    const changes = ep.metadata.deletionTimestamp
      ? { create: [], update: [], delete: existing, events: [] }
      : reconcileMirroredSlices(
          ep,
          existing,
          this.opts.maxEndpointsPerSubset ?? defaultMaxEndpointsPerSubset,
        );
    for (const [reason, message] of changes.events) this.recorder.recordEvent(ep, "Warning", reason, message);
    for (const s of changes.create) await api.create(s);
    for (const s of changes.update) await api.update(s);
    for (const s of changes.delete) await this.remove(api, s);
  }

  private async remove(api: ReturnType<typeof this.api.namespace>, s: EndpointSlice): Promise<void> {
    try {
      await api.delete(s.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
