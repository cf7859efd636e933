/** Test fixture: the registries allocation needs, over one store, with allocation installed. */
import type { KubeObject } from "../../machinery/types.ts";
import { endpoints } from "../../resources/endpoints/index.ts";
import { endpointslice } from "../../resources/endpointslices/index.ts";
import { ipaddress } from "../../resources/ipaddresses/index.ts";
import { servicecidr } from "../../resources/servicecidrs/index.ts";
import { service } from "../../resources/services/index.ts";
import type { ResourceDef } from "../../resources/types.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import type { Store } from "../../storage/types.ts";
import { ResourceRegistry } from "../registry.ts";
import {
  installServiceAllocation,
  type ServiceAllocation,
  type ServiceAllocationDeps,
  type ServiceAllocationOptions,
} from "./index.ts";

export interface Fixture extends ServiceAllocationDeps {
  alloc: ServiceAllocation;
  logs: string[];
}

/** Registries over store (a fresh memory store by default) with allocation installed. */
export async function startFixture(
  opts: Partial<ServiceAllocationOptions> = {},
  store: Store = new MemoryStore(),
): Promise<Fixture> {
  const ctx = { store, now: () => new Date(), checkNamespaceWritable: async () => undefined };
  const reg = (def: ResourceDef) => new ResourceRegistry(def, ctx);
  const deps: ServiceAllocationDeps = {
    store,
    services: reg(service),
    serviceCIDRs: reg(servicecidr),
    ipAddresses: reg(ipaddress),
    endpoints: reg(endpoints),
    endpointSlices: reg(endpointslice),
  };
  const logs: string[] = [];
  const alloc = await installServiceAllocation(deps, {
    serviceCIDRs: ["10.96.0.0/12"],
    nodePortRange: [30000, 32767],
    apiserverPort: 6443,
    builtinServices: false,
    log: (m) => logs.push(m),
    ...opts,
  });
  return { ...deps, alloc, logs };
}

/** A Service manifest as a user writes it. */
export function svc(name: string, spec: Record<string, unknown> = {}, ns = "default"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
  };
}

export const specOf = (o: KubeObject) =>
  o.spec as {
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    healthCheckNodePort?: number;
    ports: Array<{ port: number; nodePort?: number; protocol?: string; name?: string }>;
  };

export async function ipAddressNames(f: Fixture): Promise<string[]> {
  return (await f.ipAddresses.list("", {})).items.map((o) => o.metadata.name ?? "").sort();
}

/** Ports marked in the stored bitmap. */
export async function markedPorts(f: Fixture): Promise<number[]> {
  const { bitmap } = await f.alloc.ports.snapshot();
  const out: number[] = [];
  for (let i = 0; i < bitmap.size; i++) if (bitmap.has(i)) out.push(f.alloc.ports.base + i);
  return out;
}
