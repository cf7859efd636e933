/**
 * The kubernetes handler (plugin/kubernetes handler.go + plugin/backend_lookup.go): picks the
 * record form by query type, turns Records' services into RRs, and answers NXDOMAIN/NODATA with
 * the zone's SOA, SERVFAIL before the first sync, or falls through.
 */
import type { Answer, Packet, RecordType } from "dns-packet";
import { Flag, replyTo } from "../../message/message.ts";
import { equalFold, fqdn } from "../../names.ts";
import {
  type Handler,
  LookupLoopError,
  nextOrFailure,
  type Plugin,
  Rcode,
  type Request,
  type ResponseWriter,
  type Served,
} from "../../plugin.ts";
import type { Question, ReplyWriter } from "../../server/direct.ts";
import { directAnswer } from "./direct.ts";
import { hostFamily, inZone, isPrefixed, matchZone } from "./names.ts";
import { type Found, type Options, Records, type Svc } from "./records.ts";
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
  /** The additional section; absent when empty (the reply's own empty one stays). */
  extra: RR[] | undefined;
  truncated: boolean;
  nx: boolean;
}

function lookup(records: RR[], extra: RR[] | undefined, nx: boolean): Lookup {
  return { records, extra, truncated: false, nx };
}

/** A name error from address() (read only: nothing adds to it). */
const NX_LOOKUP: Lookup = Object.freeze({ records: [], extra: undefined, truncated: false, nx: true });

/** The empty CNAME chain a lookup starts with. */
const NO_RECORDS: readonly RR[] = Object.freeze([]);

