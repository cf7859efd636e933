/**
 * The live ClusterView: one watch-driven informer per kind (services, endpointslices unless
 * `noendpoints`, pods when verified, namespaces filtered by `namespace_labels`). Every event
 * bumps the SOA serial, records CoreDNS's DNS programming latency for EndpointSlices and
 * announces the names the new state makes answerable, so caches drop their denials at once.
 * With the apiserver gone the informers keep their last state and retry in the background.
 */
import type { Histogram } from "prom-client";
import { Informer, type RestClient } from "../../../client/index.ts";
import { endpointHostname, reverseName } from "./names.ts";
import { slimEndpointSlice, slimNamespace, slimPod, slimService } from "./slim.ts";
import {
  CacheView,
  clusterIPs,
  type EndpointSlice,
  isHeadless,
  type Namespace,
  type Pod,
  podIndexers,
  readyAddresses,
  SERVICE_NAME_LABEL,
  type Service,
  serviceIndexers,
  servicePorts,
  sliceIndexers,
  slicePorts,
  TRIGGER_TIME_ANNOTATION,
} from "./view.ts";

/**
 * Objects per list page. A parsed page lives until the informer has stored it; at client-go's 500
 * that outlives the server's small young generation (src/cli/dns-heap.ts), is promoted, and
 * leaves old space fragmented after the first sync: the peak RSS at 10,000 Services
 * (bench/RESULTS.md, session 12).
 */
const LIST_PAGE_SIZE = 100;

export interface WatchOptions {
  /** Forward zones (lowercase, fully qualified) the names are announced under. */
  zones: string[];
  labelSelector?: string;
  namespaceLabelSelector?: string;
  endpoints: boolean;
  pods: boolean;
  endpointPodNames: boolean;
  /** Names that may now be answerable (lowercase, fully qualified). */
  announce: (names: string[]) => void;
  programming?: Histogram<"service_kind">;
  log: { warn(m: string): void };
  now?: () => number;
}

export { TRIGGER_TIME_ANNOTATION };

export class ClusterWatch {
  readonly view: CacheView;
  private readonly services: Informer<Service>;
  private readonly slices?: Informer<EndpointSlice>;
  private readonly pods?: Informer<Pod>;
  private readonly namespaces: Informer<Namespace>;
  private modifiedAt = 0;
  private readonly abort = new AbortController();
  private readonly runs: Promise<void>[] = [];

  constructor(
    rest: RestClient,
    private readonly o: WatchOptions,
  ) {
    const now = o.now ?? Date.now;
    this.modifiedAt = Math.floor(now() / 1000);
    const onError = (err: unknown) => o.log.warn(`${(err as Error).message ?? err}`);
    const sel = { labelSelector: o.labelSelector || undefined, onError, pageSize: LIST_PAGE_SIZE };
    this.services = new Informer<Service>(
      rest.resource({ group: "", version: "v1", plural: "services", namespaced: true }),
      { ...sel, indexers: serviceIndexers, transform: slimService, byNamespace: true },
    );
    if (o.endpoints) {
      this.slices = new Informer<EndpointSlice>(
        rest.resource({
          group: "discovery.k8s.io",
          version: "v1",
          plural: "endpointslices",
          namespaced: true,
        }),
        {
          ...sel,
          indexers: sliceIndexers,
          transform: (e) => slimEndpointSlice(e, o.endpointPodNames),
        },
      );
    }
    if (o.pods) {
      this.pods = new Informer<Pod>(
        rest.resource({ group: "", version: "v1", plural: "pods", namespaced: true }),
        { ...sel, indexers: podIndexers, transform: slimPod },
      );
    }
    this.namespaces = new Informer<Namespace>(
      rest.resource({ group: "", version: "v1", plural: "namespaces", namespaced: false }),
      {
        labelSelector: o.namespaceLabelSelector || undefined,
        onError,
        pageSize: LIST_PAGE_SIZE,
        transform: slimNamespace,
      },
    );
    const touch = () => {
      this.modifiedAt = Math.floor(now() / 1000);
    };
    this.services.addEventHandler({
      onAdd: (s) => {
        touch();
        o.announce(serviceNames(s, o.zones));
      },
      onUpdate: (a, b) => {
        if (a.metadata.resourceVersion === b.metadata.resourceVersion) return;
        touch();
        o.announce(serviceNames(b, o.zones));
      },
      onDelete: touch,
    });
    this.slices?.addEventHandler({
      onAdd: (e) => this.sliceChanged(e, touch),
      onUpdate: (a, b) => {
        if (a.metadata.resourceVersion !== b.metadata.resourceVersion) this.sliceChanged(b, touch);
      },
      onDelete: (e, info) => {
        touch();
        if (!info.finalStateUnknown) this.recordLatency(e);
      },
    });
    this.pods?.addEventHandler({
      onAdd: (p) => {
        touch();
        o.announce(podNames(p, o.zones));
      },
      onUpdate: (a, b) => {
        if (a.status?.podIP === b.status?.podIP) return;
        touch();
        o.announce(podNames(b, o.zones));
      },
      onDelete: touch,
    });
    this.namespaces.addEventHandler({
      onAdd: (n) => {
        touch();
        const ns = n.metadata.name ?? "";
        o.announce(o.zones.flatMap((z) => [`${ns}.svc.${z}`, `${ns}.pod.${z}`]));
      },
      onDelete: touch,
    });
    this.view = new CacheView({
      services: this.services,
      slices: this.slices,
      pods: this.pods,
      namespaces: this.namespaces,
      synced: () => this.synced(),
      modified: () => this.modifiedAt,
    });
  }

