/**
 * What the LoadBalancer address controller decides for one Service, over plain objects and the
 * in-memory pool (no I/O): which addresses it holds, the status.loadBalancer.ingress it should
 * show, and the Events to record. Behaviour follows MetalLB's controller (convergeBalancer):
 * non-LoadBalancer Services lose their addresses; a Service keeps the addresses its status shows
 * while they stay valid; spec.loadBalancerIP asks for one address; failure leaves it pending.
 */
import type { KubeObject } from "../../api/machinery/types.ts";
import { type AddressPool, canonicalIP, type Family, familyOf } from "./pool.ts";

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
  ports?: unknown[];
}

export interface LBService extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    loadBalancerIP?: string;
    loadBalancerClass?: string | null;
  };
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}

export interface LBEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface Decision {
  /** The ingress list to write through /status; undefined = leave the status alone. */
  ingress?: LoadBalancerIngress[];
  events: LBEvent[];
  /** No address could be given: retry when one is freed. */
  pending: boolean;
}

/** Go's %q of a []net.IP, as MetalLB's event messages print it: ["1.2.3.4" "fd00::1"]. */
const quoteList = (ips: string[]) => `[${ips.map((ip) => JSON.stringify(ip)).join(" ")}]`;

/** The ingress IPs a Service's status shows. */
export function statusIPs(svc: LBService): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? "").filter((ip) => ip !== "");
}

/** True for a LoadBalancer Service this controller serves (no loadBalancerClass of another). */
export function isOurs(svc: LBService): boolean {
  const cls = svc.spec?.loadBalancerClass;
  return svc.spec?.type === "LoadBalancer" && (cls === undefined || cls === null || cls === "");
}

/** The families a Service wants addresses in, primary first (spec.ipFamilies, else its clusterIPs). */
function wantedFamilies(svc: LBService): Family[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is Family => f === "IPv4" || f === "IPv6");
  if (fams.length > 0) return fams;
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : [svc.spec?.clusterIP ?? ""];
  return ips.map(familyOf).filter((f): f is Family => f !== undefined);
}

function sameIngress(a: LoadBalancerIngress[], b: LoadBalancerIngress[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => x.ip === b[i].ip && x.ipMode === b[i].ipMode && !b[i].hostname && !b[i].ports?.length)
  );
}

/**
 * Rebuild the pool from Services' status (controller start): each of our LoadBalancer Services
 * keeps the pool addresses its status shows, oldest Service first when two claim one address.
 */
export function restore(pool: AddressPool, services: Array<{ key: string; svc: LBService }>): void {
  const ordered = [...services].sort((a, b) =>
    (a.svc.metadata.creationTimestamp ?? "").localeCompare(b.svc.metadata.creationTimestamp ?? ""),
  );
  for (const { key, svc } of ordered) {
    if (!isOurs(svc)) continue;
    for (const ip of statusIPs(svc)) pool.assign(key, ip);
  }
}

/** Decide for the Service stored under key (undefined: it is gone). */
export function reconcile(pool: AddressPool, key: string, svc: LBService | undefined): Decision {
  const none: Decision = { events: [], pending: false };
  if (!svc) {
    pool.release(key);
    return none;
  }
  // Terminating: keep the address until the Service is gone, so it is not handed out twice.
  if (svc.metadata.deletionTimestamp) return none;
  if (!isOurs(svc)) {
    pool.release(key);
    // Another class's balancer owns the status; a former LoadBalancer loses what we gave it.
    if (svc.spec?.type !== "LoadBalancer" && statusIPs(svc).some((ip) => pool.contains(ip)))
      return { ...none, ingress: [] };
    return none;
  }
  const families = wantedFamilies(svc);
  // No cluster IP yet (kube-apiserver allocates it with the Service): nothing to match.
  if (families.length === 0) return none;

  const events: LBEvent[] = [];
  const fail = (reason: string): Decision => {
    pool.release(key);
    events.push({
      type: "Warning",
      reason: "AllocationFailed",
      message: `Failed to allocate IP for "${key}": ${reason}`,
    });
    return { ingress: statusIPs(svc).length > 0 ? [] : undefined, events, pending: true };
  };

  // Holding nothing, adopt what the status shows if it is free (restore() missed it or lost it).
  if (pool.addressesOf(key).length === 0) for (const ip of statusIPs(svc)) pool.assign(key, ip);

  const requested = svc.spec?.loadBalancerIP ?? "";
  let held = pool.addressesOf(key);
  if (requested !== "") {
    const want = canonicalIP(requested);
    if (want === undefined) return fail(`invalid spec.loadBalancerIP ${JSON.stringify(requested)}`);
    // A changed request drops the old address (MetalLB's differentIPRequested).
    if (held.length !== 1 || held[0] !== want) {
      pool.release(key);
      const fam = familyOf(want)!;
      if (!families.includes(fam))
        return fail(
          `requested loadBalancer IP(s) ${quoteList([want])} does not match the ipFamily of the service`,
        );
      const r = pool.assign(key, want);
      if (r === "not-in-pool") return fail(`${JSON.stringify(want)} is not allowed in config`);
      if (r === "in-use") return fail(`${JSON.stringify(want)} is already in use`);
      events.push({ type: "Normal", reason: "IPAllocated", message: `Assigned IP ${quoteList([want])}` });
    }
    return finish(svc, [want], events);
  }

  // Drop addresses of families the Service no longer wants, and anything beyond one per family.
  const kept = new Map<Family, string>();
  for (const ip of held) {
    const f = familyOf(ip)!;
    if (families.includes(f) && !kept.has(f)) kept.set(f, ip);
    else pool.releaseIP(key, ip);
  }
  const added: string[] = [];
  for (const f of families) {
    if (kept.has(f)) continue;
    const ip = pool.hasFamily(f) ? pool.allocate(key, f) : undefined;
    if (ip !== undefined) {
      kept.set(f, ip);
      added.push(ip);
    }
  }
  const missing = families.filter((f) => !kept.has(f));
  // PreferDualStack settles for the families the pool can serve; the others need them all.
  const settle = svc.spec?.ipFamilyPolicy === "PreferDualStack" && kept.size > 0;
  if (missing.length > 0 && !settle) {
    const why = missing.some((f) => pool.hasFamily(f))
      ? "no available IPs"
      : `no available IPs in pool for ${missing.join(", ")} IPFamily`;
    return fail(why);
  }
  held = families.filter((f) => kept.has(f)).map((f) => kept.get(f)!);
  if (added.length > 0)
    events.push({ type: "Normal", reason: "IPAllocated", message: `Assigned IP ${quoteList(added)}` });
  return finish(svc, held, events);
}

function finish(svc: LBService, ips: string[], events: LBEvent[]): Decision {
  const ingress = ips.map((ip) => ({ ip, ipMode: "VIP" }));
  const current = svc.status?.loadBalancer?.ingress ?? [];
  return { ingress: sameIngress(ingress, current) ? undefined : ingress, events, pending: false };
}
