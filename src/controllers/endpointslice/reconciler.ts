/**
 * kube-controller-manager's EndpointSlice reconciler (k8s.io/endpointslice), as a pure function:
 * a Service, the pods its selector picks and the slices this controller already manages for it in,
 * slices to create, update and delete out. Churn is kept low the way kube does it: existing slices
 * keep the endpoints that are still wanted, changed slices are filled first, leftovers go into the
 * unchanged slice that ends closest to full, and only then into new slices; creates replace
 * deletes (same name, updated in place) when they can.
 */
import type { OwnerReference } from "../../api/machinery/types.ts";
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
import {
  type AddressType,
  annotationTriggerTime,
  type EndpointSlice,
  labelHeadless,
  labelManagedBy,
  labelServiceName,
  labelZone,
  type Node,
  type Pod,
  type Service,
  type SliceEndpoint,
  type SlicePort,
} from "../endpointutil/types.ts";

export const controllerName = "endpointslice-controller.k8s.io";
/** kube-controller-manager --max-endpoints-per-slice default. */
export const defaultMaxEndpointsPerSlice = 100;

export interface SliceReconcileInput {
  service: Service;
  pods: Pod[];
  /** Node by name (for the zone); a pod on an unknown node is skipped unless publishNotReadyAddresses. */
  node: (name: string) => Node | undefined;
  /** The slices labelled for this Service and managed by this controller. */
  existing: EndpointSlice[];
  /** RFC 3339; undefined removes the annotation from written slices. */
  triggerTime?: string;
  maxEndpointsPerSlice?: number;
}

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods skipped for a missing Node: apply the changes, then retry the Service later. */
  errors: string[];
}

/** getAddressTypesForService: ipFamilies; else the clusterIP's family; headless: both. */
export function addressTypesFor(svc: Service): AddressType[] {
  const out = new Set<AddressType>();
  for (const f of svc.spec?.ipFamilies ?? []) {
    if (f === "IPv4") out.add("IPv4");
    if (f === "IPv6") out.add("IPv6");
  }
  if (out.size > 0) return [...out];
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec!.clusterIP!) ? "IPv6" : "IPv4"];
  return ["IPv4", "IPv6"];
}

export function ownerRefFor(svc: Service): OwnerReference {
  return {
    apiVersion: "v1",
    kind: "Service",
    name: svc.metadata.name ?? "",
    uid: svc.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (o) => o.uid === svc.metadata.uid && o.kind === "Service" && o.apiVersion === "v1",
  );
}

/** The labels a slice of svc should carry: the Service's, minus reserved keys, plus kube's own. */
export function sliceLabels(svc: Service, managedBy = controllerName): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!isReserved(k)) out[k] = v;
  if (!isServiceIPSet(svc)) out[labelHeadless] = "";
  out[labelServiceName] = svc.metadata.name ?? "";
  out[labelManagedBy] = managedBy;
  return out;
}

function isReserved(k: string): boolean {
  return k === labelServiceName || k === labelManagedBy || k === labelHeadless;
}

/** Did the Service's (non-reserved) labels change relative to the slice's? */
function labelsChanged(slice: EndpointSlice, svc: Service): boolean {
  const strip = (l: Record<string, string> | undefined) =>
    Object.entries(l ?? {})
      .filter(([k]) => !isReserved(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(strip(slice.metadata.labels)) !== JSON.stringify(strip(svc.metadata.labels));
}

/** getEndpointPorts: each Service port resolved against this pod; unresolvable ones are left out. */
export function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const ports = svc.spec?.ports ?? [];
  const out: SlicePort[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** podToEndpoint for one address type. */
export function podToEndpoint(
  pod: Pod,
  node: Node | undefined,
  svc: Service,
  type: AddressType,
): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // Never ready while terminating, unless the Service publishes not-ready addresses.
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: SliceEndpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (type === "IPv6")),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  ep.targetRef = podRef(pod);
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[labelZone];
  if (zone) ep.zone = zone;
  return ep;
}

/** EndpointSet identity: addresses, hostname and the target's namespace/name. */
function endpointKey(ep: SliceEndpoint): string {
  return JSON.stringify([
    [...ep.addresses].sort(),
    ep.hostname ?? "",
    ep.targetRef?.namespace,
    ep.targetRef?.name,
  ]);
}

/** Everything an endpoint carries, in a fixed order, for EndpointsEqualBeyondHash. */
function endpointValue(ep: SliceEndpoint): string {
  const c = ep.conditions ?? {};
  const r = ep.targetRef;
  return JSON.stringify([
    [...ep.addresses].sort(),
    c.ready ?? null,
    c.serving ?? null,
    c.terminating ?? null,
    ep.hostname ?? null,
    ep.nodeName ?? null,
    ep.zone ?? null,
    r ? [r.kind, r.namespace, r.name, r.uid] : null,
    ep.hints ?? null,
  ]);
}

/** NewPortMapKey: the port set, order-insensitive. */
export function portMapKey(ports: SlicePort[] | null | undefined): string {
  return JSON.stringify(
    (ports ?? [])
      .map((p) => [p.name ?? "", p.port ?? null, p.protocol ?? "TCP", p.appProtocol ?? null])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
}

/** A Service name plus "-" when that still makes a valid generateName prefix. */
function slicePrefix(name: string): string {
  return name.length + 1 <= 253 - 5 ? `${name}-` : name;
}

function newSlice(svc: Service, ports: SlicePort[], type: AddressType): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: slicePrefix(svc.metadata.name ?? ""),
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [ownerRefFor(svc)],
    },
    addressType: type,
    endpoints: [],
    ports,
  };
}

