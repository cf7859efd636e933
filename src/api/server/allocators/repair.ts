/**
 * Repair passes over the stored Services, as kube-apiserver's repair controllers run them
 * (pkg/registry/core/service/ipallocator/controller/repairip.go, portallocator/controller/repair.go):
 * every ClusterIP a Service holds gets its IPAddress; IPAddresses the allocator made whose Service
 * is gone (or no longer holds the IP) are deleted once older than a grace period, because a
 * create in flight has its IPAddress before its Service is stored. The NodePort bitmap is rebuilt
 * from the Services; a port marked but unused is freed only after several passes for the same
 * reason.
 */
import { StatusError } from "../../machinery/errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import type { ResourceRegistry } from "../registry.ts";
import {
  type ClusterIPAllocator,
  ipAllocatorName,
  managedByLabel,
  refersTo,
  type ServiceRef,
} from "./ip-allocator.ts";
import { canonicalIP } from "./ipnet.ts";
import { type NodePortAllocator, PortBitmap } from "./port-allocator.ts";
import { heldIPs, heldPorts } from "./service-hooks.ts";

export interface RepairOptions {
  /** IPAddresses younger than this are not treated as leaked (kube: 60s). */
  ipGraceMs: number;
  /** Passes a marked-but-unused port must survive before it is freed (kube: 3). */
  portLeakPasses: number;
  now(): Date;
  log(msg: string): void;
}

const refOf = (svc: KubeObject): ServiceRef => ({
  namespace: svc.metadata.namespace ?? "",
  name: svc.metadata.name ?? "",
});
const svcKey = (r: ServiceRef) => `${r.namespace}/${r.name}`;

export class Repairer {
  private readonly portLeaks = new Map<number, number>();

  constructor(
    private readonly services: ResourceRegistry,
    private readonly ipAddresses: ResourceRegistry,
    private readonly ips: ClusterIPAllocator,
    private readonly ports: NodePortAllocator,
    private readonly opts: RepairOptions,
  ) {}

  async runOnce(): Promise<void> {
    await this.repairIPs();
    await this.repairPorts();
  }

  async repairIPs(): Promise<void> {
    const services = (await this.services.list("", {})).items;
    const addresses = new Map<string, KubeObject>();
    for (const a of (await this.ipAddresses.list("", {})).items) addresses.set(a.metadata.name ?? "", a);
    const holders = new Map<string, ServiceRef>();
    const byKey = new Map(services.map((s) => [svcKey(refOf(s)), s]));
    for (const svc of services) {
      const ref = refOf(svc);
      for (const raw of heldIPs(svc)) {
        const ip = canonicalIP(raw);
        const other = holders.get(ip);
        if (other) {
          this.opts.log(
            `ClusterIPAlreadyAllocated: ${ip} of ${svcKey(ref)} is also held by ${svcKey(other)}`,
          );
          continue;
        }
        holders.set(ip, ref);
        const addr = addresses.get(ip);
        if (addr && refersTo(addr, ref)) continue;
        if (addr) {
          const parent = parentOf(addr);
          const parentSvc = parent ? byKey.get(svcKey(parent)) : undefined;
          if (parentSvc && heldIPs(parentSvc).some((x) => canonicalIP(x) === ip)) {
            this.opts.log(`ClusterIPAlreadyAllocated: ${ip} of ${svcKey(ref)} belongs to ${svcKey(parent!)}`);
            continue;
          }
          // The IPAddress names a Service that does not hold it: hand it to the one that does.
          await this.deleteAddress(addr);
        }
        if (!this.ips.inAnyRange(ip)) {
          this.opts.log(`ClusterIPOutOfRange: ${ip} of ${svcKey(ref)} is not within any service CIDR`);
          continue;
        }
        this.opts.log(`ClusterIPNotAllocated: ${ip} of ${svcKey(ref)} had no IPAddress; creating it`);
        await this.ips.adopt(ref, ip);
      }
    }
    const now = this.opts.now().getTime();
    for (const [name, addr] of addresses) {
      if (addr.metadata.labels?.[managedByLabel] !== ipAllocatorName) continue;
      const holder = holders.get(name);
      if (holder && refersTo(addr, holder)) continue;
      const created = Date.parse(addr.metadata.creationTimestamp ?? "");
      if (Number.isFinite(created) && now - created < this.opts.ipGraceMs) continue;
      this.opts.log(`IPAddress ${name} is held by no Service; releasing it`);
      await this.deleteAddress(addr);
    }
  }

  private async deleteAddress(addr: KubeObject): Promise<void> {
    try {
      await this.ipAddresses.delete("", addr.metadata.name ?? "", {
        preconditions: { uid: addr.metadata.uid },
      });
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  async repairPorts(): Promise<void> {
    const services = (await this.services.list("", {})).items;
    const rebuilt = new PortBitmap(this.ports.size);
    for (const svc of services) {
      for (const port of heldPorts(svc)) {
        if (!this.ports.contains(port)) {
          this.opts.log(
            `PortOutOfRange: port ${port} of ${svcKey(refOf(svc))} is not within ${this.ports.rangeSpec}`,
          );
          continue;
        }
        const i = port - this.ports.base;
        if (rebuilt.has(i))
          this.opts.log(`PortAlreadyAllocated: port ${port} of ${svcKey(refOf(svc))} is held twice`);
        rebuilt.set(i, true);
      }
    }
    await this.ports.rewrite((current, sameRange) => {
      const next = new PortBitmap(this.ports.size);
      next.bits.set(rebuilt.bits);
      const leaked = new Set<number>();
      if (sameRange)
        for (let i = 0; i < current.size; i++) {
          if (!current.has(i) || rebuilt.has(i)) continue;
          const port = this.ports.base + i;
          leaked.add(port);
          const n = (this.portLeaks.get(port) ?? 0) + 1;
          if (n < this.opts.portLeakPasses) {
            this.portLeaks.set(port, n);
            next.set(i, true);
          } else {
            this.portLeaks.delete(port);
            this.opts.log(`PortLeaked: port ${port} is held by no Service; releasing it`);
          }
        }
      for (const p of [...this.portLeaks.keys()]) if (!leaked.has(p)) this.portLeaks.delete(p);
      return next;
    });
  }
}

function parentOf(addr: KubeObject): ServiceRef | undefined {
  const ref = (addr.spec as { parentRef?: Record<string, unknown> } | undefined)?.parentRef;
  if (ref?.resource !== "services" || (ref.group ?? "") !== "") return undefined;
  return { namespace: String(ref.namespace ?? ""), name: String(ref.name ?? "") };
}
