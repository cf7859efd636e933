/**
 * Informer transforms (client-go's SetTransform, as CoreDNS's ToService/EndpointSliceToEndpoints/
 * ToPod do): each object is cut down to the fields the kubernetes plugin reads before it is
 * cached. managedFields, most labels and annotations, status and selectors are dropped, a
 * slice's endpoints become its ready addresses (with hostnames and pod names when it has any),
 * and port lists are shared, so 10,000 Services and their slices fit in a few MiB. Every
 * field answers, indexes, announcements or metrics read must be kept here (slim.test.ts checks
 * that answers are the same with and without).
 */
import type { ObjectMeta } from "../../../api/machinery/types.ts";
import {
  type EndpointSlice,
  type Namespace,
  type Pod,
  readyAddresses,
  SERVICE_NAME_LABEL,
  type Service,
  TRIGGER_TIME_ANNOTATION,
} from "./view.ts";

type Port = { name?: string; protocol?: string; port?: number | null };
type ServicePort = NonNullable<NonNullable<Service["spec"]>["ports"]>[number];

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

/**
 * Port lists are shared: most Services (and their slices) expose the same few. Frozen, as every
 * object holding one holds the same copy. Bounded like `interned`.
 */
const portLists = new Map<string, readonly Port[]>();
function sharedPorts<P extends Port>(ports: readonly P[]): P[] {
  let key = "";
  for (const p of ports) key += `${p.name ?? "\u0001"}\u0000${p.protocol ?? "\u0001"}\u0000${p.port}\u0000`;
  const have = portLists.get(key);
  if (have !== undefined) return have as P[];
  const list = Object.freeze(
    ports.map((p) => Object.freeze({ name: intern(p.name), protocol: intern(p.protocol), port: p.port })),
  );
  if (portLists.size < 10_000) portLists.set(key, list);
  return list as unknown as P[];
}

function meta(m: ObjectMeta, extra?: Pick<ObjectMeta, "labels" | "annotations">): ObjectMeta {
  // Built up from {}: V8 gives an empty literal room for four properties inside the object, where
  // a three-key literal grown to four needs a separate property array (40 bytes per object).
  const out: ObjectMeta = {};
  out.name = m.name;
  out.namespace = intern(m.namespace);
  out.resourceVersion = m.resourceVersion;
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
  if (spec.ports !== undefined) out.ports = sharedPorts<ServicePort>(spec.ports);
  return { metadata: meta(s.metadata), spec: out };
}

/**
 * The slice with its ready endpoints flattened (view.ts `readyIPs`); podNames: endpoint_pod_names
 * is on, so the endpoints' pod names (targetRef.name) are read.
 */
export function slimEndpointSlice(e: EndpointSlice, podNames = true): EndpointSlice {
  const svc = e.metadata.labels?.[SERVICE_NAME_LABEL];
  const trigger = e.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
  const out = {} as EndpointSlice;
  out.metadata = meta(e.metadata, {
    // Literal keys: V8 keeps them inside the object, a computed key needs a property array.
    labels: svc === undefined ? undefined : { "kubernetes.io/service-name": svc },
    annotations:
      trigger === undefined ? undefined : { "endpoints.kubernetes.io/last-change-trigger-time": trigger },
  });
  if (e.addressType !== undefined) out.addressType = intern(e.addressType);
  // Absent, null and [] read the same (readyAddresses); the flattened form is what it reads.
  const ready = readyAddresses(e);
  out.readyIPs = ready.map((a) => a.ip);
  if (ready.some((a) => a.hostname !== "")) out.readyHostnames = ready.map((a) => a.hostname);
  if (podNames && ready.some((a) => a.targetRefName !== ""))
    out.readyPodNames = ready.map((a) => a.targetRefName);
  if (e.ports !== undefined) out.ports = e.ports === null ? null : sharedPorts(e.ports);
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