function clone(s: EndpointSlice): EndpointSlice {
  return structuredClone(s);
}

/** Compute the writes that make the slices match the Service and its pods. */
export function reconcileEndpointSlices(input: SliceReconcileInput): SliceChanges {
  const { service: svc } = input;
  const max = input.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
  const types = addressTypesFor(svc);
  const out: SliceChanges = { create: [], update: [], delete: [], errors: [] };
  const byType = new Map<AddressType, EndpointSlice[]>();
  for (const s of input.existing) {
    if (!types.includes(s.addressType)) {
      out.delete.push(s);
      continue;
    }
    byType.set(s.addressType, [...(byType.get(s.addressType) ?? []), s]);
  }
  for (const type of types) {
    const r = reconcileByAddressType(input, type, byType.get(type) ?? [], max);
    finalize(svc, r);
    out.create.push(...r.create);
    out.update.push(...r.update);
    out.delete.push(...r.delete);
    for (const e of r.errors) if (!out.errors.includes(e)) out.errors.push(e);
  }
  for (const s of [...out.create, ...out.update]) {
    const ann = { ...(s.metadata.annotations ?? {}) };
    if (input.triggerTime) ann[annotationTriggerTime] = input.triggerTime;
    else delete ann[annotationTriggerTime];
    // Empty maps are left out, as a Go client's omitempty does.
    if (Object.keys(ann).length > 0) s.metadata.annotations = ann;
    else delete s.metadata.annotations;
  }
  // Creating slices for a Service being deleted would race the garbage collector.
  if (svc.metadata.deletionTimestamp) out.create = [];
  return out;
}

function reconcileByAddressType(
  input: SliceReconcileInput,
  type: AddressType,
  existing: EndpointSlice[],
  max: number,
): SliceChanges {
  const svc = input.service;
  const out: SliceChanges = { create: [], update: [], delete: [], errors: [] };
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      out.delete.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }

  const desiredByPorts = new Map<string, { ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }>();
  // Headless Services may have no ports: every pod then goes under the empty port set.
  const sorted = [...input.pods].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  for (const pod of sorted) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = (svc.spec?.ports ?? []).length === 0 ? [] : endpointPorts(svc, pod);
    const k = portMapKey(ports);
    let d = desiredByPorts.get(k);
    if (!d) {
      d = { ports, endpoints: new Map() };
      desiredByPorts.set(k, d);
    }
    const nodeName = pod.spec?.nodeName ?? "";
    const node = input.node(nodeName);
    if (!node && !svc.spec?.publishNotReadyAddresses) {
      out.errors.push(
        `skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${nodeName} Not Found`,
      );
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, type);
    if (ep.addresses.length > 0) d.endpoints.set(endpointKey(ep), ep);
  }

  for (const [k, d] of desiredByPorts) {
    const r = reconcileByPortMapping(svc, existingByPorts.get(k) ?? [], d.endpoints, d.ports, type, max);
    out.create.push(...r.create);
    out.update.push(...r.update);
    out.delete.push(...r.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) out.delete.push(...slices);

  // A Service with no endpoints still gets one empty slice (kube's placeholder).
  if (existing.length === out.delete.length && out.create.length === 0) {
    const placeholder = newSlice(svc, [], type);
    if (out.delete.length === 1 && isPlaceholderOf(out.delete[0], placeholder)) out.delete = [];
    else out.create.push(placeholder);
  }
  return out;
}

