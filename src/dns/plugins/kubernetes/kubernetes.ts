/**
 * The kubernetes handler (plugin/kubernetes handler.go + plugin/backend_lookup.go): picks the
 * record form by query type, turns Records' services into RRs, and answers NXDOMAIN/NODATA with
 * the zone's SOA, SERVFAIL before the first sync, or falls through.
 */
import type { Answer, Packet, RecordType } from "dns-packet";
import { Flag, replyTo } from "../../message/message.ts";
import { fqdn, inZone, matchZone } from "../../names.ts";
import {
  type Handler,
  LookupLoopError,
  nextOrFailure,
  type Plugin,
  Rcode,
  type Request,
  type ResponseWriter,
} from "../../plugin.ts";
import { type Found, type Options, Records } from "./records.ts";
import type { ClusterView } from "./view.ts";

export const DNS_SCHEMA_VERSION = "1.1.0";
const MAX_CNAME_CHAIN = 10;

/** Resolve a name elsewhere (CoreDNS's Upstream.Lookup): the answer message, or undefined. */
export type Upstream = (
  req: Request,
  name: string,
  qtype: RecordType,
  signal: AbortSignal,
) => Promise<Packet | undefined>;

export interface KubernetesOptions extends Options {
  /** undefined: no fallthrough; otherwise the zones to fall through for. */
  fallthrough: string[] | undefined;
  /** Addresses this server answers on, for ns.dns.<zone> (CoreDNS's boundIPs). */
  localIPs: () => string[];
}

type RR = Answer;

interface Lookup {
  records: RR[];
  extra: RR[];
  truncated: boolean;
  nx: boolean;
}

export class Kubernetes implements Handler {
  readonly name = "kubernetes";
  readonly recs: Records;
  next: Handler | undefined;
  /**
   * For requests without `lookup` (not from a server): the rest of the chain. Set once the chain
   * is built; without either, ExternalName targets outside the zones are left to the client.
   */
  upstream: Upstream | undefined;
  /** The host's resolv.conf search domains, appended to pods' search paths by autopath. */
  autoPathSearch: string[] = [];

  constructor(
    readonly view: ClusterView,
    readonly o: KubernetesOptions,
  ) {
    this.recs = new Records(view, o);
  }

  plugin(): Plugin {
    return (next) => {
      this.next = next;
      return this;
    };
  }

  async serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Promise<number> {
    try {
      return await this.serve(req, w, signal);
    } catch (err) {
      // An ExternalName re-query looped past the server's re-entry limit: SERVFAIL, as a
      // client query, and every lookup above this one gives up the same way.
      if (err instanceof LookupLoopError) return Rcode.SERVFAIL;
      throw err;
    }
  }

  private async serve(req: Request, w: ResponseWriter, signal: AbortSignal): Promise<number> {
    const lzone = matchZone(this.o.zones, req.lname);
    if (lzone === "") return nextOrFailure(this.name, this.next, req, w, signal);
    // Keep the case of the query in every owner name built from the zone.
    const zone = lzone === "." ? "." : req.name.slice(req.name.length - lzone.length);
    let res: Lookup = { records: [], extra: [], truncated: false, nx: false };
    switch (req.qtype) {
      case "A":
      case "AAAA":
      case "TXT":
        res = await this.address(req, zone, req.name, req.qtype, [], signal);
        break;
      case "CNAME":
        res = this.cname(req, zone);
        break;
      case "PTR":
        res = this.ptr(req, zone);
        break;
      case "SRV":
        res = await this.srv(req, zone, signal);
        break;
      case "SOA":
        if (req.lname === lzone) res.records = [this.soa(zone)];
        break;
      case "AXFR":
      case "IXFR":
        return Rcode.REFUSED;
      case "NS":
        if (req.lname === lzone) {
          res = this.ns(req, zone);
          break;
        }
        res = await this.address(req, zone, req.name, "A", [], signal);
        res.records = [];
        break;
      default:
        // A fake A lookup tells NODATA from NXDOMAIN.
        res = await this.address(req, zone, req.name, "A", [], signal);
        res.records = [];
    }

    if (res.nx) {
      if (this.o.fallthrough && matchZone(this.o.fallthrough, req.lname) !== "") {
        return nextOrFailure(this.name, this.next, req, w, signal);
      }
      return this.backendError(req, w, zone, this.view.synced() ? Rcode.NXDOMAIN : Rcode.SERVFAIL);
    }
    if (res.records.length === 0) return this.backendError(req, w, zone, Rcode.NOERROR);
    const m = replyTo(req.msg);
    m.flags = (m.flags ?? 0) | Flag.AA | (res.truncated ? Flag.TC : 0);
    m.answers = res.records;
    m.additionals = res.extra;
    w.write(m);
    return Rcode.NOERROR;
  }

  /** BackendError: the rcode with the zone's SOA in authority; the message is written. */
  private backendError(req: Request, w: ResponseWriter, zone: string, rcode: number): number {
    const m = replyTo(req.msg, rcode);
    m.flags = (m.flags ?? 0) | Flag.AA;
    m.authorities = [this.soa(zone)];
    w.write(m);
    return Rcode.NOERROR;
  }

