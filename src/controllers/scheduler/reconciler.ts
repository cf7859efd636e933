/**
 * The scheduling decision, pure: which nodes a pod fits (kube-scheduler's NodeUnschedulable,
 * NodeName, NodeAffinity (nodeSelector + required node affinity), TaintToleration and the pod
 * count part of NodeResourcesFit filters) and, among them, the one with the fewest pods.
 */
import type { KubeObject } from "../../api/machinery/types.ts";

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    schedulerName?: string;
    nodeSelector?: Record<string, string>;
    tolerations?: Toleration[];
    schedulingGates?: unknown[];
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
      };
    };
    [key: string]: unknown;
  };
  status?: { phase?: string; conditions?: Array<Record<string, unknown>>; [key: string]: unknown };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Taint[]; [key: string]: unknown };
  status?: {
    conditions?: Array<{ type: string; status: string; [key: string]: unknown }>;
    allocatable?: Record<string, string>;
    [key: string]: unknown;
  };
}

export const DEFAULT_SCHEDULER = "default-scheduler";

/** A pod this scheduler should place now. */
export function needsScheduling(pod: Pod): boolean {
  const s = pod.spec ?? {};
  const phase = pod.status?.phase;
  return (
    !s.nodeName &&
    (s.schedulerName ?? DEFAULT_SCHEDULER) === DEFAULT_SCHEDULER &&
    !pod.metadata.deletionTimestamp &&
    (s.schedulingGates ?? []).length === 0 &&
    phase !== "Succeeded" &&
    phase !== "Failed"
  );
}

/** ToleratesTaint (k8s.io/api/core/v1/toleration.go). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || "Equal";
  if (op === "Exists") return true;
  return op === "Equal" && (t.value ?? "") === (taint.value ?? "");
}

/**
 * The taints the scheduler sees. A node whose Ready condition is not True carries the taint the
 * node lifecycle controller would add (not-ready, or unreachable when Unknown).
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status !== "True") {
    const key =
      ready?.status === "Unknown" || !ready
        ? "node.kubernetes.io/unreachable"
        : "node.kubernetes.io/not-ready";
    if (!taints.some((t) => t.key === key && t.effect === "NoSchedule"))
      taints.push({ key, effect: "NoSchedule" });
  }
  return taints;
}

function matchRequirement(r: Requirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && vals.includes(value);
    case "NotIn":
      return value === undefined || !vals.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const n = Number(value);
      const want = Number(vals[0]);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(want)) return false;
      return r.operator === "Gt" ? n > want : n < want;
    }
    default:
      return false;
  }
}

/** nodeSelector and required node affinity (terms are ORed, requirements within a term ANDed). */
export function matchesNodeSelector(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => {
    const exprs = t.matchExpressions ?? [];
    const fields = t.matchFields ?? [];
    // An empty term matches no objects.
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((r) => matchRequirement(r, labels[r.key])) &&
      fields.every((r) => r.key === "metadata.name" && matchRequirement(r, node.metadata.name))
    );
  });
}

/** Why node is filtered out for pod (kube-scheduler's reason texts), or undefined when it fits. */
export function unfitReason(pod: Pod, node: Node, podsOnNode: number): string | undefined {
  const tols = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable) {
    const t = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
    if (!tols.some((x) => tolerates(x, t))) return "node(s) were unschedulable";
  }
  // Filters run in kube's default plugin order and a node fails on the first: TaintToleration
  // comes before NodeAffinity.
  for (const taint of effectiveTaints(node)) {
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
    if (!tols.some((t) => tolerates(t, taint)))
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
  }
  if (!matchesNodeSelector(pod, node)) return "node(s) didn't match Pod's node affinity/selector";
  const max = Number(node.status?.allocatable?.pods ?? "110");
  if (Number.isFinite(max) && podsOnNode >= max) return "Too many pods";
  return undefined;
}

export type Decision = { node: string } | { unschedulable: string };

/**
 * Pick the fitting node with the fewest pods (ties: by name). Without one, the message kube
 * puts in the PodScheduled condition: `0/N nodes are available: <count> <reason>, ….`
 */
export function schedule(pod: Pod, nodes: Node[], podCount: (node: string) => number): Decision {
  const reasons = new Map<string, number>();
  let best: { name: string; count: number } | undefined;
  for (const node of nodes) {
    const name = node.metadata.name ?? "";
    const count = podCount(name);
    const why = unfitReason(pod, node, count);
    if (why) {
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
      continue;
    }
    if (!best || count < best.count || (count === best.count && name < best.name)) best = { name, count };
  }
  if (best) return { node: best.name };
  // schedulePod's ErrNoNodesAvailable.
  if (nodes.length === 0) return { unschedulable: "no nodes available to schedule pods" };
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  const n = nodes.length;
  // FitError.Error(), then DefaultPreemption's PostFilter message when nothing can be preempted.
  return {
    unschedulable: `0/${n} nodes are available: ${parts.join(", ")}. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`,
  };
}