/** kube compares placeholders on namespace, labels, owner references, address type, ports, endpoints. */
function isPlaceholderOf(s: EndpointSlice, p: EndpointSlice): boolean {
  const labels = (l: Record<string, string> | undefined) => JSON.stringify(Object.entries(l ?? {}).sort());
  const owners = (o: OwnerReference[] | undefined) =>
    JSON.stringify(
      (o ?? []).map((r) => [r.apiVersion, r.kind, r.name, r.uid, !!r.controller, !!r.blockOwnerDeletion]),
    );
  return (
    s.metadata.namespace === p.metadata.namespace &&
    labels(s.metadata.labels) === labels(p.metadata.labels) &&
    owners(s.metadata.ownerReferences) === owners(p.metadata.ownerReferences) &&
    s.addressType === p.addressType &&
    (s.ports ?? []).length === 0 &&
    (s.endpoints ?? []).length === 0
  );
}

function reconcileByPortMapping(
  svc: Service,
  existing: EndpointSlice[],
  desired: Map<string, SliceEndpoint>,
  ports: SlicePort[],
  type: AddressType,
  max: number,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const byName = new Map<string, EndpointSlice>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];
  const want = new Map(desired);

  // 1. Keep wanted endpoints where they are (refreshed); drop the rest.
  for (const s of existing) {
    const name = s.metadata.name ?? "";
    byName.set(name, s);
    const kept: SliceEndpoint[] = [];
    let changed = false;
    for (const ep of s.endpoints ?? []) {
      const k = endpointKey(ep);
      const got = want.get(k);
      if (!got) continue;
      kept.push(got);
      if (endpointValue(got) !== endpointValue(ep)) changed = true;
      want.delete(k);
    }
    const relabel = labelsChanged(s, svc);
    if (changed || kept.length !== (s.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(name);
      else {
        const c = clone(s);
        c.endpoints = kept;
        c.metadata.labels = sliceLabels(svc);
        byName.set(name, c);
        toUpdate.push(name);
      }
    } else if (relabel) {
      const c = clone(s);
      c.metadata.labels = sliceLabels(svc);
      byName.set(name, c);
      toUpdate.push(name);
    } else unchanged.push(name);
  }

  const pending = [...want.values()];
  // 2. Fill the slices being updated anyway, fullest first.
  if (pending.length > 0 && toUpdate.length > 0) {
    const slices = toUpdate
      .map((n) => byName.get(n)!)
      .sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices)
      while (pending.length > 0 && s.endpoints.length < max) s.endpoints.push(pending.shift()!);
  }

  // 3. Leftovers: into the unchanged slice that ends closest to full, else new slices.
  const create: EndpointSlice[] = [];
  while (pending.length > 0) {
    let fill: EndpointSlice | undefined;
    if (pending.length < max && unchanged.length > 0) {
      const candidate = sliceToFill(
        unchanged.map((n) => byName.get(n)!),
        pending.length,
        max,
      );
      if (candidate) {
        fill = clone(candidate);
        byName.set(fill.metadata.name ?? "", fill);
      }
    }
    fill ??= newSlice(svc, ports, type);
    while (pending.length > 0 && fill.endpoints.length < max) fill.endpoints.push(pending.shift()!);
    const name = fill.metadata.name;
    if (name) {
      toUpdate.push(name);
      unchanged.splice(unchanged.indexOf(name), 1);
    } else create.push(fill);
  }
  return {
    create,
    update: toUpdate.map((n) => byName.get(n)!),
    delete: toDelete.map((n) => byName.get(n)!),
  };
}

/** getSliceToFill: the slice that would be closest to full after taking n more endpoints. */
function sliceToFill(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let closest = max;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}

/** finalize: turn a create + a delete of the same address type into an update of the old slice. */
function finalize(svc: Service, r: SliceChanges): void {
  for (let i = 0; i < r.delete.length && r.create.length > 0; ) {
    const old = r.delete[i];
    const fresh = r.create[r.create.length - 1];
    if (old.addressType === fresh.addressType && ownedBy(old, svc)) {
      const updated = clone(old);
      updated.metadata.labels = fresh.metadata.labels;
      updated.metadata.ownerReferences = fresh.metadata.ownerReferences;
      updated.endpoints = fresh.endpoints;
      updated.ports = fresh.ports;
      r.create.pop();
      r.update.push(updated);
      r.delete.splice(i, 1);
    } else i++;
  }
}
