/**
 * The Service write hooks that allocate and free ClusterIPs, NodePorts and healthCheckNodePorts,
 * as kube-apiserver's Service REST storage does (pkg/registry/core/service/storage/alloc.go):
 * allocations happen before validation and are undone when the write fails or is a dry run;
 * what an update or delete gives up is freed only once the write is stored.
 */
import { errors } from "../../machinery/errors.ts";
import { FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import type { IPFamily } from "../../machinery/validation/net.ts";
import {
  clusterIPsOf,
  isHeadless,
  needsHealthCheck,
  num,
  objects,
  specOf,
  str,
  strList,
  svcType,
} from "../../resources/services/spec.ts";
import type { Undo, WriteContext, WriteHooks } from "../registry.ts";
import { AllocError } from "./errors.ts";
import { type FamilyConfig, initIPFamilyFields, unchangedPreferDualStack } from "./families.ts";
import type { ClusterIPAllocator, ServiceRef } from "./ip-allocator.ts";
import type { NodePortAllocator } from "./port-allocator.ts";

const refOf = (svc: KubeObject): ServiceRef => ({
  namespace: svc.metadata.namespace ?? "",
  name: svc.metadata.name ?? "",
});

/** The IPs a stored Service holds (none for ExternalName and headless). */
export function heldIPs(svc: KubeObject): string[] {
  if (svcType(svc) === "ExternalName" || isHeadless(svc)) return [];
  return clusterIPsOf(svc).filter((ip) => ip !== "" && ip !== "None");
}

/** The node ports a stored Service holds: every nodePort, and its healthCheckNodePort when it needs one. */
export function heldPorts(svc: KubeObject): number[] {
  const out = new Set<number>();
  for (const p of objects(specOf(svc).ports)) if (num(p.nodePort) !== 0) out.add(num(p.nodePort));
  if (needsHealthCheck(svc) && num(specOf(svc).healthCheckNodePort) > 0)
    out.add(num(specOf(svc).healthCheckNodePort));
  return [...out];
}

function shouldAllocateNodePorts(svc: KubeObject): boolean {
  const t = svcType(svc);
  return t === "NodePort" || (t === "LoadBalancer" && specOf(svc).allocateLoadBalancerNodePorts !== false);
}

/** What one write reserved, to give back when the write does not happen. */
class Txn {
  ips: string[] = [];
  ports: number[] = [];
  constructor(
    private readonly ipAlloc: ClusterIPAllocator,
    private readonly portAlloc: NodePortAllocator,
    private readonly owner: ServiceRef,
  ) {}
  async revert(): Promise<void> {
    const ips = this.ips.splice(0);
    const ports = this.ports.splice(0);
    for (const ip of ips) await this.ipAlloc.release(ip, this.owner);
    if (ports.length > 0) await this.portAlloc.release(...ports);
  }
}

/** kube's PortAllocationOperation: dry runs check but never reserve, and invent ports from 32769. */
class PortOp {
  private readonly dryPorts: number[] = [];
  constructor(
    private readonly alloc: NodePortAllocator,
    private readonly txn: Txn,
    private readonly dryRun: boolean,
  ) {}
  async allocate(port: number): Promise<void> {
    if (this.dryRun) {
      if ((await this.alloc.has(port)) || this.dryPorts.includes(port))
        throw new AllocError("allocated", "provided port is already allocated");
      this.dryPorts.push(port);
      return;
    }
    await this.alloc.allocate(port);
    this.txn.ports.push(port);
  }
  async allocateNext(): Promise<number> {
    if (this.dryRun) {
      const port = (this.dryPorts.length === 0 ? 32768 : Math.max(...this.dryPorts)) + 1;
      this.dryPorts.push(port);
      return port;
    }
    const port = await this.alloc.allocateNext();
    this.txn.ports.push(port);
    return port;
  }
}

export class ServiceAllocationHooks implements WriteHooks {
  constructor(
    private readonly ips: ClusterIPAllocator,
    private readonly ports: NodePortAllocator,
    private readonly families: FamilyConfig,
  ) {}

  async beforeCreate(svc: KubeObject, ctx: WriteContext): Promise<Undo | undefined> {
    initIPFamilyFields(svc, undefined, this.families);
    const txn = new Txn(this.ips, this.ports, refOf(svc));
    try {
      await this.allocClusterIPs(svc, ctx.dryRun, txn);
      const op = new PortOp(this.ports, txn, ctx.dryRun);
      if (svcType(svc) === "NodePort" || svcType(svc) === "LoadBalancer") await this.initNodePorts(svc, op);
      if (needsHealthCheck(svc)) await this.allocHealthCheckNodePort(svc, op);
    } catch (e) {
      await txn.revert();
      throw e;
    }
    return () => txn.revert();
  }

  async beforeUpdate(svc: KubeObject, old: KubeObject, ctx: WriteContext): Promise<Undo | undefined> {
    if (ctx.subresource === "status") return undefined;
    initIPFamilyFields(svc, old, this.families);
    const txn = new Txn(this.ips, this.ports, refOf(svc));
    try {
      await this.updateClusterIPs(svc, old, ctx.dryRun, txn);
      const op = new PortOp(this.ports, txn, ctx.dryRun);
      if (svcType(svc) === "NodePort" || svcType(svc) === "LoadBalancer")
        await this.updateNodePorts(svc, old, op);
      if (!needsHealthCheck(old) && needsHealthCheck(svc)) await this.allocHealthCheckNodePort(svc, op);
    } catch (e) {
      await txn.revert();
      throw e;
    }
    return () => txn.revert();
  }

  /** Free what the stored update gave up: IPs and ports the old object held and the new one does not. */
  async afterUpdate(svc: KubeObject, old: KubeObject): Promise<void> {
    const keepIPs = new Set(heldIPs(svc));
    for (const ip of heldIPs(old)) if (!keepIPs.has(ip)) await this.ips.release(ip, refOf(old));
    const keepPorts = new Set(heldPorts(svc));
    const drop = heldPorts(old).filter((p) => !keepPorts.has(p));
    if (drop.length > 0) await this.ports.release(...drop);
  }

  async afterDelete(svc: KubeObject): Promise<void> {
    for (const ip of heldIPs(svc)) await this.ips.release(ip, refOf(svc));
    const ports = heldPorts(svc);
    if (ports.length > 0) await this.ports.release(...ports);
  }

  /** allocClusterIPs: one IP per family in spec.ipFamilies, pinned ones honoured. */
  private async allocClusterIPs(svc: KubeObject, dryRun: boolean, txn: Txn): Promise<void> {
    if (svcType(svc) === "ExternalName" || isHeadless(svc)) return;
    const s = specOf(svc) as JsonObject;
    const families = strList(s.ipFamilies) as IPFamily[];
    const ips = clusterIPsOf(svc);
    while (ips.length < families.length) ips.push("");
    for (let i = 0; i < families.length; i++)
      ips[i] = await this.allocIP(svc, families[i], ips[i], ips, dryRun, txn);
    s.clusterIPs = ips;
    if (ips.length > 0) s.clusterIP = ips[0];
  }

  private async allocIP(
    svc: KubeObject,
    family: IPFamily,
    want: string,
    all: string[],
    dryRun: boolean,
    txn: Txn,
  ): Promise<string> {
    const ref = refOf(svc);
    if (want === "") {
      try {
        const ip = await this.ips.allocateNext(ref, family, dryRun);
        if (!dryRun) txn.ips.push(ip);
        return ip;
      } catch (e) {
        if (e instanceof AllocError)
          throw errors.internal(new Error(`failed to allocate a serviceIP: ${e.message}`));
        throw e;
      }
    }
    try {
      const ip = await this.ips.allocate(ref, want, dryRun);
      if (!dryRun) txn.ips.push(ip);
      // kube keeps the IP as the client spelled it.
      return want;
    } catch (e) {
      if (e instanceof AllocError)
        throw errors.invalid("", "Service", ref.name, [
          fieldErrors.invalid(
            FieldPath.root("spec").child("clusterIPs"),
            [...all],
            `failed to allocate IP ${want}: ${e.message}`,
          ),
        ]);
      throw e;
    }
  }

  /** updateClusterIPs: allocate for ExternalName → ClusterIP types and for single → dual stack. */
  private async updateClusterIPs(svc: KubeObject, old: KubeObject, dryRun: boolean, txn: Txn): Promise<void> {
    if (unchangedPreferDualStack(svc, old)) return;
    if (svcType(old) === "ExternalName" && svcType(svc) !== "ExternalName") {
      await this.allocClusterIPs(svc, dryRun, txn);
      return;
    }
    if (isHeadless(old) || svcType(svc) === "ExternalName") return;
    const oldFamilies = strList(specOf(old).ipFamilies);
    const s = specOf(svc) as JsonObject;
    const families = strList(s.ipFamilies) as IPFamily[];
    if (oldFamilies.length === 1 && families.length === 2) {
      const ips = clusterIPsOf(svc);
      if (ips.length < 2) ips.push("");
      ips[1] = await this.allocIP(svc, families[1], ips[1], ips, dryRun, txn);
      s.clusterIPs = ips;
    }
  }

  /** initNodePorts: one node port per port number (TCP and UDP of a number share it). */
  private async initNodePorts(svc: KubeObject, op: PortOp): Promise<void> {
    const ports = objects(specOf(svc).ports);
    const byPort = new Map<number, number>();
    const allocate = shouldAllocateNodePorts(svc);
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      const np = num(p.nodePort);
      if (np === 0 && !allocate) continue;
      const got = byPort.get(num(p.port)) ?? 0;
      if (got === 0) {
        const requested = ports.find((q) => num(q.port) === num(p.port) && num(q.nodePort) !== 0);
        if (requested) {
          const want = num(requested.nodePort);
          await this.pinned(svc, op, want, i);
          p.nodePort = want;
          byPort.set(num(p.port), want);
        } else {
          const n = await this.next(op);
          p.nodePort = n;
          byPort.set(num(p.port), n);
        }
      } else if (np !== got) {
        if (np === 0) p.nodePort = got;
        else await this.pinned(svc, op, np, i);
      }
    }
  }

  /** updateNodePorts: keep what the old object held, reserve new pinned ports, allocate the rest. */
  private async updateNodePorts(svc: KubeObject, old: KubeObject, op: PortOp): Promise<void> {
    const oldPorts = new Set(
      objects(specOf(old).ports)
        .map((p) => num(p.nodePort))
        .filter((n) => n !== 0),
    );
    const reserved = new Set<number>();
    const seen = new Set<string>();
    const allocate = shouldAllocateNodePorts(svc);
    const ports = objects(specOf(svc).ports);
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      let np = num(p.nodePort);
      if (np === 0 && !allocate) continue;
      if (np !== 0) {
        if (!oldPorts.has(np) && !reserved.has(np)) {
          await this.pinned(svc, op, np, i);
          reserved.add(np);
        }
      } else {
        np = await this.next(op);
        p.nodePort = np;
      }
      const key = `${str(p.protocol)}/${np}`;
      if (seen.has(key)) throw errors.internal(new Error(`duplicate nodePort: {${str(p.protocol)} ${np}}`));
      seen.add(key);
    }
  }

  private async pinned(svc: KubeObject, op: PortOp, port: number, i: number): Promise<void> {
    try {
      await op.allocate(port);
    } catch (e) {
      if (e instanceof AllocError)
        throw errors.invalid("", "Service", svc.metadata.name ?? "", [
          fieldErrors.invalid(
            FieldPath.root("spec").child("ports").index(i).child("nodePort"),
            port,
            e.message,
          ),
        ]);
      throw e;
    }
  }

  private async next(op: PortOp): Promise<number> {
    try {
      return await op.allocateNext();
    } catch (e) {
      if (e instanceof AllocError)
        throw errors.internal(new Error(`failed to allocate a nodePort: ${e.message}`));
      throw e;
    }
  }

  /** allocHealthCheckNodePort: the requested one or any; failures are internal errors in kube. */
  private async allocHealthCheckNodePort(svc: KubeObject, op: PortOp): Promise<void> {
    const s = specOf(svc) as JsonObject;
    const want = num(s.healthCheckNodePort);
    try {
      if (want !== 0) await op.allocate(want);
      else s.healthCheckNodePort = await op.allocateNext();
    } catch (e) {
      if (!(e instanceof AllocError)) throw e;
      throw errors.internal(
        new Error(
          want !== 0
            ? `failed to allocate requested HealthCheck NodePort ${want}: ${e.message}`
            : `failed to allocate a HealthCheck NodePort ${want}: ${e.message}`,
        ),
      );
    }
  }
}
