/**
 * Service allocation in the apiserver: ClusterIPs (IPAddress objects from the ServiceCIDRs),
 * NodePorts and healthCheckNodePorts (a bitmap under /ranges/servicenodeports), the repair
 * passes, and the objects a cluster has from the start (the default ServiceCIDR, the
 * `kubernetes` Service and its endpoints, the `kube-dns` Service).
 */
import type { IPFamily } from "../../machinery/validation/net.ts";
import { isValidCIDRStrict, nonSpecialIPErrors } from "../../machinery/validation/net.ts";
import type { Store } from "../../storage/types.ts";
import type { ResourceRegistry } from "../registry.ts";
import {
  ensureDefaultServiceCIDR,
  ensureKubeDNSService,
  ensureKubernetesService,
  reconcileKubernetesEndpoints,
} from "./builtin.ts";
import { ClusterIPAllocator } from "./ip-allocator.ts";
import { parseRange } from "./ipnet.ts";
import { NodePortAllocator } from "./port-allocator.ts";
import { Repairer } from "./repair.ts";
import { ServiceAllocationHooks } from "./service-hooks.ts";

export interface ServiceAllocationDeps {
  store: Store;
  services: ResourceRegistry;
  serviceCIDRs: ResourceRegistry;
  ipAddresses: ResourceRegistry;
  endpoints: ResourceRegistry;
  endpointSlices: ResourceRegistry;
}

export interface ServiceAllocationOptions {
  /** One CIDR, or two of different families (--service-cidr); the first is the default family. */
  serviceCIDRs: string[];
  /** Inclusive NodePort range, kube's default [30000, 32767]. */
  nodePortRange: [number, number];
  /** The apiserver's secure port: targetPort of the `kubernetes` Service and its endpoints' port. */
  apiserverPort: number;
  /** The apiserver's address for the `kubernetes` endpoints (kube's --advertise-address). */
  advertiseAddress?: string;
  /** Period of the repair passes and the endpoint reconcile (kube: 3 minutes). */
  repairIntervalMs?: number;
  /** See RepairOptions. */
  ipGraceMs?: number;
  portLeakPasses?: number;
  /** Skip the `kubernetes` and `kube-dns` Services (tests of allocation alone). */
  builtinServices?: boolean;
  now?: () => Date;
  log?: (msg: string) => void;
}

export interface ServiceAllocation {
  ips: ClusterIPAllocator;
  ports: NodePortAllocator;
  repair: Repairer;
  stop(): void;
}

/** Check --service-cidr and the node port range; throws an Error that says what to fix. */
export function checkAllocationOptions(
  o: Pick<ServiceAllocationOptions, "serviceCIDRs" | "nodePortRange">,
): void {
  const cidrs = o.serviceCIDRs;
  if (cidrs.length === 0 || cidrs.length > 2)
    throw new Error(`--service-cidr: give one CIDR or two of different families, got ${cidrs.length}`);
  for (const c of cidrs) {
    const bad = isValidCIDRStrict(c);
    if (bad.length > 0) throw new Error(`--service-cidr: ${JSON.stringify(c)} ${bad.join("; ")}`);
    const r = parseRange(c);
    if (r.family === "IPv6" && r.size > 1n << 64n)
      throw new Error(`--service-cidr: ${c}: the shortest allowed IPv6 prefix length is 64`);
    if (r.last < r.first) throw new Error(`--service-cidr: ${c} has no addresses to allocate`);
  }
  if (cidrs.length === 2 && parseRange(cidrs[0]).family === parseRange(cidrs[1]).family)
    throw new Error("--service-cidr: two CIDRs must be of different IP families (one IPv4, one IPv6)");
  const [lo, hi] = o.nodePortRange;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi)
    throw new Error(`--service-node-port-range: ${lo}-${hi} is not a port range within 1-65535`);
}

/**
 * Install allocation on the services registry and create the built-in objects. Call once the
 * system namespaces exist (after Lifecycle.start); stop() removes the hooks and timers.
 */
export async function installServiceAllocation(
  deps: ServiceAllocationDeps,
  opts: ServiceAllocationOptions,
): Promise<ServiceAllocation> {
  checkAllocationOptions(opts);
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? ((m: string) => console.error(`apiserver: ${m}`));
  const cidrs = opts.serviceCIDRs.map((c) => parseRange(c).cidr);
  await ensureDefaultServiceCIDR(deps.serviceCIDRs, cidrs, now);

  const ips = new ClusterIPAllocator(deps.store, deps.ipAddresses, deps.serviceCIDRs);
  await ips.start();
  const ports = new NodePortAllocator(deps.store, opts.nodePortRange);
  const families = new Set<IPFamily>(cidrs.map((c) => parseRange(c).family));
  const hooks = new ServiceAllocationHooks(ips, ports, {
    families,
    defaultFamily: parseRange(cidrs[0]).family,
  });
  deps.services.hooks.push(hooks);

  const repair = new Repairer(deps.services, deps.ipAddresses, ips, ports, {
    ipGraceMs: opts.ipGraceMs ?? 60_000,
    portLeakPasses: opts.portLeakPasses ?? 3,
    now,
    log,
  });
  const stop = () => {
    clearInterval(timer);
    const i = deps.services.hooks.indexOf(hooks);
    if (i >= 0) deps.services.hooks.splice(i, 1);
    ips.stop();
  };
  // Endpoints may not name loopback, link-local or unspecified addresses (ValidateEndpoints).
  const addr = opts.advertiseAddress;
  const special = addr ? nonSpecialIPErrors(addr) : [];
  if (addr && special.length > 0)
    log(`no endpoints for the kubernetes Service: advertise address ${addr} ${special.join("; ")}`);
  const endpoints = async () => {
    if (!addr || special.length > 0) return;
    await reconcileKubernetesEndpoints(deps.endpoints, deps.endpointSlices, addr, opts.apiserverPort);
  };
  let running = false;
  const periodic = async () => {
    if (running) return;
    running = true;
    try {
      // kube's default ServiceCIDR controller puts the object back when it is deleted.
      await ensureDefaultServiceCIDR(deps.serviceCIDRs, cidrs, now);
      await repair.runOnce();
      if (opts.builtinServices !== false) await endpoints();
    } catch (e) {
      log(`service allocation repair: ${e instanceof Error ? e.message : e}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void periodic(), opts.repairIntervalMs ?? 180_000);
  timer.unref();
  try {
    await repair.runOnce();
    if (opts.builtinServices !== false) {
      await ensureKubernetesService(deps.services, {
        primaryCIDR: cidrs[0],
        apiserverPort: opts.apiserverPort,
      });
      await ensureKubeDNSService(deps.services, cidrs[0]);
      await endpoints();
    }
  } catch (e) {
    stop();
    throw e;
  }
  return { ips, ports, repair, stop };
}
