/**
 * From a query name to CoreDNS's intermediate "services" (msg.Service: a host that is an IP or a
 * name, a port, an owner key): parseRequest, findServices, findPods and the reverse lookup of
 * plugin/kubernetes, on a ClusterView.
 */
import net from "node:net";
import { equalFold } from "../../names.ts";
import { addressFromReverse, canonicalIP, dotBefore, endpointName, isReverse, trimZoneEnd } from "./names.ts";
import {
  type ClusterView,
  clusterIPs,
  type EndpointSlice,
  ReadyReader,
  SERVICE_NAME_LABEL,
  type Service,
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
/** A name that exists without records (never changed by readers). */
const EMPTY: Found = { svcs: [], nx: false };
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

/** The zone apex and its bare svc/pod children (never changed by readers). */
const APEX: RecordRequest = Object.freeze({
  port: "",
  protocol: "",
  endpoint: "",
  service: "",
  namespace: "",
  podOrSvc: "",
});

/**
 * parse.go: `[_port._proto.|endpoint.]service.namespace.(svc|pod).zone`; undefined = invalid.
 * Labels are found right to left by index, and only the ones a request holds are cut out.
 */
export function parseRequest(lname: string, zone: string): RecordRequest | undefined {
  const end = trimZoneEnd(lname, zone);
  if (end === 0) return APEX;
  const p = dotBefore(lname, end);
  let podOrSvc: string;
  if (end - p !== 4) return undefined;
  if (lname.startsWith("svc", p + 1)) podOrSvc = "svc";
  else if (lname.startsWith("pod", p + 1)) podOrSvc = "pod";
  else return undefined;
  // The base is just "svc" or "pod": the apex's children, no namespace.
  if (p < 0) return APEX;
  const r: RecordRequest = { port: "", protocol: "", endpoint: "", service: "", namespace: "", podOrSvc };
  const n = dotBefore(lname, p);
  r.namespace = lname.slice(n + 1, p);
  if (n < 0) return r;
  const s = dotBefore(lname, n);
  r.service = lname.slice(s + 1, n);
  if (s < 0) return r;
  const e = dotBefore(lname, s);
  if (e < 0) {
    r.endpoint = lname.slice(0, s);
    return r;
  }
  if (dotBefore(lname, e) >= 0) return undefined;
  r.protocol = stripUnderscore(lname, e + 1, s);
  r.port = stripUnderscore(lname, 0, e);
  return r;
}

function stripUnderscore(s: string, from: number, to: number): string {
  return s.slice(s.charCodeAt(from) === 95 && from < to ? from + 1 : from, to);
}

function matchPortAndProtocol(aPort: string, bPort: string, aProto: string, bProto: string): boolean {
  return (aPort === "" || equalFold(aPort, bPort)) && (aProto === "" || equalFold(aProto, bProto));
}

type Port = { name?: string; protocol?: string; port?: number | null };
/** CoreDNS's sentinel for a slice without ports: one port -1, no name, no protocol. */
const NO_PORTS: readonly Port[] = Object.freeze([Object.freeze({ name: "", protocol: "", port: -1 })]);

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

  /** Exposed for reverse answers: every namespace when none are configured. */
  private reverseExposed(ns: string | undefined): boolean {
    return this.o.namespaces.size === 0 || this.namespaceExposed(ns ?? "");
  }

  /**
   * Records(): the services a forward name stands for. `zone` keeps the query's case. Without
   * `keys` (A/AAAA/TXT/CNAME answers, which never read them) Svc.key is left "".
   */
  records(lname: string, zone: string, keys = true, lzone = zone.toLowerCase()): Found {
    const r = parseRequest(lname, lzone);
    if (!r) return NX;
    if (r.podOrSvc === "") return EMPTY;
    if (isReverse(lname) > 0) return NX;
    if (r.podOrSvc === "pod") return this.namespaceExposed(r.namespace) ? this.findPods(r, zone) : NX;
    if (r.service === "") return this.namespaceExposed(r.namespace) ? EMPTY : NX;
    // The service first: most names that miss (search-path tries) have no such service, and
    // either miss is NXDOMAIN, so the namespace lookup is only needed for a hit.
    const svc = this.view.service(r.namespace, r.service);
    if (!svc) return NX;
    // The object's own namespace string is the same name, already hashed by earlier lookups.
    const own = svc.metadata.namespace;
    if (!this.namespaceExposed(own === r.namespace ? own : r.namespace)) return NX;
    return this.serviceRecords(svc, r, zone, keys);
  }

  findPods(r: RecordRequest, zone: string): Found {
    if (this.o.podMode === "disabled") return NX;
    if (r.service === "") return EMPTY;
    const podname = r.service;
    let dashes = 0;
    for (let i = podname.indexOf("-"); i >= 0; i = podname.indexOf("-", i + 1)) dashes++;
    const ip =
      dashes === 3 && !podname.includes("--") ? podname.replaceAll("-", ".") : podname.replaceAll("-", ":");
    const key = `${podname}.${r.namespace}.pod.${zone}`;
    if (this.o.podMode === "insecure") {
      if (net.isIP(ip) === 0) return NX;
      return found([{ host: ip, port: 0, ttl: this.o.ttl, key }]);
    }
    const out: Svc[] = [];
    for (const p of this.view.podsByIP(ip)) {
      if (p.status?.podIP === ip && equalFold(r.namespace, p.metadata.namespace ?? "")) {
        out.push({ host: ip, port: 0, ttl: this.o.ttl, key });
      }
    }
    return out.length > 0 ? found(out) : NX;
  }

  findServices(r: RecordRequest, zone: string, keys = true): Found {
    if (r.service === "") return EMPTY;
    const svc = this.view.service(r.namespace, r.service);
    if (!svc) return NX;
    return this.serviceRecords(svc, r, zone, keys);
  }

  private serviceRecords(svc: Service, r: RecordRequest, zone: string, keys: boolean): Found {
    const ns = svc.metadata.namespace ?? "";
    const name = svc.metadata.name ?? "";
    const ttl = this.o.ttl;
    const type = svc.spec?.type;
    const ips = clusterIPs(svc);
    const headless = ips[0] === "None";

    // ignore empty_service: NXDOMAIN for a ClusterIP service without ready addresses.
    if (this.o.ignoreEmptyService && type !== "ExternalName" && !headless) {
      let ready = false;
      for (const e of this.view.endpointSlices(ns, name)) if (readyCount(e) > 0) ready = true;
      if (!ready) return NX;
    }

    if (type === "ExternalName") {
      // No endpoints, no port/protocol pseudo-names; only a name target becomes a CNAME.
      if (r.endpoint || r.port || r.protocol) return NX;
      const host = svc.spec?.externalName ?? "";
      if (net.isIP(host) !== 0) return NX;
      return found([{ host, port: 0, ttl, key: `${name}.${ns}.svc.${zone}` }]);
    }

    if (headless || r.endpoint !== "") return this.endpointRecords(r, ns, name, zone, keys);

    const svcKey = keys ? `${name}.${ns}.svc.${zone}` : "";
    let out: Svc[] | undefined;
    const ports = svc.spec?.ports;
    if (!ports || ports.length === 0) {
      // CoreDNS's sentinel for a service without ports: port -1, no name, no protocol.
      if (matchPortAndProtocol(r.port, "", r.protocol, ""))
        out = addressesOf(undefined, ips, -1, ttl, svcKey);
    } else {
      for (const p of ports) {
        // Service ports default to TCP.
        if (!matchPortAndProtocol(r.port, p.name ?? "", r.protocol, p.protocol ?? "TCP")) continue;
        out = addressesOf(out, ips, p.port, ttl, svcKey);
      }
    }
    return out ? found(out) : NX;
  }

  /** Headless services and endpoint names: one Svc per ready address and matching port. */
  private endpointRecords(r: RecordRequest, ns: string, name: string, zone: string, keys: boolean): Found {
    const ttl = this.o.ttl;
    const podNames = this.o.endpointPodNames;
    const svcKey = keys ? `${name}.${ns}.svc.${zone}` : "";
    const out: Svc[] = [];
    let ok = false;
    for (const e of this.view.endpointSlices(ns, name)) {
      if (e.metadata.labels?.[SERVICE_NAME_LABEL] !== name) continue;
      const ports: readonly Port[] = e.ports && e.ports.length > 0 ? e.ports : NO_PORTS;
      const ready = reader.of(e);
      for (let i = 0; i < ready.count; i++) {
        const ip = ready.ip(i);
        let host = "";
        if (keys || r.endpoint !== "") {
          host = endpointName(ip, ready.hostname(i), ready.podName(i), podNames);
          if (r.endpoint !== "" && !equalFold(r.endpoint, host)) continue;
        }
        const key = keys ? `${host}.${svcKey}` : "";
        for (let j = 0; j < ports.length; j++) {
          const p = ports[j];
          if (!matchPortAndProtocol(r.port, p.name ?? "", r.protocol, p.protocol ?? "")) continue;
          ok = true;
          out.push({ host: ip, port: p.port ?? -1, ttl, key });
        }
      }
    }
    return ok ? found(out) : NX;
  }

  /** Reverse(): PTR targets for a reverse name; a service ClusterIP wins over endpoints. */
  reverse(lname: string, zone: string): Found {
    const ip = addressFromReverse(lname);
    if (ip === "") {
      const f = this.records(lname, zone, false);
      return f.nx ? NX : EMPTY;
    }
    const ttl = this.o.ttl;
    for (const s of this.view.servicesByClusterIP(ip)) {
      if (!this.reverseExposed(s.metadata.namespace)) continue;
      const host = `${s.metadata.name}.${s.metadata.namespace}.svc.${this.o.primaryZone}`;
      return found([{ host, port: 0, ttl, key: host }]);
    }
    let out: Svc[] | undefined;
    for (const e of this.view.endpointSlicesByIP(ip)) {
      if (!this.reverseExposed(e.metadata.namespace)) continue;
      const svcName = e.metadata.labels?.[SERVICE_NAME_LABEL] ?? "";
      const ready = reader.of(e);
      for (let i = 0; i < ready.count; i++) {
        const aip = ready.ip(i);
        if (aip !== ip && canonicalIP(aip) !== ip) continue;
        const label = endpointName(aip, ready.hostname(i), ready.podName(i), this.o.endpointPodNames);
        const host = `${label}.${svcName}.${e.metadata.namespace}.svc.${this.o.primaryZone}`;
        out ??= [];
        out.push({ host, port: 0, ttl, key: host });
      }
    }
    return out ? found(out) : NX;
  }
}

/** One Svc per ClusterIP for a port, appended to out (made on first use). */
function addressesOf(out: Svc[] | undefined, ips: string[], port: number, ttl: number, key: string): Svc[] {
  const o = out ?? [];
  for (const ip of ips) o.push({ host: ip, port, ttl, key });
  return o;
}

/**
 * One reader for every slice a lookup walks: answers are built synchronously, one at a time, so
 * no two walks share it at once, and there is no object per slice per query.
 */
const reader = new ReadyReader();

/** How many ready addresses a slice has (readyAddresses(e).length, without building them). */
function readyCount(e: EndpointSlice): number {
  return reader.of(e).count;
}