  soa(zone: string): RR {
    const z = zone === "." ? "" : zone;
    return {
      name: zone,
      type: "SOA",
      class: "IN",
      ttl: Math.min(this.o.ttl, 300),
      data: {
        mname: `ns.dns.${z}`,
        rname: `hostmaster.${z}`,
        serial: this.view.modified() >>> 0,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.o.ttl,
      },
    };
  }

  /** Services(): Records plus the special names (dns-version TXT, ns.dns.<zone>). */
  services(lname: string, zone: string, qtype: string): Found {
    const lzone = zone.toLowerCase();
    if (qtype === "TXT") {
      if (lname === `dns-version.${lzone === "." ? "" : lzone}`) {
        return { svcs: [{ host: "", port: 0, ttl: 28800, key: lname, text: DNS_SCHEMA_VERSION }], nx: false };
      }
      const f = this.recs.records(lname, zone);
      // The name exists with other types: NODATA; otherwise NXDOMAIN.
      return f.svcs.length > 0 ? { svcs: [], nx: false } : { svcs: [], nx: true };
    }
    if (lname === `ns.dns.${lzone === "." ? "" : lzone}`) {
      const svcs = this.nsAddrs(zone).map(([, ip]) => ({ host: ip, port: 0, ttl: this.o.ttl, key: lname }));
      return { svcs, nx: false };
    }
    return this.recs.records(lname, zone);
  }

  /** plugin.A / AAAA / TXT: addresses (or the TXT), following CNAMEs inside our zone. */
  private async address(
    req: Request,
    zone: string,
    qname: string,
    qtype: "A" | "AAAA" | "TXT",
    previous: RR[],
    signal: AbortSignal,
  ): Promise<Lookup> {
    const lname = qname.toLowerCase();
    const f = this.services(lname, zone, qtype);
    const out: Lookup = { records: [], extra: [], truncated: false, nx: f.nx };
    if (f.nx) return out;
    const dup = new Set<string>();
    for (const s of f.svcs) {
      if (qtype === "TXT" && s.text !== undefined) {
        if (!dup.has(s.text)) {
          dup.add(s.text);
          out.records.push({ name: qname, type: "TXT", class: "IN", ttl: s.ttl, data: s.text });
        }
        continue;
      }
      const fam = ipFamily(s.host);
      if (fam === 0) {
        const target = fqdn(s.host);
        // x CNAME x is a loop; so is a CNAME already in the chain.
        if (target.toLowerCase() === lname) continue;
        if (previous.length > MAX_CNAME_CHAIN) continue;
        const cname: RR = { name: qname, type: "CNAME", class: "IN", ttl: s.ttl, data: target };
        if (previous.some((p) => p.type === "CNAME" && sameCname(p, cname))) continue;
        if (inZone(target.toLowerCase(), zone)) {
          const next = await this.address(req, zone, target, qtype, [...previous, cname], signal);
          if (!next.nx && next.records.length > 0) out.records.push(cname, ...next.records);
          if (next.truncated) out.truncated = true;
          continue;
        }
        // Outside the zone: ask the whole server (CoreDNS's upstream.Lookup); without a server
        // (plugin called directly), the rest of the chain; without that, the client chases it.
        let m: Packet | undefined;
        if (req.lookup) m = await req.lookup(target, qtype, signal);
        else if (this.upstream) m = await this.upstream(req, target, qtype, signal);
        else {
          out.records.push(cname);
          continue;
        }
        // backend_lookup.go: no reply at all drops the CNAME; any reply (NXDOMAIN, SERVFAIL
        // included) gives the CNAME plus whatever answers it has, and the query stays NOERROR.
        if (!m) continue;
        if (((m.flags ?? 0) & Flag.TC) !== 0) out.truncated = true;
        out.records.push(cname, ...(m.answers ?? []));
        continue;
      }
      if (qtype === "A" && fam === 4 && !dup.has(s.host)) {
        dup.add(s.host);
        out.records.push({ name: qname, type: "A", class: "IN", ttl: s.ttl, data: s.host });
      }
      if (qtype === "AAAA" && fam === 6 && !dup.has(s.host)) {
        dup.add(s.host);
        out.records.push({ name: qname, type: "AAAA", class: "IN", ttl: s.ttl, data: s.host });
      }
    }
    return out;
  }

  private cname(req: Request, zone: string): Lookup {
    const f = this.services(req.lname, zone, "CNAME");
    const out: Lookup = { records: [], extra: [], truncated: false, nx: f.nx };
    const s = f.svcs[0];
    if (s && ipFamily(s.host) === 0) {
      out.records.push({ name: req.name, type: "CNAME", class: "IN", ttl: s.ttl, data: fqdn(s.host) });
    }
    return out;
  }

