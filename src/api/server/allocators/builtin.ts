/**
 * Objects kube-apiserver (and kubeadm) keep from the start: the default ServiceCIDR
 * `kubernetes` (pkg/controlplane/controller/defaultservicecidr), the `kubernetes` Service in
 * `default` with its Endpoints and EndpointSlice (pkg/controlplane/controller/kubernetesservice
 * and the endpoint reconciler), and kubeadm's CoreDNS Service `kube-dns` in `kube-system`.
 */

import { isDeepStrictEqual } from "node:util";
import { StatusError } from "../../machinery/errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { type ResourceRegistry, rfc3339 } from "../registry.ts";
import { cidrsOf } from "./ip-allocator.ts";
import { indexedIP, parseIP } from "./ipnet.ts";

export const defaultServiceCIDRName = "kubernetes";

const isNotFound = (e: unknown) => e instanceof StatusError && e.code === 404;
const isConflict = (e: unknown) => e instanceof StatusError && e.code === 409;

async function getOrUndefined(
  reg: ResourceRegistry,
  ns: string,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await reg.get(ns, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function createIfMissing(reg: ResourceRegistry, ns: string, obj: KubeObject): Promise<KubeObject> {
  try {
    return await reg.create(ns, obj);
  } catch (e) {
    if (!isConflict(e)) throw e;
    return reg.get(ns, obj.metadata.name ?? "");
  }
}

/** Create the default ServiceCIDR (or add the second family to it) and mark it Ready. */
export async function ensureDefaultServiceCIDR(
  reg: ResourceRegistry,
  cidrs: string[],
  now: () => Date,
): Promise<void> {
  let sc =
    (await getOrUndefined(reg, "", defaultServiceCIDRName)) ??
    (await createIfMissing(reg, "", {
      apiVersion: "networking.k8s.io/v1",
      kind: "ServiceCIDR",
      metadata: { name: defaultServiceCIDRName },
      spec: { cidrs: [...cidrs] },
    }));
  const stored = cidrsOf(sc);
  if (cidrs.length === 2 && stored.length === 1 && stored[0] === cidrs[0]) {
    sc = await reg.guaranteedUpdate("", defaultServiceCIDRName, (cur) => ({
      ...cur,
      spec: { ...cur.spec, cidrs: [...cidrs] },
    }));
  }
  // kube leaves a ServiceCIDR that differs from its flags, or that is being deleted, alone.
  if (sc.metadata.deletionTimestamp || !isDeepStrictEqual(cidrsOf(sc), cidrs)) {
    if (!isDeepStrictEqual(cidrsOf(sc), cidrs))
      console.error(
        `apiserver: the default ServiceCIDR holds ${cidrsOf(sc).join(",")}, not ${cidrs.join(",")}; delete it or change --service-cidr`,
      );
    return;
  }
  const conds =
    (sc.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)?.conditions ?? [];
  const ready = conds.find((c) => c.type === "Ready");
  if (ready && ready.status !== "Unknown") return;
  await reg.updateWith(
    "",
    defaultServiceCIDRName,
    (cur) => ({
      ...cur,
      status: {
        conditions: [
          ...conds.filter((c) => c.type !== "Ready"),
          {
            type: "Ready",
            status: "True",
            lastTransitionTime: rfc3339(now()),
            reason: "",
            message: "Kubernetes default Service CIDR is ready",
          },
        ],
      },
    }),
    { subresource: "status" },
  );
}

export interface KubernetesServiceOptions {
  /** The primary service CIDR: the Service gets its first address. */
  primaryCIDR: string;
  /** The apiserver's secure port (the Service's targetPort). */
  apiserverPort: number;
}

function kubernetesPorts(port: number) {
  return [{ name: "https", port: 443, protocol: "TCP", targetPort: port }];
}

/** The `kubernetes` Service: created when missing; its ports and type are put back when changed. */
export async function ensureKubernetesService(
  services: ResourceRegistry,
  o: KubernetesServiceOptions,
): Promise<void> {
  const ports = kubernetesPorts(o.apiserverPort);
  const cur = await getOrUndefined(services, "default", "kubernetes");
  if (!cur) {
    await createIfMissing(services, "default", {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kubernetes",
        namespace: "default",
        labels: { component: "apiserver", provider: "kubernetes" },
      },
      spec: { type: "ClusterIP", sessionAffinity: "None", clusterIP: indexedIP(o.primaryCIDR, 1), ports },
    });
    return;
  }
  const spec = (cur.spec ?? {}) as { ports?: unknown; type?: unknown };
  const same =
    (spec.ports as unknown[] | undefined)?.length === 1 &&
    isDeepStrictEqual(pick((spec.ports as Record<string, unknown>[])[0]), pick(ports[0]));
  if (same && spec.type === "ClusterIP") return;
  await services.updateWith("default", "kubernetes", (c) => ({
    ...c,
    spec: { ...c.spec, type: "ClusterIP", ports },
  }));
}

const pick = (p: Record<string, unknown>) => ({
  name: p.name,
  port: p.port,
  protocol: p.protocol,
  targetPort: p.targetPort,
});

/** Endpoints and EndpointSlice `kubernetes` pointing at the apiserver (kube's endpoint reconciler). */
export async function reconcileKubernetesEndpoints(
  endpoints: ResourceRegistry,
  slices: ResourceRegistry,
  advertiseAddress: string,
  port: number,
): Promise<void> {
  const ports = [{ name: "https", port, protocol: "TCP" }];
  // The reconciler owns the slice itself: the mirroring controller must leave these Endpoints alone.
  const ep: KubeObject = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: {
      name: "kubernetes",
      namespace: "default",
      labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
    },
    subsets: [{ addresses: [{ ip: advertiseAddress }], ports }],
  };
  const slice: KubeObject = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: "kubernetes",
      namespace: "default",
      labels: { "kubernetes.io/service-name": "kubernetes" },
    },
    addressType: parseIP(advertiseAddress)?.family === "IPv6" ? "IPv6" : "IPv4",
    endpoints: [{ addresses: [advertiseAddress], conditions: { ready: true } }],
    ports,
  };
  await upsert(endpoints, ep);
  await upsert(slices, slice);
}

/** Create want, or put its labels and body back (the registry skips a write that changes nothing). */
async function upsert(reg: ResourceRegistry, want: KubeObject): Promise<void> {
  const ns = want.metadata.namespace ?? "";
  const name = want.metadata.name ?? "";
  if (!(await getOrUndefined(reg, ns, name))) {
    await createIfMissing(reg, ns, want);
    return;
  }
  await reg.updateWith(ns, name, (c) => ({
    ...c,
    ...want,
    metadata: { ...c.metadata, labels: { ...c.metadata.labels, ...want.metadata.labels } },
  }));
}

/** kubeadm's CoreDNS Service, at the 10th address of the primary service CIDR. */
export async function ensureKubeDNSService(services: ResourceRegistry, primaryCIDR: string): Promise<void> {
  if (await getOrUndefined(services, "kube-system", "kube-dns")) return;
  await createIfMissing(services, "kube-system", {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kube-dns",
      namespace: "kube-system",
      labels: {
        "k8s-app": "kube-dns",
        "kubernetes.io/cluster-service": "true",
        "kubernetes.io/name": "CoreDNS",
      },
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      clusterIP: indexedIP(primaryCIDR, 10),
      selector: { "k8s-app": "kube-dns" },
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    },
  });
}
