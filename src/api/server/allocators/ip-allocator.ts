/**
 * ClusterIPs as networking.k8s.io/v1 IPAddress objects, from the ranges of the ServiceCIDR
 * objects (kube's MetaAllocator over per-CIDR IPAddress allocators). Creating the IPAddress is
 * the allocation: the store's create-if-absent makes two Services (or two apiservers) unable to
 * get the same IP, now or after a restart. A local view of existing IPAddresses and of
 * allocations in flight only spares the store from attempts that would fail.
 */
import { StatusError } from "../../machinery/errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import type { IPFamily } from "../../machinery/validation/net.ts";
import type { Store, Watcher } from "../../storage/types.ts";
import type { ResourceRegistry } from "../registry.ts";
import { AllocError, ipErrors } from "./errors.ts";
import { formatIPValue, type IPRange, parseIP, parseRange, randomBelow, rangeContains } from "./ipnet.ts";

export const managedByLabel = "ipaddress.kubernetes.io/managed-by";
export const ipFamilyLabel = "ipaddress.kubernetes.io/ip-family";
/** kube's ipallocator.ControllerName. */
export const ipAllocatorName = "ipallocator.k8s.io";

export interface ServiceRef {
  namespace: string;
  name: string;
}

interface TrackedRange {
  range: IPRange;
  /** Names of the ServiceCIDRs that hold this range, and whether each is ready. */
  owners: Map<string, boolean>;
}

/** kube's isReady: a ServiceCIDR without a Ready condition counts as ready. */
export function serviceCIDRReady(sc: KubeObject): boolean {
  if (sc.metadata.deletionTimestamp) return false;
  const conds = (sc.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)
    ?.conditions;
  const ready = (conds ?? []).find((c) => c.type === "Ready");
  return ready === undefined || ready.status === "True";
}

export function cidrsOf(sc: KubeObject): string[] {
  const c = (sc.spec as { cidrs?: unknown } | undefined)?.cidrs;
  return Array.isArray(c) ? c.filter((x): x is string => typeof x === "string") : [];
}

export class ClusterIPAllocator {
  private readonly ranges = new Map<string, TrackedRange>();
  private readonly cidrsByObject = new Map<string, string[]>();
  /** Names of the IPAddress objects in the store (as last seen). */
  private readonly taken = new Set<string>();
  /** IPs this process is creating right now. */
  private readonly pending = new Set<string>();
  private watchers: Watcher[] = [];

  constructor(
    private readonly store: Store,
    private readonly ipAddresses: ResourceRegistry,
    private readonly serviceCIDRs: ResourceRegistry,
  ) {}

  /** Load the ServiceCIDRs and IPAddresses and follow their changes. */
  async start(): Promise<void> {
    const cidrPrefix = this.serviceCIDRs.prefix("");
    const ipPrefix = this.ipAddresses.prefix("");
    const cidrs = await this.store.list(cidrPrefix);
    for (const s of cidrs.items) this.setServiceCIDR(s.object);
    const ips = await this.store.list(ipPrefix, { revision: cidrs.revision });
    for (const s of ips.items) if (s.object.metadata.name) this.taken.add(s.object.metadata.name);
    this.watchers.push(
      this.store.watch(cidrPrefix, {
        afterRevision: cidrs.revision,
        onEvent: (ev) => {
          if (ev.type === "DELETED") this.dropServiceCIDR(ev.current.object.metadata.name ?? "");
          else this.setServiceCIDR(ev.current.object);
        },
      }),
      this.store.watch(ipPrefix, {
        afterRevision: cidrs.revision,
        onEvent: (ev) => {
          const name = ev.current.object.metadata.name ?? "";
          if (ev.type === "DELETED") this.taken.delete(name);
          else this.taken.add(name);
        },
      }),
    );
  }

  stop(): void {
    for (const w of this.watchers.splice(0)) w.stop();
  }

  private setServiceCIDR(sc: KubeObject): void {
    const name = sc.metadata.name ?? "";
    this.dropServiceCIDR(name);
    const ready = serviceCIDRReady(sc);
    const kept: string[] = [];
    for (const c of cidrsOf(sc)) {
      let r: IPRange;
      try {
        r = parseRange(c);
      } catch {
        continue;
      }
      // kube's allocator refuses IPv6 ranges larger than a /64.
      if (r.family === "IPv6" && r.size > 1n << 64n) continue;
      const t = this.ranges.get(r.cidr) ?? { range: r, owners: new Map<string, boolean>() };
      t.owners.set(name, ready);
      this.ranges.set(r.cidr, t);
      kept.push(r.cidr);
    }
    this.cidrsByObject.set(name, kept);
  }

  private dropServiceCIDR(name: string): void {
    for (const c of this.cidrsByObject.get(name) ?? []) {
      const t = this.ranges.get(c);
      if (!t) continue;
      t.owners.delete(name);
      if (t.owners.size === 0) this.ranges.delete(c);
    }
    this.cidrsByObject.delete(name);
  }

  private isReady(t: TrackedRange): boolean {
    return [...t.owners.values()].some((r) => r);
  }