  private ptr(req: Request, zone: string): Lookup {
    const f = this.recs.reverse(req.lname, zone);
    const out: Lookup = { records: [], extra: [], truncated: false, nx: f.nx };
    const dup = new Set<string>();
    for (const s of f.svcs) {
      if (ipFamily(s.host) !== 0 || dup.has(s.host)) continue;
      dup.add(s.host);
      out.records.push({ name: req.name, type: "PTR", class: "IN", ttl: s.ttl, data: fqdn(s.host) });
    }
    return out;
  }

  /** plugin.SRV: weights shared per priority, targets named after the service or endpoint. */
  private async srv(req: Request, zone: string, signal: AbortSignal): Promise<Lookup> {
    const f = this.services(req.lname, zone, "SRV");
    const out: Lookup = { records: [], extra: [], truncated: false, nx: f.nx };
    if (f.nx) return out;
    // SRV for ExternalName services is not implemented by CoreDNS: drop name targets.
    const svcs = f.svcs.filter((s) => ipFamily(s.host) !== 0);
    // Every service has priority 0 and weight 0 (counted as 100): each gets floor(100/n), at least 1.
    const total = svcs.length * 100;
    const weight = Math.max(1, Math.floor((100 / total) * 100));
    const seen = new Set<string>();
    for (const s of svcs) {
      if (s.port === -1) continue;
      const target = s.key;
      const srvKey = `${target.toLowerCase()}|${s.port}`;
      if (!seen.has(srvKey)) {
        seen.add(srvKey);
        out.records.push({
          name: req.name,
          type: "SRV",
          class: "IN",
          ttl: s.ttl,
          data: { priority: 0, weight, port: s.port, target },
        });
      }
      const addrKey = `${target.toLowerCase()}|${s.host}`;
      if (!seen.has(addrKey)) {
        seen.add(addrKey);
        const type = ipFamily(s.host) === 4 ? "A" : "AAAA";
        out.extra.push({ name: target, type, class: "IN", ttl: s.ttl, data: s.host });
      }
    }
    void signal;
    return out;
  }

  private ns(req: Request, zone: string): Lookup {
    const out: Lookup = { records: [], extra: [], truncated: false, nx: false };
    const seen = new Set<string>();
    for (const [name, ip] of this.nsAddrs(zone)) {
      const type = ipFamily(ip) === 4 ? "A" : "AAAA";
      out.extra.push({ name, type, class: "IN", ttl: this.o.ttl, data: ip });
      if (seen.has(name)) continue;
      seen.add(name);
      out.records.push({ name: req.name, type: "NS", class: "IN", ttl: this.o.ttl, data: name });
    }
    return out;
  }

  /** ns.go nsAddrs: the names and IPs of the Services whose endpoints are this server. */
  nsAddrs(zone: string): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    let foundEndpoint = false;
    const z = zone === "." ? "" : zone;
    for (const local of this.o.localIPs()) {
      for (const e of this.view.endpointSlicesByIP(local)) {
        foundEndpoint = true;
        const ns = e.metadata.namespace ?? "";
        const svcName = e.metadata.labels?.["kubernetes.io/service-name"] ?? "";
        const svc = this.view.service(ns, svcName);
        if (!svc) continue;
        const name = `${svcName}.${ns}.svc.${z}`;
        if (svc.spec?.clusterIP === "None" || svc.spec?.clusterIPs?.[0] === "None") {
          for (const s of this.recs.findServices(
            { port: "", protocol: "", endpoint: "", service: svcName, namespace: ns, podOrSvc: "svc" },
            zone,
          ).svcs)
            out.push([s.key, s.host]);
        } else {
          for (const ip of svc.spec?.clusterIPs ?? [svc.spec?.clusterIP ?? ""]) if (ip) out.push([name, ip]);
        }
      }
    }
    if (!foundEndpoint) for (const ip of this.o.localIPs()) out.push([`ns.dns.${z}`, ip]);
    return out;
  }

  /** kubernetes AutoPath: the search path of the querying pod (pods verified only), or undefined. */
  autoPath(req: Request): string[] | undefined {
    const zone = matchZone(this.o.zones, req.lname);
    if (zone === "" || this.o.podMode !== "verified") return undefined;
    const ip = req.remote.address.startsWith("::ffff:") ? req.remote.address.slice(7) : req.remote.address;
    const pod = this.view.podsByIP(ip)[0];
    if (!pod) return undefined;
    const ns = pod.metadata.namespace ?? "";
    const head = zone === "." ? [`${ns}.svc.`, "svc.", "."] : [`${ns}.svc.${zone}`, `svc.${zone}`, zone];
    return [...head, ...this.autoPathSearch, ""];
  }
}

function ipFamily(host: string): 0 | 4 | 6 {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return 4;
  if (host.includes(":")) return 6;
  return 0;
}

function sameCname(a: RR, b: RR): boolean {
  return (
    a.name.toLowerCase() === b.name.toLowerCase() &&
    String((a as { data: unknown }).data).toLowerCase() ===
      String((b as { data: unknown }).data).toLowerCase()
  );
}
