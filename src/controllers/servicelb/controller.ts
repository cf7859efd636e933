/**
 * The LoadBalancer address controller (Skiff's built-in ServiceLB, shaped like MetalLB's
 * controller): LoadBalancer Services without a loadBalancerClass get addresses from `--lb-pool`,
 * written to status.loadBalancer.ingress through the /status subresource. The pool lives in
 * memory and is rebuilt from the Services' status when the controller starts.
 */
import { objectKey, type RestClient, WorkQueue } from "../../client/index.ts";
import { EventRecorder, InformerFactory, kinds, runController } from "../framework/index.ts";
import { AddressPool } from "./pool.ts";
import { type LBService, reconcile, restore } from "./reconciler.ts";

export interface ServiceLBControllerOptions {
  /** CIDRs to hand out (IPv4 and/or IPv6). */
  pools: string[];
  informers?: InformerFactory;
  recorder?: EventRecorder;
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

/** source.component of the Events this controller records. */
export const componentName = "service-lb-controller";

export class ServiceLBController {
  readonly pool: AddressPool;
  private readonly informers: InformerFactory;
  private readonly recorder: EventRecorder;
  private readonly queue = new WorkQueue<string>();
  private readonly services;
  private readonly api;
  /** Services waiting for an address: retried whenever one is freed. */
  private readonly pending = new Set<string>();
  private restored = false;
  /** Set when a reconcile frees addresses. */
  private freed = false;

  constructor(
    client: RestClient,
    private readonly opts: ServiceLBControllerOptions,
  ) {
    // Parse first: a bad CIDR is a configuration error the caller reports.
    this.pool = new AddressPool(opts.pools);
    this.pool.onRelease = () => {
      this.freed = true;
    };
    this.informers = opts.informers ?? new InformerFactory(client);
    this.recorder = opts.recorder ?? new EventRecorder(client, componentName);
    this.api = client.resource<LBService>(kinds.services);
    this.services = this.informers.informer<LBService>(kinds.services);
    const q = this.queue;
    this.services.addEventHandler({
      onAdd: (s) => q.add(objectKey(s)),
      onUpdate: (_o, s) => q.add(objectKey(s)),
      onDelete: (s) => q.add(objectKey(s)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers,
      onError: this.opts.onError,
    });
  }

  private async sync(key: string): Promise<void> {
    if (!this.restored) {
      // Runs once the informer has synced and before any allocation (synchronously).
      this.restored = true;
      restore(
        this.pool,
        this.services.list().map((svc) => ({ key: objectKey(svc), svc })),
      );
    }
    const svc = this.services.get(key);
    this.freed = false;
    const d = reconcile(this.pool, key, svc);
    if (d.pending) this.pending.add(key);
    else this.pending.delete(key);
    // Others waiting may fit now (not this key: what it freed, it gave up on purpose).
    if (this.freed) for (const k of this.pending) if (k !== key) this.queue.add(k);
    if (!svc) return;
    for (const e of d.events) this.recorder.recordEvent(svc, e.type, e.reason, e.message);
    if (d.ingress === undefined) return;
    const loadBalancer = d.ingress.length > 0 ? { ingress: d.ingress } : {};
    // A PUT with the cached resourceVersion: a conflict means a newer Service is on its way.
    await this.api.namespace(svc.metadata.namespace ?? "").updateStatus({
      ...svc,
      status: { ...svc.status, loadBalancer },
    });
  }
}
