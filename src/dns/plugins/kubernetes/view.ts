/**
 * The narrow view of the cluster the kubernetes plugin answers from (CoreDNS's dnsController
 * indexes): services by name and by ClusterIP, EndpointSlices by service and by address, pods by
 * IP, namespaces by name. CacheView reads client caches: informers in production, plain `Cache`s
 * filled with objects in tests.
 */
import type { KubeObject } from "../../../api/machinery/types.ts";
import { Cache, type CacheReader, type Indexers } from "../../../client/index.ts";
import { canonicalIP } from "./names.ts";

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    ports?: ServicePort[];
  };
}

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: Array<{
    addresses: string[];
    conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
    hostname?: string;
    nodeName?: string;
    targetRef?: { kind?: string; name?: string; namespace?: string };
  }>;
  ports?: Array<{ name?: string; protocol?: string; port?: number | null }> | null;
  /**
   * Set by the informer transform (slim.ts) instead of `endpoints`: the ready addresses in
   * order, and in the same order their hostnames and pod names, each array only when one of
   * them has one. Five endpoints cost a third of what five endpoint objects do.
   */
  readyIPs?: readonly string[];
  readyHostnames?: readonly string[];
  readyPodNames?: readonly string[];
}

export interface Pod extends KubeObject {
  status?: { phase?: string; podIP?: string; podIPs?: Array<{ ip: string }> };
}

export type Namespace = KubeObject;

/** CoreDNS's object.Endpoints address: one ready address of a slice. */
export interface EndpointAddress {
  ip: string;
  hostname: string;
  targetRefName: string;
}

export interface EndpointPort {
  name: string;
  protocol: string;
  /** -1 when the slice declares no ports (CoreDNS's sentinel). */
  port: number;
}

export interface ClusterView {
  /** Every source has listed once (CoreDNS's HasSynced). */
  synced(): boolean;
  service(namespace: string, name: string): Service | undefined;
  servicesByClusterIP(ip: string): Service[];
  endpointSlices(namespace: string, service: string): EndpointSlice[];
  endpointSlicesByIP(ip: string): EndpointSlice[];
  podsByIP(ip: string): Pod[];
  namespace(name: string): Namespace | undefined;
  /** Unix seconds of the last change that shows in answers: the SOA serial. */
  modified(): number;
}

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

/** canonicalIP, returning the object's own string when it is canonical: one copy per address. */
function indexIP(ip: string): string {
  const c = canonicalIP(ip);
  return c === ip ? ip : c;
}

export const serviceIndexers: Indexers<Service> = {
  clusterIP: (s) =>
    clusterIPs(s)
      .filter((ip) => ip !== "None" && ip !== "")
      .map(indexIP),
};

export const sliceIndexers: Indexers<EndpointSlice> = {
  service: (e) => {
    const svc = e.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc ? [`${e.metadata.namespace ?? ""}/${svc}`] : [];
  },
  ip: (e) => readyAddresses(e).map((a) => indexIP(a.ip)),
};

/** Pods that CoreDNS lists: not Succeeded/Failed/Unknown, not terminating, with an IP. */
export const podIndexers: Indexers<Pod> = {
  ip: (p) => {
    const phase = p.status?.phase;
    if (phase === "Succeeded" || phase === "Failed" || phase === "Unknown") return [];
    if (p.metadata.deletionTimestamp) return [];
    // CoreDNS indexes status.podIP only.
    return p.status?.podIP ? [indexIP(p.status.podIP)] : [];
  },
};

/** spec.clusterIPs, or [spec.clusterIP] for objects written before dual-stack (object.ToService). */
export function clusterIPs(s: Service): string[] {
  const ips = s.spec?.clusterIPs;
  if (ips && ips.length > 0) return ips;
  return [s.spec?.clusterIP ?? ""];
}

export function isHeadless(s: Service): boolean {
  return clusterIPs(s)[0] === "None";
}

/** Service ports with CoreDNS's sentinel port -1 for a service without ports. */
export function servicePorts(s: Service): EndpointPort[] {
  const ports = s.spec?.ports ?? [];
  if (ports.length === 0) return [{ name: "", protocol: "", port: -1 }];
  return ports.map((p) => ({ name: p.name ?? "", protocol: p.protocol ?? "TCP", port: p.port }));
}

/**
 * A slice's ready addresses read by index, without an object per address on the hot path: slim
 * slices (slim.ts) hold them as flat arrays, others are read whole once (`whole`).
 */
export class ReadyReader {
  private e: EndpointSlice | undefined;
  private whole: EndpointAddress[] | undefined;
  count = 0;