  /** The ranges of a family, in CIDR order (ready ones only unless asked). */
  rangesOf(family: IPFamily, readyOnly = true): IPRange[] {
    return [...this.ranges.values()]
      .filter((t) => t.range.family === family && (!readyOnly || this.isReady(t)))
      .map((t) => t.range)
      .sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
  }

  /** Whether ip lies in any known range (ready or not). */
  inAnyRange(ip: string): boolean {
    const v = parseIP(ip);
    return !!v && [...this.ranges.values()].some((t) => rangeContains(t.range, v));
  }

  /** Whether an IPAddress object exists for ip, as last seen. */
  has(ip: string): boolean {
    return this.taken.has(ip) || this.pending.has(ip);
  }

  /** Reserve a pinned IP for svc. Throws AllocError (mismatched, notInRange, allocated). */
  async allocate(svc: ServiceRef, ip: string, dryRun: boolean): Promise<string> {
    const v = parseIP(ip);
    if (!v) throw ipErrors.mismatched();
    const name = formatIPValue(v);
    const containing = this.rangesOf(v.family).filter((r) => rangeContains(r, v));
    if (dryRun) {
      // kube's dry run only checks the range of one allocator of the family; nothing is reserved.
      const r = containing[0] ?? this.rangesOf(v.family)[0];
      if (!r) throw ipErrors.notReady();
      if (v.value < r.first || v.value > r.last) throw ipErrors.notInRange(name, r.cidr);
      return name;
    }
    if (containing.length === 0) throw ipErrors.mismatched();
    const r = containing.find((x) => v.value >= x.first && v.value <= x.last);
    if (!r) throw ipErrors.notInRange(name, containing[0].cidr);
    if (!(await this.create(svc, name, v.family))) throw ipErrors.allocated();
    return name;
  }

  /** Pick and reserve a free IP of family for svc: upper band first, then the static band. */
  async allocateNext(svc: ServiceRef, family: IPFamily, dryRun: boolean): Promise<string> {
    const ranges = this.rangesOf(family);
    if (dryRun) {
      // kube answers a dry run with the network address of one range, reserving nothing.
      if (ranges.length === 0) throw ipErrors.full();
      return formatIPValue({ family, value: ranges[0].base });
    }
    for (const r of ranges) {
      const upperFirst = r.first + r.offset;
      const got =
        (await this.scan(svc, r, upperFirst, r.last)) ??
        (r.offset > 0n ? await this.scan(svc, r, r.first, upperFirst - 1n) : undefined);
      if (got) return got;
    }
    throw ipErrors.full();
  }

  /** Try every address in [lo, hi] from a random start, wrapping around. */
  private async scan(svc: ServiceRef, r: IPRange, lo: bigint, hi: bigint): Promise<string | undefined> {
    if (hi < lo) return undefined;
    const n = hi - lo + 1n;
    const start = randomBelow(n);
    for (let i = 0n; i < n; i++) {
      const value = lo + ((start + i) % n);
      const name = formatIPValue({ family: r.family, value });
      if (this.has(name)) continue;
      if (await this.create(svc, name, r.family)) return name;
    }
    return undefined;
  }

  /** Create the IPAddress; false when it already exists. */
  private async create(svc: ServiceRef, name: string, family: IPFamily): Promise<boolean> {
    if (this.pending.has(name)) return false;
    this.pending.add(name);
    try {
      await this.ipAddresses.create("", ipAddressObject(name, family, svc));
      this.taken.add(name);
      return true;
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) {
        this.taken.add(name);
        return false;
      }
      throw e;
    } finally {
      this.pending.delete(name);
    }
  }

  /** Free ip when its IPAddress belongs to owner (any owner when absent). Missing is fine. */
  async release(ip: string, owner?: ServiceRef): Promise<void> {
    const v = parseIP(ip);
    if (!v) return;
    const name = formatIPValue(v);
    try {
      if (owner) {
        const cur = await this.ipAddresses.get("", name);
        if (!refersTo(cur, owner)) return;
        await this.ipAddresses.delete("", name, { preconditions: { uid: cur.metadata.uid } });
      } else await this.ipAddresses.delete("", name);
      this.taken.delete(name);
    } catch (e) {
      if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return;
      throw e;
    }
  }

  /** Create an IPAddress for an IP a stored Service holds (repair). */
  async adopt(svc: ServiceRef, ip: string): Promise<boolean> {
    const v = parseIP(ip);
    if (!v) return false;
    return this.create(svc, formatIPValue(v), v.family);
  }
}

export function ipAddressObject(name: string, family: IPFamily, svc: ServiceRef): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IPAddress",
    metadata: { name, labels: { [ipFamilyLabel]: family, [managedByLabel]: ipAllocatorName } },
    spec: { parentRef: { resource: "services", namespace: svc.namespace, name: svc.name } },
  };
}

/** Whether an IPAddress's parentRef names the Service. */
export function refersTo(ip: KubeObject, svc: ServiceRef): boolean {
  const ref = (ip.spec as { parentRef?: Record<string, unknown> } | undefined)?.parentRef ?? {};
  return (
    (ref.group ?? "") === "" &&
    ref.resource === "services" &&
    (ref.namespace ?? "") === svc.namespace &&
    ref.name === svc.name
  );
}

export function isAllocError(e: unknown): e is AllocError {
  return e instanceof AllocError;
}
