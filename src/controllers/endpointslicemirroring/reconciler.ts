/**
 * kube-controller-manager's EndpointSliceMirroring reconciler, as a pure function: the user-owned
 * Endpoints of a selector-less Service, repacked, becomes one EndpointSlice per (address type,
 * port set), owned by the Endpoints, labelled like it plus the service-name and managed-by labels.
 * At most 1000 addresses per subset are mirrored; invalid IPs are skipped.
 */
import type { OwnerReference } from "../../api/machinery/types.ts";
import { repackSubsets } from "../endpointutil/repack.ts";
import {
  type AddressType,
  annotationLastApplied,
  annotationTriggerTime,
  type EndpointAddress,
  type EndpointSlice,
  type Endpoints,
  labelManagedBy,
  labelServiceName,
  type SliceEndpoint,
  type SlicePort,
} from "../endpointutil/types.ts";

export const controllerName = "endpointslicemirroring-controller.k8s.io";
/** --mirroring-max-endpoints-per-subset default. */
export const defaultMaxEndpointsPerSubset = 1000;

export interface MirrorChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Warning events for the Endpoints: [reason, message]. */
  events: Array<[string, string]>;
}

function addressType(ip: string): AddressType | undefined {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip)) {
    return ip.split(".").every((o) => Number(o) <= 255) ? "IPv4" : undefined;
  }
  if (ip.includes(":") && /^[0-9A-Fa-f:.]+$/.test(ip) && (ip.match(/::/g) ?? []).length <= 1) return "IPv6";
  return undefined;
}

function toEndpoint(a: EndpointAddress, ready: boolean): SliceEndpoint {
  const ep: SliceEndpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.targetRef) ep.targetRef = a.targetRef;
  if (a.nodeName) ep.nodeName = a.nodeName;
  return ep;
}

function sliceKey(type: AddressType, ports: SlicePort[]): string {
  const ps = ports
    .map((p) => JSON.stringify([p.name ?? "", p.port ?? null, p.protocol ?? "TCP", p.appProtocol ?? null]))
    .sort();
  return `${type}\x00${ps.join()}`;
}

/** The metadata a mirrored slice carries: the Endpoints' labels and annotations (some excepted). */
function mirroredMeta(ep: Endpoints): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels = { ...(ep.metadata.labels ?? {}) };
  labels[labelServiceName] = ep.metadata.name ?? "";
  labels[labelManagedBy] = controllerName;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata.annotations ?? {})) {
    if (k !== annotationTriggerTime && k !== annotationLastApplied) annotations[k] = v;
  }
  return { labels, annotations };
}

function ownerRef(ep: Endpoints): OwnerReference {
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    name: ep.metadata.name ?? "",
    uid: ep.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

const canon = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? sortKeys(x) : x));
function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

export function reconcileMirroredSlices(
  endpoints: Endpoints,
  existing: EndpointSlice[],
  maxPerSubset = defaultMaxEndpointsPerSubset,
): MirrorChanges {
  const out: MirrorChanges = { create: [], update: [], delete: [], events: [] };
  const desired = new Map<
    string,
    { type: AddressType; ports: SlicePort[]; endpoints: Map<string, SliceEndpoint> }
  >();
  let invalid = 0;
  let skipped = 0;
  for (const subset of repackSubsets(endpoints.subsets ?? [])) {
    const ports: SlicePort[] = (subset.ports ?? []).map((p) => {
      const sp: SlicePort = { name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" };
      if (p.appProtocol !== undefined) sp.appProtocol = p.appProtocol;
      return sp;
    });
    const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    let added = 0;
    const add = (a: EndpointAddress, ready: boolean) => {
      if (added >= maxPerSubset) return;
      const type = addressType(a.ip);
      if (!type) {
        invalid++;
        return;
      }
      const k = sliceKey(type, ports);
      let d = desired.get(k);
      if (!d) {
        d = { type, ports, endpoints: new Map() };
        desired.set(k, d);
      }
      const ep = toEndpoint(a, ready);
      d.endpoints.set(
        JSON.stringify([ep.addresses, ep.hostname ?? "", ep.targetRef?.namespace, ep.targetRef?.name]),
        ep,
      );
      added++;
    };
    for (const a of subset.addresses ?? []) add(a, true);
    for (const a of subset.notReadyAddresses ?? []) add(a, false);
    skipped += total - added;
  }
  if (invalid > 0) {
    out.events.push([
      "InvalidIPAddress",
      `Skipped ${invalid} invalid IP addresses when mirroring to EndpointSlices`,
    ]);
  }
  if (skipped > invalid) {
    out.events.push([
      "TooManyAddressesToMirror",
      `A max of ${maxPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${skipped} addresses were skipped`,
    ]);
  }

  const meta = mirroredMeta(endpoints);
  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = sliceKey(s.addressType, s.ports ?? []);
    existingByKey.set(k, [...(existingByKey.get(k) ?? []), s]);
  }
  for (const [k, d] of desired) {
    const eps = [...d.endpoints.values()];
    const [first, ...rest] = existingByKey.get(k) ?? [];
    out.delete.push(...rest);
    if (!first) {
      out.create.push({
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          generateName: `${endpoints.metadata.name}-`,
          namespace: endpoints.metadata.namespace,
          labels: meta.labels,
          ...(Object.keys(meta.annotations).length > 0 ? { annotations: meta.annotations } : {}),
          ownerReferences: [ownerRef(endpoints)],
        },
        addressType: d.type,
        endpoints: eps,
        ports: d.ports,
      });
      continue;
    }
    const same =
      canon(first.endpoints ?? []) === canon(eps) &&
      canon(first.metadata.labels ?? {}) === canon(meta.labels) &&
      canon(first.metadata.annotations ?? {}) === canon(meta.annotations);
    if (same) continue;
    const u = structuredClone(first);
    u.metadata.labels = meta.labels;
    // Empty maps are left out, as a Go client's omitempty does.
    if (Object.keys(meta.annotations).length > 0) u.metadata.annotations = meta.annotations;
    else delete u.metadata.annotations;
    u.endpoints = eps;
    out.update.push(u);
  }
  for (const [k, slices] of existingByKey) if (!desired.has(k)) out.delete.push(...slices);
  return out;
}
