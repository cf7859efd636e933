/**
 * The Node object kubelet registers and the status it posts (pkg/kubelet/kubelet_node_status.go
 * and pkg/kubelet/nodestatus/setters.go): labels, addresses, capacity, nodeInfo and the four
 * conditions with kubelet's reasons and messages.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, statfsSync } from "node:fs";
import { arch, availableParallelism, release, totalmem } from "node:os";
import { rfc3339 } from "./status.ts";
import type { Node, NodeCondition } from "./types.ts";

export const KUBELET_VERSION = "v1.33.0";

export interface NodeIdentity {
  nodeName: string;
  /** The node's addresses (InternalIP), primary first. */
  nodeIPs: string[];
  podCIDRs: string[];
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  /** Overrides of the capacity read from this machine (cpu, memory, pods, …). */
  capacity?: Record<string, string>;
  runtimeName: string;
  runtimeVersion: string;
}

/** Go's GOARCH names, which node labels and nodeInfo use. */
export function goArch(a = arch()): string {
  return (
    (
      { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" } as Record<
        string,
        string
      >
    )[a] ?? a
  );
}

function osImage(): string {
  try {
    const m = readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)"?$/m);
    if (m) return m[1];
  } catch {
    // No os-release: kubelet reports "Linux" too.
  }
  return "Linux";
}

function machineCapacity(): Record<string, string> {
  const cap: Record<string, string> = {
    cpu: String(availableParallelism()),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: "110",
  };
  try {
    const fs = statfsSync("/");
    cap["ephemeral-storage"] = `${Math.floor((fs.blocks * fs.bsize) / 1024)}Ki`;
  } catch {
    // Leave ephemeral-storage out when the root filesystem cannot be read.
  }
  return cap;
}

const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);
const asUUID = (h: string) =>
  `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
const bootID = randomUUID();

/** The Node to create at registration (kubelet's initialNode). */
export function initialNode(id: NodeIdentity): Node {
  const a = goArch();
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: id.nodeName,
      labels: {
        "beta.kubernetes.io/arch": a,
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": a,
        "kubernetes.io/hostname": id.nodeName,
        "kubernetes.io/os": "linux",
        ...id.labels,
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: { podCIDR: id.podCIDRs[0], podCIDRs: [...id.podCIDRs] },
  };
  if (id.taints && id.taints.length > 0 && node.spec) node.spec.taints = id.taints;
  return node;
}

const conditionSpecs: Array<Pick<NodeCondition, "type" | "status" | "reason" | "message">> = [
  {
    type: "MemoryPressure",
    status: "False",
    reason: "KubeletHasSufficientMemory",
    message: "kubelet has sufficient memory available",
  },
  {
    type: "DiskPressure",
    status: "False",
    reason: "KubeletHasNoDiskPressure",
    message: "kubelet has no disk pressure",
  },
  {
    type: "PIDPressure",
    status: "False",
    reason: "KubeletHasSufficientPID",
    message: "kubelet has sufficient PID available",
  },
  { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
];

/** The status kubelet posts; conditions keep their lastTransitionTime while unchanged. */
export function nodeStatus(id: NodeIdentity, old: Node | undefined, now: Date): NonNullable<Node["status"]> {
  const ts = rfc3339(now);
  const conditions = conditionSpecs.map((c) => {
    const prev = old?.status?.conditions?.find((o) => o.type === c.type);
    const since = prev && prev.status === c.status ? prev.lastTransitionTime : ts;
    return { ...c, lastHeartbeatTime: ts, lastTransitionTime: since };
  });
  const capacity = { ...machineCapacity(), ...id.capacity };
  return {
    addresses: [
      ...id.nodeIPs.map((address) => ({ type: "InternalIP", address })),
      { type: "Hostname", address: id.nodeName },
    ],
    allocatable: { ...capacity },
    capacity,
    conditions,
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      architecture: goArch(),
      bootID,
      containerRuntimeVersion: `${id.runtimeName}://${id.runtimeVersion}`,
      kernelVersion: release(),
      kubeProxyVersion: "",
      kubeletVersion: KUBELET_VERSION,
      machineID: hex(`machine/${id.nodeName}`, 32),
      operatingSystem: "linux",
      osImage: osImage(),
      systemUUID: asUUID(hex(`system/${id.nodeName}`, 32)),
    },
  };
}

/** kubelet's reasons for a node condition reaching a status (recordNodeStatusEvent). */
const eventReasons: Record<string, string> = {
  "MemoryPressure/False": "NodeHasSufficientMemory",
  "MemoryPressure/True": "NodeHasInsufficientMemory",
  "DiskPressure/False": "NodeHasNoDiskPressure",
  "DiskPressure/True": "NodeHasDiskPressure",
  "PIDPressure/False": "NodeHasSufficientPID",
  "PIDPressure/True": "NodeHasInsufficientPID",
  "Ready/True": "NodeReady",
  "Ready/False": "NodeNotReady",
};

/** The events kubelet records for conditions that changed between two node statuses. */
export function nodeConditionEvents(
  before: Node | undefined,
  after: Node,
): Array<{ reason: string; message: string }> {
  const out: Array<{ reason: string; message: string }> = [];
  for (const c of after.status?.conditions ?? []) {
    const prev = before?.status?.conditions?.find((o) => o.type === c.type);
    const reason = eventReasons[`${c.type}/${c.status}`];
    if (reason && prev?.status !== c.status)
      out.push({ reason, message: `Node ${after.metadata.name} status is now: ${reason}` });
  }
  return out;
}
