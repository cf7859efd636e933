/**
 * From a query name to CoreDNS's intermediate "services" (msg.Service: a host that is an IP or a
 * name, a port, an owner key): parseRequest, findServices, findPods and the reverse lookup of
 * plugin/kubernetes, on a ClusterView.
 */
import net from "node:net";
import { addressFromReverse, canonicalIP, endpointHostname, isReverse, trimZone } from "./names.ts";
import {
  type ClusterView,
  clusterIPs,
  isHeadless,
  readyAddresses,
  SERVICE_NAME_LABEL,
  servicePorts,
  slicePorts,
} from "./view.ts";

export type PodMode = "disabled" | "insecure" | "verified";

export interface Options {
  /** Lowercase, fully qualified. */
  zones: string[];
  /** The first non-reverse zone: PTR targets live there. */
  primaryZone: string;
  /** Exposed namespaces; empty = all. */
  namespaces: Set<string>;
  podMode: PodMode;
  endpointPodNames: boolean;
  ttl: number;
  ignoreEmptyService: boolean;
}

/** CoreDNS's msg.Service, reduced to what kubernetes fills in. */
export interface Svc {
  /** An IP address or a domain name (CNAME target). */
  host: string;
  port: number;
  ttl: number;
  /** Owner name of the record set the host belongs to (SRV targets), fully qualified. */
  key: string;
  text?: string;
}

/** A lookup outcome: records, or a name error (errNoItems / errNsNotExposed / errInvalidRequest). */
export type Found = { svcs: Svc[]; nx: false } | { svcs: []; nx: true };

const NX: Found = { svcs: [], nx: true };
const found = (svcs: Svc[]): Found => ({ svcs, nx: false });

export interface RecordRequest {
  port: string;
  protocol: string;
  endpoint: string;
  service: string;
  namespace: string;
  /** "pod", "svc", or "" for the zone apex and its svc/pod children. */
  podOrSvc: string;
}

/** parse.go: `[_port._proto.|endpoint.]service.namespace.(svc|pod).zone`; undefined = invalid. */
export function parseRequest(lname: string, zone: string): RecordRequest | undefined {
  const r: RecordRequest = { port: "", protocol: "", endpoint: "", service: "", namespace: "", podOrSvc: "" };
  const base = trimZone(lname, zone);
  if (base === "" || base === "svc" || base === "pod") return r;
  const segs = base.split(".");
  let last = segs.length - 1;
  r.podOrSvc = segs[last];
  if (r.podOrSvc !== "pod" && r.podOrSvc !== "svc") return undefined;
  if (--last < 0) return r;
  r.namespace = segs[last];
  if (--last < 0) return r;
  r.service = segs[last];
  if (--last < 0) return r;
  if (last === 0) r.endpoint = segs[0];
  else if (last === 1) {
    r.protocol = stripUnderscore(segs[1]);
    r.port = stripUnderscore(segs[0]);
  } else return undefined;
  return r;
}

function stripUnderscore(s: string): string {
  return s.startsWith("_") ? s.slice(1) : s;
}

const eq = (a: string, b: string) => a === b || a.toLowerCase() === b.toLowerCase();

function matchPortAndProtocol(aPort: string, bPort: string, aProto: string, bProto: string): boolean {
  return (aPort === "" || eq(aPort, bPort)) && (aProto === "" || eq(aProto, bProto));
}

export class Records {
  constructor(
    private readonly view: ClusterView,
    private readonly o: Options,
  ) {}

  /** configuredNamespace && the namespace exists (namespaceExposed). */
  namespaceExposed(ns: string): boolean {
    if (this.o.namespaces.size > 0 && !this.o.namespaces.has(ns)) return false;
    return this.view.namespace(ns) !== undefined;
  }

  /** Records(): the services a forward name stands for. `zone` keeps the query's case. */
  records(lname: string, zone: string): Found {
    const r = parseRequest(lname, zone.toLowerCase());
    if (!r) return NX;
    if (r.podOrSvc === "") return found([]);
    if (isReverse(lname) > 0) return NX;
    if (!this.namespaceExposed(r.namespace)) return NX;
    return r.podOrSvc === "pod" ? this.findPods(r, zone) : this.findServices(r, zone);
  }