/** Up to this many records, duplicates are found by scanning them; past it, with a Set. */
const DEDUP_SCAN = 16;

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
  /** The SOA last handed out per zone spelling, and what it was built from. */
  private readonly soas = new Map<string, { serial: number; minimum: number; rr: RR }>();

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

  /** The plain answers, written by the server behind a cache miss (direct.ts). */
  directAnswer(q: Question, w: ReplyWriter): boolean {
    return directAnswer(this, q, w);
  }

  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Served {
    // Most answers are built without waiting: no promise or tick for them.
    let rc: Served;
    try {
      rc = this.serve(req, w, signal);
    } catch (err) {
      return loopedOut(err);
    }
    return typeof rc === "number" ? rc : rc.catch(loopedOut);
  }

  private serve(req: Request, w: ResponseWriter, signal: AbortSignal): number | Promise<number> {
    const lzone = matchZone(this.o.zones, req.lname);
    if (lzone === "") return nextOrFailure(this.name, this.next, req, w, signal);
    // Keep the case of the query in every owner name built from the zone.
    const zone =
      lzone === "." || req.name === req.lname ? lzone : req.name.slice(req.name.length - lzone.length);
    let res: Lookup | Promise<Lookup>;
    // A fake A lookup tells NODATA from NXDOMAIN for the other types.
    let noData = false;
    switch (req.qtype) {
      case "A":
      case "AAAA":
      case "TXT":
        res = this.address(req, zone, lzone, req.name, req.qtype, NO_RECORDS, signal);
        break;
      case "CNAME":
        res = this.cname(req, zone, lzone);
        break;
      case "PTR":
        res = this.ptr(req, zone);
        break;
      case "SRV":
        res = this.srv(req, zone, lzone);
        break;
      case "SOA":
        res = lookup(req.lname === lzone ? [this.soa(zone)] : [], undefined, false);
        break;
      case "AXFR":
      case "IXFR":
        return Rcode.REFUSED;
      case "NS":
        if (req.lname === lzone) {
          res = this.ns(req, zone);
          break;
        }
        res = this.address(req, zone, lzone, req.name, "A", NO_RECORDS, signal);
        noData = true;
        break;
      default:
        res = this.address(req, zone, lzone, req.name, "A", NO_RECORDS, signal);
        noData = true;
    }
    if (res instanceof Promise) return res.then((l) => this.reply(req, w, zone, l, noData, signal));
    return this.reply(req, w, zone, res, noData, signal);
  }

  /** The reply for a lookup's outcome (handler.go after the record functions). */
  private reply(
    req: Request,
    w: ResponseWriter,
    zone: string,
    res: Lookup,
    noData: boolean,
    signal: AbortSignal,
  ): number | Promise<number> {
    if (res.nx) {
      if (this.o.fallthrough && matchZone(this.o.fallthrough, req.lname) !== "") {
        return nextOrFailure(this.name, this.next, req, w, signal);
      }
      return this.backendError(req, w, zone, this.view.synced() ? Rcode.NXDOMAIN : Rcode.SERVFAIL);
    }
    if (noData || res.records.length === 0) return this.backendError(req, w, zone, Rcode.NOERROR);
    const m = replyTo(req.msg);
    m.flags = (m.flags ?? 0) | Flag.AA | (res.truncated ? Flag.TC : 0);
    m.answers = res.records;
    if (res.extra) m.additionals = res.extra;
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

  /**
   * The zone's SOA. Every NXDOMAIN and NODATA carries one, equal until the serial moves, so one
   * frozen record per zone spelling is handed out (the cache and rewrite copy records before
   * changing them; nothing changes one in place).
   */
  soa(zone: string): RR {
    const serial = this.view.modified() >>> 0;
    const ttl = this.o.ttl;
    const have = this.soas.get(zone);
    if (have && have.serial === serial && have.minimum === ttl) return have.rr;
    const z = zone === "." ? "" : zone;
    const rr: RR = Object.freeze({
      name: zone,
      type: "SOA",
      class: "IN",
      ttl: Math.min(ttl, 300),
      data: Object.freeze({
        mname: `ns.dns.${z}`,
        rname: `hostmaster.${z}`,
        serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: ttl,
      }),
    });
    // Bounded: query-case spellings of a zone are the client's to choose.
    if (this.soas.size >= 64) this.soas.clear();
    this.soas.set(zone, { serial, minimum: ttl, rr });
    return rr;
  }

  /** Services(): Records plus the special names (dns-version TXT, ns.dns.<zone>). */
  services(lname: string, zone: string, qtype: string, lzone = zone.toLowerCase()): Found {
    if (qtype === "TXT") {
      if (isPrefixed(lname, "dns-version.", lzone)) {
        return { svcs: [{ host: "", port: 0, ttl: 28800, key: lname, text: DNS_SCHEMA_VERSION }], nx: false };
      }
      const f = this.recs.records(lname, zone, false, lzone);
      // The name exists with other types: NODATA; otherwise NXDOMAIN.
      return f.svcs.length > 0 ? { svcs: [], nx: false } : { svcs: [], nx: true };
    }
    if (isPrefixed(lname, "ns.dns.", lzone)) {
      const svcs = this.nsAddrs(zone).map(([, ip]) => ({ host: ip, port: 0, ttl: this.o.ttl, key: lname }));
      return { svcs, nx: false };
    }
    // Only SRV answers read the owner keys.
    return this.recs.records(lname, zone, qtype === "SRV", lzone);
  }

  /**
   * plugin.A / AAAA / TXT: addresses (or the TXT), following CNAMEs inside our zone. Answered
   * without waiting unless a CNAME target has to be resolved.
   */
  private address(
    req: Request,
    zone: string,
    lzone: string,
    qname: string,
    qtype: "A" | "AAAA" | "TXT",
    previous: readonly RR[],
    signal: AbortSignal,
  ): Lookup | Promise<Lookup> {
    const lname = qname === req.name ? req.lname : qname.toLowerCase();
    const f = this.services(lname, zone, qtype, lzone);
    if (f.nx) return NX_LOOKUP;
    const out = lookup([], undefined, false);
    const svcs = f.svcs;
    // Duplicates are found among the records so far; a Set only for long lists.
    const dup = svcs.length > DEDUP_SCAN ? new Set<string>() : undefined;
    for (let i = 0; i < svcs.length; i++) {
      const s = svcs[i];
      if (qtype === "TXT" && s.text !== undefined) {
        if (!seenData(out.records, dup, s.text)) {
          dup?.add(s.text);
          out.records.push({ name: qname, type: "TXT", class: "IN", ttl: s.ttl, data: s.text });
        }
        continue;
      }
      const fam = hostFamily(s.host);
      if (fam === 0) {
        // A name target: the rest is followed asynchronously, from this service on.
        const have = dup ?? new Set<string>();
        if (!dup) for (const r of out.records) have.add(String((r as { data: unknown }).data));
        return this.addressRest(req, lzone, qname, lname, qtype, previous, signal, svcs, i, out, have);
      }
      if ((qtype === "A" && fam === 4) || (qtype === "AAAA" && fam === 6)) {
        if (!seenData(out.records, dup, s.host)) {
          dup?.add(s.host);
          out.records.push({ name: qname, type: qtype, class: "IN", ttl: s.ttl, data: s.host });
        }
      }
    }
    return out;
  }

  /** address() from svcs[from] on, once a CNAME target is among them. */
  private async addressRest(
    req: Request,
    lzone: string,
    qname: string,
    lname: string,
    qtype: "A" | "AAAA" | "TXT",
    previous: readonly RR[],
    signal: AbortSignal,
    svcs: Svc[],
    from: number,
    out: Lookup,
    dup: Set<string>,
  ): Promise<Lookup> {
    for (let i = from; i < svcs.length; i++) {
      const s = svcs[i];
      if (qtype === "TXT" && s.text !== undefined) {
        if (!dup.has(s.text)) {
          dup.add(s.text);
          out.records.push({ name: qname, type: "TXT", class: "IN", ttl: s.ttl, data: s.text });
        }
        continue;
      }
      const fam = hostFamily(s.host);
      if (fam === 0) {
        const target = fqdn(s.host);
        // x CNAME x is a loop; so is a CNAME already in the chain.
        if (target.toLowerCase() === lname) continue;
        if (previous.length > MAX_CNAME_CHAIN) continue;
        const cname: RR = { name: qname, type: "CNAME", class: "IN", ttl: s.ttl, data: target };
        if (previous.some((p) => p.type === "CNAME" && sameCname(p, cname))) continue;
        // Against the zone as configured (dns.IsSubDomain ignores case), not as the client spelled it.
        if (inZone(target.toLowerCase(), lzone)) {
          const next = await this.address(req, lzone, lzone, target, qtype, [...previous, cname], signal);
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

  private cname(req: Request, zone: string, lzone: string): Lookup {
    const f = this.services(req.lname, zone, "CNAME", lzone);
    const out = lookup([], undefined, f.nx);
    const s = f.svcs[0];
    if (s && hostFamily(s.host) === 0) {
      out.records.push({ name: req.name, type: "CNAME", class: "IN", ttl: s.ttl, data: fqdn(s.host) });
    }
    return out;
  }

  private ptr(req: Request, zone: string): Lookup {
    const f = this.recs.reverse(req.lname, zone);
    const out = lookup([], undefined, f.nx);
    const svcs = f.svcs;
    const dup = svcs.length > DEDUP_SCAN ? new Set<string>() : undefined;
    for (let i = 0; i < svcs.length; i++) {
      const s = svcs[i];
      if (hostFamily(s.host) !== 0) continue;
      // A host seen before was answered then (the same host has the same family).
      if (dup ? seenKey(dup, s.host) : hostBefore(svcs, i)) continue;
      out.records.push({ name: req.name, type: "PTR", class: "IN", ttl: s.ttl, data: fqdn(s.host) });
    }
    return out;
  }

  /** plugin.SRV: weights shared per priority, targets named after the service or endpoint. */
  private srv(req: Request, zone: string, lzone: string): Lookup {
    const f = this.services(req.lname, zone, "SRV", lzone);
    const extra: RR[] = [];
    const out = lookup([], extra, f.nx);
    if (f.nx) return out;
    const n = addressCount(f.svcs);
    const weight = srvWeight(n);
    const seen = n > DEDUP_SCAN ? new Set<string>() : undefined;
    for (const s of f.svcs) {
      const fam = hostFamily(s.host);
      if (fam === 0 || s.port === -1) continue;
      const target = s.key;
      if (seen ? !seenKey(seen, `${target.toLowerCase()}|${s.port}`) : !hasSrv(out.records, target, s.port)) {
        out.records.push({
          name: req.name,
          type: "SRV",
          class: "IN",
          ttl: s.ttl,
          data: { priority: 0, weight, port: s.port, target },
        });
      }
      if (seen ? !seenKey(seen, `${target.toLowerCase()}\u0000${s.host}`) : !hasAddr(extra, target, s.host)) {
        extra.push({
          name: target,
          type: fam === 4 ? "A" : "AAAA",
          class: "IN",
          ttl: s.ttl,
          data: s.host,
        });
      }
    }
    return out;
  }

  private ns(req: Request, zone: string): Lookup {
    const extra: RR[] = [];
    const out = lookup([], extra, false);
    const seen = new Set<string>();
    for (const [name, ip] of this.nsAddrs(zone)) {
      const type = hostFamily(ip) === 4 ? "A" : "AAAA";
      extra.push({ name, type, class: "IN", ttl: this.o.ttl, data: ip });
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

/** The services with an address: SRV for ExternalName is not implemented by CoreDNS (names are skipped). */
export function addressCount(svcs: readonly Svc[]): number {
  let n = 0;
  for (const s of svcs) if (hostFamily(s.host) !== 0) n++;
  return n;
}

/** Every service has priority 0 and weight 0 (counted as 100): each gets floor(100/n), at least 1. */
export function srvWeight(n: number): number {
  return Math.max(1, Math.floor((100 / (n * 100)) * 100));
}

function sameCname(a: RR, b: RR): boolean {
  return (
    equalFold(a.name, b.name) &&
    equalFold(String((a as { data: unknown }).data), String((b as { data: unknown }).data))
  );
}

/** A record among `records` (or in `dup`, when the list is long) already has this data. */
function seenData(records: readonly RR[], dup: Set<string> | undefined, data: string): boolean {
  if (dup) return dup.has(data);
  for (const r of records) if ((r as { data: unknown }).data === data) return true;
  return false;
}

/** svcs[i]'s host is also the host of an earlier one. */
function hostBefore(svcs: readonly Svc[], i: number): boolean {
  const h = svcs[i].host;
  for (let j = 0; j < i; j++) if (svcs[j].host === h) return true;
  return false;
}

/** Adds key to seen; whether it was there already. */
function seenKey(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return true;
  seen.add(key);
  return false;
}

/** An SRV record for (target, port) is among records (targets compared case-insensitively). */
function hasSrv(records: readonly RR[], target: string, port: number): boolean {
  for (const r of records) {
    if (r.type === "SRV" && r.data.port === port && equalFold(r.data.target, target)) return true;
  }
  return false;
}

/** An address record owned by target with this address is among records. */
function hasAddr(records: readonly RR[], target: string, host: string): boolean {
  for (const r of records) {
    if ((r.type === "A" || r.type === "AAAA") && r.data === host && equalFold(r.name, target)) return true;
  }
  return false;
}

/**
 * An ExternalName re-query looped past the server's re-entry limit: SERVFAIL, as a client query,
 * and every lookup above this one gives up the same way. Other errors go on up.
 */
function loopedOut(err: unknown): number {
  if (err instanceof LookupLoopError) return Rcode.SERVFAIL;
  throw err;
}
