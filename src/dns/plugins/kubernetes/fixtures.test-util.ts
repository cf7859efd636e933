/** Plain objects for the kubernetes plugin's tests, and a way to ask the handler a question. */
import type { Answer, Packet, RecordType } from "dns-packet";
import type { Handler } from "../../plugin.ts";
import { FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { Kubernetes, type KubernetesOptions } from "./kubernetes.ts";
import type { EndpointSlice, Pod, Service } from "./view.ts";
import { staticView } from "./view.ts";

export function svc(ns: string, name: string, spec: NonNullable<Service["spec"]>): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { namespace: ns, name, resourceVersion: "1" }, spec };
}

export type Ep = NonNullable<EndpointSlice["endpoints"]>[number];

export function slice(
  ns: string,
  service: string,
  endpoints: Ep[],
  ports: EndpointSlice["ports"] = [{ name: "http", protocol: "TCP", port: 80 }],
  addressType = "IPv4",
  name = `${service}-${addressType.toLowerCase()}`,
): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      namespace: ns,
      name,
      labels: { "kubernetes.io/service-name": service },
      resourceVersion: "1",
    },
    addressType,
    endpoints,
    ports,
  };
}

export function pod(ns: string, name: string, ip: string, phase = "Running"): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { namespace: ns, name }, status: { phase, podIP: ip } };
}

/** The cluster of CoreDNS's handler_test.go, trimmed to the cases Skiff keeps. */
export const services: Service[] = [
  svc("testns", "svc1", {
    type: "ClusterIP",
    clusterIP: "10.0.0.1",
    clusterIPs: ["10.0.0.1"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
  svc("testns", "svcempty", {
    type: "ClusterIP",
    clusterIP: "10.0.0.2",
    clusterIPs: ["10.0.0.2"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
  svc("testns", "svc6", {
    type: "ClusterIP",
    clusterIP: "1234:abcd::1",
    clusterIPs: ["1234:abcd::1"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
  svc("testns", "dual", {
    type: "ClusterIP",
    clusterIP: "10.0.0.3",
    clusterIPs: ["10.0.0.3", "1234:abcd::3"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
  svc("testns", "twoports", {
    type: "ClusterIP",
    clusterIP: "10.0.0.4",
    clusterIPs: ["10.0.0.4"],
    ports: [
      { name: "http", protocol: "TCP", port: 80 },
      { name: "dns", protocol: "UDP", port: 53 },
    ],
  }),
  svc("testns", "noports", { type: "ClusterIP", clusterIP: "10.0.0.5", clusterIPs: ["10.0.0.5"] }),
  svc("testns", "hdls1", {
    type: "ClusterIP",
    clusterIP: "None",
    clusterIPs: ["None"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
  svc("testns", "hdlsnone", { type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"] }),
  svc("testns", "hdls6", {
    type: "ClusterIP",
    clusterIP: "None",
    clusterIPs: ["None"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
  svc("testns", "external", { type: "ExternalName", externalName: "ext.interwebs.test" }),
  svc("testns", "external-to-service", {
    type: "ExternalName",
    externalName: "svc1.testns.svc.cluster.local",
  }),
  svc("testns", "external-ip", { type: "ExternalName", externalName: "1.2.3.4" }),
  svc("other", "svc1", {
    type: "ClusterIP",
    clusterIP: "10.0.1.1",
    clusterIPs: ["10.0.1.1"],
    ports: [{ name: "http", protocol: "TCP", port: 80 }],
  }),
];

export const slices: EndpointSlice[] = [
  slice("testns", "svc1", [
    { addresses: ["172.0.0.1"], conditions: { ready: true }, targetRef: { kind: "Pod", name: "svc1-pod" } },
  ]),
  slice("testns", "hdls1", [
    { addresses: ["172.0.0.2"], hostname: "hostname1", conditions: { ready: true } },
    { addresses: ["172.0.0.3"], conditions: { ready: false } },
    // No ready condition: unknown, which consumers read as ready.
    { addresses: ["172.0.0.4"], targetRef: { kind: "Pod", name: "hdls1-pod-b" } },
  ]),
  slice("testns", "hdlsnone", [{ addresses: ["172.0.0.9"], conditions: { ready: false } }]),
  slice(
    "testns",
    "hdls6",
    [{ addresses: ["1234:abcd::10"], conditions: { ready: true } }],
    undefined,
    "IPv6",
  ),
];

export const pods: Pod[] = [
  pod("podns", "p1", "10.240.0.1"),
  pod("podns", "done", "10.240.0.2", "Succeeded"),
];

export const namespaces = ["testns", "other", "podns"];

export function options(over: Partial<KubernetesOptions> = {}): KubernetesOptions {
  return {
    zones: ["cluster.local.", "in-addr.arpa.", "ip6.arpa."],
    primaryZone: "cluster.local.",
    namespaces: new Set(),
    podMode: "disabled",
    endpointPodNames: false,
    ttl: 5,
    ignoreEmptyService: false,
    fallthrough: undefined,
    localIPs: () => ["127.0.0.1"],
    ...over,
  };
}

export function plugin(
  over: Partial<KubernetesOptions> = {},
  view = staticView({ services, slices, pods, namespaces, modified: 1700000000 }),
): Kubernetes {
  return new Kubernetes(view, options(over));
}

export interface Reply {
  rcode: number;
  msg: Packet;
  /** "name ttl type data" lines. */
  answer: string[];
  ns: string[];
  extra: string[];
  aa: boolean;
  tc: boolean;
}

export function rr(a: Answer): string {
  const data = (a as { data: unknown }).data;
  let d: string;
  if (a.type === "SRV") {
    const s = data as { priority: number; weight: number; port: number; target: string };
    d = `${s.priority} ${s.weight} ${s.port} ${s.target}`;
  } else if (a.type === "SOA") {
    const s = data as Record<string, unknown>;
    d = `${s.mname} ${s.rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
  } else if (Array.isArray(data)) d = data.map(String).join(" ");
  else d = String(data);
  return `${a.name} ${"ttl" in a ? a.ttl : 0} ${a.type} ${d}`;
}

/** Ask h; a handler that returns an error rcode without writing gets {rcode, empty msg}. */
export async function ask(h: Handler, name: string, type: RecordType = "A", remote?: string): Promise<Reply> {
  const req = fakeRequest(
    name,
    type,
    remote ? { remote: { address: remote, port: 4000, family: "IPv4" } } : {},
  );
  const w = new FakeWriter();
  const rc = await h.serveDNS(req, w, new AbortController().signal);
  const msg = w.msgs[0] ?? { flags: rc, answers: [], authorities: [], additionals: [] };
  const flags = msg.flags ?? 0;
  return {
    rcode: w.msgs[0] ? flags & 0xf : rc,
    msg,
    answer: (msg.answers ?? []).map(rr),
    ns: (msg.authorities ?? []).map(rr),
    extra: (msg.additionals ?? []).map(rr),
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
  };
}

export const SOA =
  "cluster.local. 5 SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5";
