/**
 * kube-controller-manager's Endpoints controller sync, as a pure function: the Endpoints object a
 * Service with a selector should have, and whether the current one must be written.
 */

import {
  findPort,
  isIPv6,
  isPodReady,
  isServiceIPSet,
  podIPs,
  podRef,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "../endpointutil/pods.ts";
import { repackSubsets } from "../endpointutil/repack.ts";
import {
  annotationOverCapacity,
  annotationTriggerTime,
  type EndpointAddress,
  type EndpointPort,
  type EndpointSubset,
  type Endpoints,
  labelHeadless,
  type Pod,
  type Service,
} from "../endpointutil/types.ts";

/** kube's Endpoints controller maxCapacity. */
export const maxCapacity = 1000;

export interface EndpointsReconcileInput {
  service: Service;
  pods: Pod[];
  /** The Endpoints object of the same name, if any. */
  current?: Endpoints;
  triggerTime?: string;
}

/** The Endpoints to create or update, or undefined when the current one is already right. */
export function reconcileEndpoints(
  input: EndpointsReconcileInput,
): { endpoints: Endpoints; create: boolean } | undefined {
  const { service: svc, current } = input;
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const raw: EndpointSubset[] = [];
  const sorted = [...input.pods].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  for (const pod of sorted) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = podAddress(svc, pod);
    if (!addr) continue;
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
    const ready = tolerateUnready || isPodReady(pod);
    const add = (port: EndpointPort | undefined) =>
      raw.push({ [ready ? "addresses" : "notReadyAddresses"]: [addr], ports: port ? [port] : [] });
    const ports = svc.spec?.ports ?? [];
    // Headless Services may have no ports; their pods are listed without ports.
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === "None") add(undefined);
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      add(ep);
    }
  }
  const subsets = repackSubsets(raw);
  const truncated = truncate(subsets);

  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (!isServiceIPSet(svc)) labels[labelHeadless] = "";
  else delete labels[labelHeadless];

  if (current?.metadata.resourceVersion) {
    const curLabels = { ...(current.metadata.labels ?? {}) };
    const same =
      subsetsKey(current.subsets ?? []) === subsetsKey(subsets) &&
      mapKey(curLabels) === mapKey(labels) &&
      (current.metadata.annotations?.[annotationOverCapacity] !== undefined) === truncated;
    if (same) return undefined;
  }

  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
  if (input.triggerTime) annotations[annotationTriggerTime] = input.triggerTime;
  else delete annotations[annotationTriggerTime];
  if (truncated) annotations[annotationOverCapacity] = "truncated";
  else delete annotations[annotationOverCapacity];

  const base: Endpoints = current?.metadata.resourceVersion
    ? structuredClone(current)
    : {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace },
      };
  if (Object.keys(labels).length > 0) base.metadata.labels = labels;
  else delete base.metadata.labels;
  // Empty maps are left out, as a Go client's omitempty does.
  if (Object.keys(annotations).length > 0) base.metadata.annotations = annotations;
  else delete base.metadata.annotations;
  if (subsets.length > 0) base.subsets = subsets;
  else delete base.subsets;
  return { endpoints: base, create: !current?.metadata.resourceVersion };
}

/** podToEndpointAddressForService: the pod IP of the Service's primary family. */
function podAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let v6: boolean;
  const fams = svc.spec?.ipFamilies ?? [];
  if (fams.length > 0) v6 = fams[0] === "IPv6";
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec!.clusterIP!);
  else v6 = isIPv6(pod.status?.podIP ?? "");
  const ip = podIPs(pod).find((i) => isIPv6(i) === v6);
  if (!ip) return undefined;
  const a: EndpointAddress = { ip };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = podRef(pod);
  return a;
}

/**
 * truncateEndpoints: over 1000 addresses, keep each subset's proportional share (rounded up) —
 * of not-ready addresses if the ready ones fit, else of ready ones (dropping all not-ready).
 */
export function truncate(subsets: EndpointSubset[]): boolean {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= maxCapacity) return false;
  const truncateReady = ready > maxCapacity;
  const max = truncateReady ? maxCapacity : maxCapacity - ready;
  const total = truncateReady ? ready : notReady;
  let room = max;
  for (const s of subsets) {
    const n = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const allowed = Math.min(Math.ceil((n / total) * max), room);
    if (truncateReady) {
      s.addresses = s.addresses?.slice(0, allowed);
      delete s.notReadyAddresses;
      room -= s.addresses?.length ?? 0;
    } else {
      s.notReadyAddresses = s.notReadyAddresses?.slice(0, allowed);
      room -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

/** Subsets compared ignoring targetRef.resourceVersion and empty-vs-absent lists. */
function subsetsKey(subsets: EndpointSubset[]): string {
  const addr = (a: EndpointAddress) => [
    a.ip,
    a.hostname ?? "",
    a.nodeName ?? "",
    a.targetRef ? [a.targetRef.kind, a.targetRef.namespace, a.targetRef.name, a.targetRef.uid] : null,
  ];
  return JSON.stringify(
    subsets.map((s) => [
      (s.addresses ?? []).map(addr),
      (s.notReadyAddresses ?? []).map(addr),
      (s.ports ?? []).map((p) => [p.name ?? "", p.port, p.protocol ?? "TCP", p.appProtocol ?? null]),
    ]),
  );
}

function mapKey(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