  /** Read `e`'s ready addresses from now on; returns this. */
  of(e: EndpointSlice): this {
    this.e = e;
    this.whole = e.readyIPs ? undefined : wholeReady(e);
    this.count = this.whole ? this.whole.length : (e.readyIPs?.length ?? 0);
    return this;
  }
  ip(i: number): string {
    return this.whole ? this.whole[i].ip : (this.e?.readyIPs?.[i] ?? "");
  }
  hostname(i: number): string {
    return this.whole ? this.whole[i].hostname : (this.e?.readyHostnames?.[i] ?? "");
  }
  podName(i: number): string {
    return this.whole ? this.whole[i].targetRefName : (this.e?.readyPodNames?.[i] ?? "");
  }
}

/** Ready addresses of a slice; a missing `ready` condition means ready (EndpointConditions docs). */
export function readyAddresses(e: EndpointSlice): EndpointAddress[] {
  if (!e.readyIPs) return wholeReady(e);
  const r = new ReadyReader().of(e);
  const out = new Array<EndpointAddress>(r.count);
  for (let i = 0; i < r.count; i++)
    out[i] = { ip: r.ip(i), hostname: r.hostname(i), targetRefName: r.podName(i) };
  return out;
}

/** The ready addresses of a slice as the API has them (not slim). */
function wholeReady(e: EndpointSlice): EndpointAddress[] {
  const out: EndpointAddress[] = [];
  for (const ep of e.endpoints ?? []) {
    const ready = ep.conditions?.ready;
    if (ready === false) continue;
    // Pod names longer than a label cannot name an endpoint (object.EndpointSliceToEndpoints).
    const ref = ep.targetRef?.name ?? "";
    for (const ip of ep.addresses ?? []) {
      out.push({ ip, hostname: ep.hostname ?? "", targetRefName: ref.length < 64 ? ref : "" });
    }
  }
  return out;
}

export function slicePorts(e: EndpointSlice): EndpointPort[] {
  const ports = e.ports ?? [];
  if (ports.length === 0) return [{ name: "", protocol: "", port: -1 }];
  return ports.map((p) => ({ name: p.name ?? "", protocol: p.protocol ?? "", port: p.port ?? -1 }));
}

export interface CacheSources {
  services: CacheReader<Service>;
  /** Absent with `noendpoints`. */
  slices?: CacheReader<EndpointSlice>;
  /** Absent unless pods are verified. */
  pods?: CacheReader<Pod>;
  namespaces: CacheReader<Namespace>;
  synced?: () => boolean;
  modified?: () => number;
}

export class CacheView implements ClusterView {
  constructor(private readonly src: CacheSources) {}

  synced(): boolean {
    return this.src.synced ? this.src.synced() : true;
  }
  service(namespace: string, name: string): Service | undefined {
    return this.src.services.getIn(namespace, name);
  }
  servicesByClusterIP(ip: string): Service[] {
    return this.src.services.byIndex("clusterIP", canonicalIP(ip));
  }
  endpointSlices(namespace: string, service: string): EndpointSlice[] {
    return this.src.slices?.byIndex("service", `${namespace}/${service}`) ?? [];
  }
  endpointSlicesByIP(ip: string): EndpointSlice[] {
    return this.src.slices?.byIndex("ip", canonicalIP(ip)) ?? [];
  }
  podsByIP(ip: string): Pod[] {
    return this.src.pods?.byIndex("ip", canonicalIP(ip)) ?? [];
  }
  namespace(name: string): Namespace | undefined {
    return this.src.namespaces.get(name);
  }
  modified(): number {
    return this.src.modified ? this.src.modified() : 0;
  }
}

/** A view over plain objects (tests, and tools that answer from a snapshot). */
export function staticView(objs: {
  services?: Service[];
  slices?: EndpointSlice[];
  pods?: Pod[];
  namespaces?: string[];
  synced?: boolean;
  modified?: number;
}): CacheView {
  const services = new Cache<Service>(serviceIndexers, { byNamespace: true });
  const slices = new Cache<EndpointSlice>(sliceIndexers);
  const pods = new Cache<Pod>(podIndexers);
  const namespaces = new Cache<Namespace>();
  for (const s of objs.services ?? []) services.upsert(s);
  for (const e of objs.slices ?? []) slices.upsert(e);
  for (const p of objs.pods ?? []) pods.upsert(p);
  for (const n of objs.namespaces ?? []) namespaces.upsert({ metadata: { name: n } });
  return new CacheView({
    services,
    slices,
    pods,
    namespaces,
    synced: () => objs.synced ?? true,
    modified: () => objs.modified ?? 0,
  });
}