  findPods(r: RecordRequest, zone: string): Found {
    if (this.o.podMode === "disabled") return NX;
    if (r.service === "") return found([]);
    const podname = r.service;
    const dashes = podname.split("-").length - 1;
    const ip =
      dashes === 3 && !podname.includes("--") ? podname.replaceAll("-", ".") : podname.replaceAll("-", ":");
    const key = `${podname}.${r.namespace}.pod.${zone}`;
    if (this.o.podMode === "insecure") {
      if (net.isIP(ip) === 0) return NX;
      return found([{ host: ip, port: 0, ttl: this.o.ttl, key }]);
    }
    const out: Svc[] = [];
    for (const p of this.view.podsByIP(ip)) {
      if (p.status?.podIP === ip && eq(r.namespace, p.metadata.namespace ?? "")) {
        out.push({ host: ip, port: 0, ttl: this.o.ttl, key });
      }
    }
    return out.length > 0 ? found(out) : NX;
  }

  findServices(r: RecordRequest, zone: string): Found {
    if (r.service === "") return found([]);
    const svc = this.view.service(r.namespace, r.service);
    if (!svc) return NX;
    const ns = svc.metadata.namespace ?? "";
    const name = svc.metadata.name ?? "";
    const svcKey = `${name}.${ns}.svc.${zone}`;
    const ttl = this.o.ttl;
    const type = svc.spec?.type;
    const headless = isHeadless(svc);
    const slices = () => this.view.endpointSlices(ns, name);

    // ignore empty_service: NXDOMAIN for a ClusterIP service without ready addresses.
    if (this.o.ignoreEmptyService && type !== "ExternalName" && !headless) {
      if (slices().every((e) => readyAddresses(e).length === 0)) return NX;
    }

    if (type === "ExternalName") {
      // No endpoints, no port/protocol pseudo-names; only a name target becomes a CNAME.
      if (r.endpoint || r.port || r.protocol) return NX;
      const host = svc.spec?.externalName ?? "";
      if (net.isIP(host) !== 0) return NX;
      return found([{ host, port: 0, ttl, key: svcKey }]);
    }

    const out: Svc[] = [];
    let ok = false;
    if (headless || r.endpoint !== "") {
      for (const e of slices()) {
        if (e.metadata.labels?.[SERVICE_NAME_LABEL] !== name) continue;
        const ports = slicePorts(e);
        for (const a of readyAddresses(e)) {
          const host = endpointHostname(a, this.o.endpointPodNames);
          if (r.endpoint !== "" && !eq(r.endpoint, host)) continue;
          for (const p of ports) {
            if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
            ok = true;
            out.push({ host: a.ip, port: p.port, ttl, key: `${host}.${svcKey}` });
          }
        }
      }
      return ok ? found(out) : NX;
    }

    for (const p of servicePorts(svc)) {
      if (!matchPortAndProtocol(r.port, p.name, r.protocol, p.protocol)) continue;
      ok = true;
      for (const ip of clusterIPs(svc)) out.push({ host: ip, port: p.port, ttl, key: svcKey });
    }
    return ok ? found(out) : NX;
  }

  /** Reverse(): PTR targets for a reverse name; a service ClusterIP wins over endpoints. */
  reverse(lname: string, zone: string): Found {
    const ip = addressFromReverse(lname);
    if (ip === "") {
      const f = this.records(lname, zone);
      return f.nx ? NX : found([]);
    }
    const exposed = (ns: string | undefined) =>
      this.o.namespaces.size === 0 || this.namespaceExposed(ns ?? "");
    const ttl = this.o.ttl;
    for (const s of this.view.servicesByClusterIP(ip)) {
      if (!exposed(s.metadata.namespace)) continue;
      const host = `${s.metadata.name}.${s.metadata.namespace}.svc.${this.o.primaryZone}`;
      return found([{ host, port: 0, ttl, key: host }]);
    }
    const out: Svc[] = [];
    for (const e of this.view.endpointSlicesByIP(ip)) {
      if (!exposed(e.metadata.namespace)) continue;
      const svcName = e.metadata.labels?.[SERVICE_NAME_LABEL] ?? "";
      for (const a of readyAddresses(e)) {
        if (canonicalIP(a.ip) !== ip) continue;
        const host = `${endpointHostname(a, this.o.endpointPodNames)}.${svcName}.${e.metadata.namespace}.svc.${this.o.primaryZone}`;
        out.push({ host, port: 0, ttl, key: host });
      }
    }
    return out.length > 0 ? found(out) : NX;
  }
}
