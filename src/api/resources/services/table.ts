/**
 * `kubectl get services` columns as kube-apiserver's printService: EXTERNAL-IP depends on the type
 * (`<none>`, `<pending>` for a LoadBalancer without ingress, the name for ExternalName) and
 * PORT(S) reads `80/TCP` or `80:30080/TCP` with a node port.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import { formatLabels } from "../replicasets/table.ts";
import type { TableDef } from "../types.ts";

interface ServicePort {
  port?: number;
  nodePort?: number;
  protocol?: string;
}

interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

interface Service {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    ports?: ServicePort[];
    selector?: Record<string, string>;
  };
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}

/** Sorted, de-duplicated IPs (or hostnames where there is no IP) of load-balancer ingress points. */
export function loadBalancerIngressString(ingress: LoadBalancerIngress[] | undefined): string {
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(",");
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>";
    case "LoadBalancer": {
      // The server prints wide, so the list is never clipped.
      const lb = loadBalancerIngressString(svc.status?.loadBalancer?.ingress);
      if (external.length > 0) {
        return [...(lb ? lb.split(",") : []), ...external].join(",");
      }
      return lb || "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

function portString(ports: ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const proto = p.protocol ?? "TCP";
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
    })
    .join(",");
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the service, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Type",
      type: "string",
      format: "",
      description: "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.",
      priority: 0,
    },
    {
      name: "Cluster-IP",
      type: "string",
      format: "",
      description: "The virtual IP clients inside the cluster use; None for headless services.",
      priority: 0,
    },
    {
      name: "External-IP",
      type: "string",
      format: "",
      description: "Addresses outside clients reach the service on.",
      priority: 0,
    },
    {
      name: "Port(s)",
      type: "string",
      format: "",
      description: "Ports the service exposes, with node ports where allocated.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the service was created.",
      priority: 0,
    },
    {
      name: "Selector",
      type: "string",
      format: "",
      description: "Labels of the pods that back the service.",
      priority: 1,
    },
  ],
  cells(obj, now) {
    const svc = obj as Service;
    const spec = svc.spec ?? {};
    // The internal API always fills clusterIPs from clusterIP.
    const clusterIP = spec.clusterIPs?.[0] || spec.clusterIP || "<none>";
    return [
      obj.metadata.name ?? "",
      spec.type ?? "ClusterIP",
      clusterIP,
      externalIP(svc),
      portString(spec.ports) || "<none>",
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};
