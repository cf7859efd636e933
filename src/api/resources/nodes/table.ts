/**
 * `kubectl get nodes` columns as kube-apiserver's printNode: STATUS from the Ready condition
 * (plus SchedulingDisabled when cordoned), ROLES from node-role.kubernetes.io/<role> labels.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

interface Node {
  metadata: { labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: Array<{ type: string; status: string }>;
    addresses?: Array<{ type: string; address: string }>;
    nodeInfo?: {
      kubeletVersion?: string;
      osImage?: string;
      kernelVersion?: string;
      containerRuntimeVersion?: string;
    };
  };
}

const ROLE_PREFIX = "node-role.kubernetes.io/";
const ROLE_LABEL = "kubernetes.io/role";

export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== "") {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeStatus(n: Node): string {
  const status: string[] = [];
  // Only Ready is reported; the last entry of a type wins, as with kube's condition map.
  const ready = (n.status?.conditions ?? []).filter((c) => c.type === "Ready").at(-1);
  if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
  else status.push("Unknown");
  if (n.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

function address(n: Node, type: string): string {
  return (n.status?.addresses ?? []).find((a) => a.type === type)?.address ?? "<none>";
}

export const table: TableDef = {
  columns: [
    { name: "Name", type: "string", format: "name", description: "Name of the node.", priority: 0 },
    {
      name: "Status",
      type: "string",
      format: "",
      description: "Whether the node is ready, and whether scheduling is disabled.",
      priority: 0,
    },
    {
      name: "Roles",
      type: "string",
      format: "",
      description: "Roles taken from the node's role labels.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the node was registered.",
      priority: 0,
    },
    {
      name: "Version",
      type: "string",
      format: "",
      description: "Version of the kubelet (agent) on the node.",
      priority: 0,
    },
    {
      name: "Internal-IP",
      type: "string",
      format: "",
      description: "First internal address of the node.",
      priority: 1,
    },
    {
      name: "External-IP",
      type: "string",
      format: "",
      description: "First external address of the node.",
      priority: 1,
    },
    {
      name: "OS-Image",
      type: "string",
      format: "",
      description: "Operating system image the node reports.",
      priority: 1,
    },
    {
      name: "Kernel-Version",
      type: "string",
      format: "",
      description: "Kernel version the node reports.",
      priority: 1,
    },
    {
      name: "Container-Runtime",
      type: "string",
      format: "",
      description: "Container runtime and version the node reports.",
      priority: 1,
    },
  ],
  cells(obj, now) {
    const n = obj as Node;
    const info = n.status?.nodeInfo ?? {};
    const roles = nodeRoles(obj.metadata.labels).join(",");
    return [
      obj.metadata.name ?? "",
      nodeStatus(n),
      roles || "<none>",
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      info.kubeletVersion ?? "",
      address(n, "InternalIP"),
      address(n, "ExternalIP"),
      info.osImage || "<unknown>",
      info.kernelVersion || "<unknown>",
      info.containerRuntimeVersion || "<unknown>",
    ];
  },
};
