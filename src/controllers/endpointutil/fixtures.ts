/** Builders for reconciler tests: Services, pods and nodes as plain objects. */
import type { Node, Pod, Service, ServicePort } from "./types.ts";

export function service(
  name: string,
  spec: Partial<NonNullable<Service["spec"]>> = {},
  meta: Partial<Service["metadata"]> = {},
): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace: "default",
      uid: `svc-${name}`,
      creationTimestamp: "2024-01-01T00:00:00Z",
      ...meta,
    },
    spec: {
      selector: { app: "web" },
      clusterIP: "10.96.0.10",
      ipFamilies: ["IPv4"],
      ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" } as ServicePort],
      ...spec,
    },
  };
}

export interface PodOpts {
  ips?: string[];
  ready?: boolean;
  node?: string;
  labels?: Record<string, string>;
  hostname?: string;
  subdomain?: string;
  terminating?: boolean;
  phase?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  readySince?: string;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const ips = o.ips ?? ["10.244.0.1"];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      uid: `pod-${name}`,
      labels: o.labels ?? { app: "web" },
      ...(o.terminating ? { deletionTimestamp: "2024-01-01T00:10:00Z" } : {}),
    },
    spec: {
      nodeName: o.node ?? "node-1",
      hostname: o.hostname,
      subdomain: o.subdomain,
      containers: [{ name: "c", ports: o.ports ?? [] }],
    },
    status: {
      phase: o.phase ?? "Running",
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [
        {
          type: "Ready",
          status: (o.ready ?? true) ? "True" : "False",
          lastTransitionTime: o.readySince ?? "2024-01-01T00:01:00Z",
        },
      ],
    },
  };
}

export function node(name: string, zone?: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: zone ? { "topology.kubernetes.io/zone": zone } : {} },
  };
}