  private sliceChanged(e: EndpointSlice, touch: () => void): void {
    touch();
    this.o.announce(sliceNames(e, this.o.zones, this.o.endpointPodNames));
    this.recordLatency(e);
  }

  /** object.EndpointLatencyRecorder: only for slices with a trigger time and exactly one service. */
  private recordLatency(e: EndpointSlice): void {
    const h = this.o.programming;
    const raw = e.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
    if (!h || !raw) return;
    const tt = Date.parse(raw);
    if (Number.isNaN(tt)) {
      this.o.log.warn(
        `DnsProgrammingLatency cannot be calculated for Endpoints '${e.metadata.namespace}/${e.metadata.name}'; invalid "${TRIGGER_TIME_ANNOTATION}" annotation RFC3339 value of "${raw}"`,
      );
      return;
    }
    const svc = this.services.get(`${e.metadata.namespace}/${e.metadata.labels?.[SERVICE_NAME_LABEL] ?? ""}`);
    if (!svc) return;
    const kind = isHeadless(svc) ? "headless_with_selector" : "cluster_ip";
    h.observe({ service_kind: kind }, Math.max(0, ((this.o.now ?? Date.now)() - tt) / 1000));
  }

  start(): void {
    for (const inf of [this.services, this.slices, this.pods, this.namespaces]) {
      if (inf) this.runs.push(inf.run(this.abort.signal).catch(() => {}));
    }
  }

  synced(): boolean {
    return (
      this.services.hasSynced() &&
      (this.slices?.hasSynced() ?? true) &&
      (this.pods?.hasSynced() ?? true) &&
      this.namespaces.hasSynced()
    );
  }

  /** Resolves true once every informer listed, false after ms. */
  async waitForSync(ms: number): Promise<boolean> {
    const timeout = AbortSignal.timeout(Math.max(1, ms));
    const signal = AbortSignal.any([timeout, this.abort.signal]);
    const all = [this.services, this.slices, this.pods, this.namespaces].filter(
      (i): i is NonNullable<typeof i> => i !== undefined,
    );
    const r = await Promise.all(all.map((i) => i.waitForSync(signal)));
    return r.every(Boolean);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.runs);
  }
}

/** The names a Service answers: its own, its SRV port names and its ClusterIPs' reverse names. */
export function serviceNames(s: Service, zones: string[]): string[] {
  const base = `${s.metadata.name}.${s.metadata.namespace}.svc.`;
  const out: string[] = [];
  for (const z of zones) {
    out.push(base + z);
    for (const p of servicePorts(s)) {
      if (p.name) out.push(`_${p.name}._${p.protocol.toLowerCase()}.${base}${z}`.toLowerCase());
    }
  }
  for (const ip of clusterIPs(s)) {
    const r = reverseName(ip);
    if (r) out.push(r);
  }
  return out.map((n) => n.toLowerCase());
}

/** The names an EndpointSlice answers: the service, each endpoint, the port names, the reverse names. */
export function sliceNames(e: EndpointSlice, zones: string[], podNames: boolean): string[] {
  const svc = e.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!svc) return [];
  const base = `${svc}.${e.metadata.namespace}.svc.`;
  const out: string[] = [];
  const addrs = readyAddresses(e);
  for (const z of zones) {
    out.push(base + z);
    for (const p of slicePorts(e)) {
      if (p.name) out.push(`_${p.name}._${p.protocol.toLowerCase()}.${base}${z}`);
    }
    for (const a of addrs) out.push(`${endpointHostname(a, podNames)}.${base}${z}`);
  }
  for (const a of addrs) {
    const r = reverseName(a.ip);
    if (r) out.push(r);
  }
  return out.map((n) => n.toLowerCase());
}

export function podNames(p: Pod, zones: string[]): string[] {
  const ip = p.status?.podIP;
  if (!ip) return [];
  const dashed = ip.includes(":") ? ip.replaceAll(":", "-") : ip.replaceAll(".", "-");
  return zones.map((z) => `${dashed}.${p.metadata.namespace}.pod.${z}`.toLowerCase());
}
