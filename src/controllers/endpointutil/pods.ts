/** Which pods back a Service and how (k8s.io/endpointslice/util and pkg/api/v1/pod, by behaviour). */
import type { ObjectReference, Pod, Service, ServicePort } from "./types.ts";

/** A map selector (Service.spec.selector) matches when every pair is among the labels. */
export function selectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** The Services whose selector picks pod (same namespace, non-nil selector). */
export function servicesSelecting(pod: Pod, services: Service[]): Service[] {
  return services.filter((s) => {
    const sel = s.spec?.selector;
    return (
      sel != null &&
      s.metadata.namespace === pod.metadata.namespace &&
      selectorMatches(sel, pod.metadata.labels)
    );
  });
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Failed" || phase === "Succeeded";
}

/** ShouldPodBeInEndpoints: not terminal, has an IP, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isTerminal(pod)) return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names itself and its subdomain is this Service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec.subdomain === svc.metadata.name &&
    pod.metadata.namespace === svc.metadata.namespace
  );
}

/** FindPort: a number is used as is; a name is looked up in containers (and sidecar init containers). */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? "TCP";
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? "TCP") === proto) return p.containerPort;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== "Always") continue;
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? "TCP") === proto) return p.containerPort;
  }
  return undefined;
}

/** clusterIP set and not None. */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? "";
  return ip !== "" && ip !== "None";
}

export function isIPv6(ip: string): boolean {
  return ip.includes(":");
}

/** All pod IPs (podIPs, else podIP). */
export function podIPs(pod: Pod): string[] {
  const ips = pod.status?.podIPs?.map((p) => p.ip).filter(Boolean) ?? [];
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

export function podRef(pod: Pod): ObjectReference {
  return { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

/** Does a pod change matter to endpoints? (kube's podEndpointsChanged plus label changes.) */
export function podChangedForEndpoints(a: Pod, b: Pod): boolean {
  return (
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    isPodReady(a) !== isPodReady(b) ||
    !!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp ||
    a.status?.phase !== b.status?.phase ||
    podIPs(a).join() !== podIPs(b).join() ||
    a.spec?.nodeName !== b.spec?.nodeName ||
    a.spec?.hostname !== b.spec?.hostname ||
    a.spec?.subdomain !== b.spec?.subdomain ||
    a.metadata.uid !== b.metadata.uid ||
    JSON.stringify(a.spec?.containers?.map((c) => c.ports)) !==
      JSON.stringify(b.spec?.containers?.map((c) => c.ports)) ||
    JSON.stringify(a.status?.conditions?.find((c) => c.type === "Ready")) !==
      JSON.stringify(b.status?.conditions?.find((c) => c.type === "Ready"))
  );
}
