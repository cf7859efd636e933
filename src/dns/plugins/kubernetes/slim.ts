/**
 * Informer transforms (client-go's SetTransform, as CoreDNS's ToService/EndpointSliceToEndpoints/
 * ToPod do): each object is cut down to the fields the kubernetes plugin reads before it is
 * cached. managedFields, most labels and annotations, status, selectors and endpoint conditions
 * other than `ready` are dropped, so 10,000 Services and their slices fit in a few MiB. Every
 * field answers, indexes, announcements or metrics read must be kept here (slim.test.ts checks
 * that answers are the same with and without).
 */
import type { ObjectMeta } from "../../../api/machinery/types.ts";
import {
  type EndpointSlice,
  type Namespace,
  type Pod,
  SERVICE_NAME_LABEL,
  type Service,
  TRIGGER_TIME_ANNOTATION,
} from "./view.ts";

type Endpoint = NonNullable<EndpointSlice["endpoints"]>[number];
type Conditions = NonNullable<Endpoint["conditions"]>;

// Shared, frozen: tens of thousands of endpoints carry one of these few values.
const READY = new Map<unknown, Conditions>([
  [true, Object.freeze({ ready: true })],
  [false, Object.freeze({ ready: false })],
  [null, Object.freeze({ ready: null })],
]);
const NO_CONDITIONS: Conditions = Object.freeze({});

/**
 * Strings that repeat across objects (namespaces, protocols, port names) are stored once:
 * JSON.parse makes a new copy per occurrence. Bounded so a stream of distinct values cannot grow it.
 */
const interned = new Map<string, string>();
function intern(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const have = interned.get(s);
  if (have !== undefined) return have;
  if (interned.size < 50_000) interned.set(s, s);
  return s;
}

function meta(m: ObjectMeta, extra?: Pick<ObjectMeta, "labels" | "annotations">): ObjectMeta {
  const out: ObjectMeta = {
    name: m.name,
    namespace: intern(m.namespace),
    resourceVersion: m.resourceVersion,
  };
  if (m.deletionTimestamp) out.deletionTimestamp = m.deletionTimestamp;
  if (extra?.labels) out.labels = extra.labels;
  if (extra?.annotations) out.annotations = extra.annotations;
  return out;
}

export function slimService(s: Service): Service {
  const spec = s.spec;
  if (!spec) return { metadata: meta(s.metadata) };
  const out: NonNullable<Service["spec"]> = {};
  if (spec.type !== undefined) out.type = intern(spec.type);
  if (spec.clusterIPs !== undefined) out.clusterIPs = spec.clusterIPs;
  // clusterIP repeats clusterIPs[0]: one string for both.
  if (spec.clusterIP !== undefined)
    out.clusterIP = spec.clusterIPs?.[0] === spec.clusterIP ? spec.clusterIPs[0] : spec.clusterIP;
  if (spec.externalName !== undefined) out.externalName = spec.externalName;
  if (spec.ports !== undefined)
    out.ports = spec.ports.map((p) => ({ name: intern(p.name), protocol: intern(p.protocol), port: p.port }));
  return { metadata: meta(s.metadata), spec: out };
}

/** podNames: endpoint_pod_names is on, so the endpoints' pod names (targetRef.name) are read. */
export function slimEndpointSlice(e: EndpointSlice, podNames = true): EndpointSlice {
  const svc = e.metadata.labels?.[SERVICE_NAME_LABEL];
  const trigger = e.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
  const out: EndpointSlice = {
    metadata: meta(e.metadata, {
      labels: svc === undefined ? undefined : { [SERVICE_NAME_LABEL]: svc },
      annotations: trigger === undefined ? undefined : { [TRIGGER_TIME_ANNOTATION]: trigger },
    }),
  };
  if (e.addressType !== undefined) out.addressType = intern(e.addressType);
  // Absent, null and [] read the same (readyAddresses).
  if (e.endpoints) out.endpoints = e.endpoints.map((ep) => slimEndpoint(ep, podNames));
  if (e.ports !== undefined)
    out.ports =
      e.ports === null
        ? null
        : e.ports.map((p) => ({ name: intern(p.name), protocol: intern(p.protocol), port: p.port }));
  return out;
}

function slimEndpoint(ep: Endpoint, podNames: boolean): Endpoint {
  const c = ep.conditions;
  const out: Endpoint = {
    addresses: ep.addresses,
    conditions: c && "ready" in c ? (READY.get(c.ready) ?? { ready: c.ready }) : NO_CONDITIONS,
  };
  if (ep.hostname !== undefined) out.hostname = ep.hostname;
  if (podNames && ep.targetRef?.name !== undefined) out.targetRef = { name: ep.targetRef.name };
  return out;
}

export function slimPod(p: Pod): Pod {
  const st = p.status;
  const out: Pod = { metadata: meta(p.metadata) };
  if (st) out.status = { phase: intern(st.phase), podIP: st.podIP };
  return out;
}

export function slimNamespace(n: Namespace): Namespace {
  return { metadata: { name: n.metadata.name, resourceVersion: n.metadata.resourceVersion } };
}
