/**
 * The Endpoints controller: Services with a selector get an Endpoints object of the same name
 * (kube-controller-manager's endpoint-controller). Selector-less Services' Endpoints belong to
 * their users; Endpoints whose Service is gone are deleted, as kube does.
 */
import { isNotFound, objectKey, type RestClient, splitKey, WorkQueue } from "../../client/index.ts";
import { queueServicesAndPods } from "../endpointutil/handlers.ts";
import { selectorMatches } from "../endpointutil/pods.ts";
import { StaleInformerCacheError } from "../endpointutil/stale.ts";
import { TriggerTimeTracker } from "../endpointutil/trigger-time.ts";
import { annotationLeader, type Endpoints, type Pod, type Service } from "../endpointutil/types.ts";
import { EventRecorder, InformerFactory, kinds, runController } from "../framework/index.ts";
import { reconcileEndpoints } from "./reconciler.ts";
import { StaleEndpointsTracker } from "./stale.ts";

export interface EndpointsControllerOptions {
  informers?: InformerFactory;
  recorder?: EventRecorder;
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

export class EndpointsController {
  private readonly informers: InformerFactory;
  private readonly queue = new WorkQueue<string>();
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly stale = new StaleEndpointsTracker();
  private readonly recorder: EventRecorder;
  private readonly services;
  private readonly pods;
  private readonly endpoints;
  private readonly api;

  constructor(
    client: RestClient,
    private readonly opts: EndpointsControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new InformerFactory(client);
    this.recorder = opts.recorder ?? new EventRecorder(client, "endpoint-controller");
    this.api = client.resource<Endpoints>(kinds.endpoints);
    this.services = this.informers.informer<Service>(kinds.services);
    this.pods = this.informers.informer<Pod>(kinds.pods);
    this.endpoints = this.informers.informer<Endpoints>(kinds.endpoints);
    const q = this.queue;
    queueServicesAndPods(this.services, this.pods, q);
    // A deleted Endpoints is recreated; at start, Endpoints without a Service are cleaned up.
    this.endpoints.addEventHandler({
      onAdd: (e) => {
        if (!this.services.get(objectKey(e)) && !e.metadata.annotations?.[annotationLeader])
          q.add(objectKey(e));
      },
      onDelete: (e) => {
        // Whatever we wrote is gone: the next sync starts from the empty cache entry.
        this.stale.forget(objectKey(e));
        q.add(objectKey(e));
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers,
      onError: this.opts.onError,
    });
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const api = this.api.namespace(namespace);
    const svc = this.services.get(key);
    if (!svc) {
      this.triggerTimes.delete(key);
      this.stale.forget(key);
      const ep = this.endpoints.get(key);
      if (!ep || ep.metadata.annotations?.[annotationLeader]) return;
      try {
        await api.delete(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    const selector = svc.spec?.selector;
    if (selector == null) return;
    const pods = this.pods
      .byIndex("namespace", namespace)
      .filter((p) => selectorMatches(selector, p.metadata.labels));
    const current = this.endpoints.get(key);
    if (this.stale.isStale(key, current?.metadata.resourceVersion))
      throw new StaleInformerCacheError(`endpoints information for service ${key} is not up to date`);
    const result = reconcileEndpoints({
      service: svc,
      pods,
      current,
      triggerTime: this.triggerTimes.compute(svc, pods),
    });
    if (!result) return;
    try {
      if (result.create) await api.create(result.endpoints);
      else await api.update(result.endpoints);
      this.stale.wrote(key, current?.metadata.resourceVersion);
    } catch (err) {
      if (String((err as Error).message).includes("because it is being terminated")) return;
      // kube records these on the Endpoints object, so they do not show in `describe svc`.
      const [reason, verb] = result.create
        ? ["FailedToCreateEndpoint", "create endpoint for service"]
        : ["FailedToUpdateEndpoint", "update endpoint"];
      this.recorder.recordEvent(
        { ...result.endpoints, apiVersion: "v1", kind: "Endpoints" },
        "Warning",
        reason,
        `Failed to ${verb} ${key}: ${(err as Error).message}`,
      );
      throw err;
    }
  }
}
