/**
 * `kubectl get pods` columns, as kube-apiserver's printPod computes them (with Wide, as the
 * server always does): READY counts ready containers, STATUS is the pod's reason as kubectl shows
 * it (waiting/terminated reasons, Init:x/y, Terminating…), RESTARTS carries "(5m ago)".
 */

import { humanDuration, translateTimestampSince } from "../../../util/duration.ts";
import type { KubeObject } from "../../machinery/types.ts";
import type { TableDef } from "../types.ts";

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}

interface Container {
  name: string;
  restartPolicy?: string;
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  nodeName?: string;
  readinessGates?: Array<{ conditionType: string }>;
}

interface PodStatus {
  phase?: string;
  reason?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  nominatedNodeName?: string;
}

/** kube's node.NodeUnreachablePodReason: pods on a lost node print Unknown while deleting. */
const NODE_LOST = "NodeLost";

/** Sidecars: init containers with restartPolicy Always keep running and count as containers. */
function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === "Always";
}

function finishedAt(s: ContainerStatus): number | undefined {
  const t = s.lastState?.terminated?.finishedAt;
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function conditionTrue(conds: Condition[] | undefined, type: string): boolean {
  for (const c of conds ?? []) {
    if (c.type === type) return c.status === "True";
  }
  return false;
}

function hasReadyCondition(conds: Condition[] | undefined): boolean {
  return (conds ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** The READY, STATUS and RESTARTS cells. */
export function summarizePod(obj: KubeObject, now: Date): PodSummary {
  const spec = (obj.spec ?? {}) as PodSpec;
  const status = (obj.status ?? {}) as PodStatus;
  const initSpecs = spec.initContainers ?? [];
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = status.phase ?? "";
  let reason = status.reason ? status.reason : phase;
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  const initByName = new Map<string, Container>();
  for (const c of initSpecs) {
    initByName.set(c.name, c);
    if (isRestartable(c)) total++;
  }

  const later = (a: number | undefined, b: number | undefined): number | undefined =>
    b !== undefined && (a === undefined || b > a) ? b : a;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const sidecar = isRestartable(initByName.get(c.name));
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, finishedAt(c));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) {
        reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
      } else {
        reason = `Init:${term.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, "Initialized")) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards like kube so the first container's reason wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, finishedAt(c));
      const term = c.state?.terminated;
      const waiting = c.state?.waiting;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (term?.reason) {
        reason = term.reason;
      } else if (term) {
        reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      reason = hasReadyCondition(status.conditions) ? "Running" : "NotReady";
    }
  }

  if (obj.metadata.deletionTimestamp && status.reason === NODE_LOST) {
    reason = "Unknown";
  } else if (obj.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") {
    reason = "Terminating";
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsCell };
}

function readinessGates(spec: PodSpec, status: PodStatus): string {
  const gates = spec.readinessGates ?? [];
  if (gates.length === 0) return "<none>";
  let trueCount = 0;
  for (const g of gates) {
    const cond = (status.conditions ?? []).find((c) => c.type === g.conditionType);
    if (cond?.status === "True") trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the pod, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Ready",
      type: "string",
      format: "",
      description: "Ready containers out of all containers in the pod.",
      priority: 0,
    },
    {
      name: "Status",
      type: "string",
      format: "",
      description: "Summary of the state of the pod and its containers.",
      priority: 0,
    },
    {
      name: "Restarts",
      type: "string",
      format: "",
      description: "How often the pod's containers restarted, and how long ago the last restart was.",
      priority: 0,
    },
    { name: "Age", type: "string", format: "", description: "Time since the pod was created.", priority: 0 },
    { name: "IP", type: "string", format: "", description: "The pod's primary IP address.", priority: 1 },
    { name: "Node", type: "string", format: "", description: "Node the pod is bound to.", priority: 1 },
    {
      name: "Nominated Node",
      type: "string",
      format: "",
      description: "Node the scheduler nominated for the pod after preempting others.",
      priority: 1,
    },
    {
      name: "Readiness Gates",
      type: "string",
      format: "",
      description: "Readiness gate conditions that are true, out of all gates.",
      priority: 1,
    },
  ],
  cells(obj, now) {
    const spec = (obj.spec ?? {}) as PodSpec;
    const status = (obj.status ?? {}) as PodStatus;
    const s = summarizePod(obj, now);
    // The internal API always carries podIPs; older objects may only have podIP.
    const ip = status.podIPs?.[0]?.ip || status.podIP || "<none>";
    return [
      obj.metadata.name ?? "",
      s.ready,
      s.status,
      s.restarts,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      ip,
      spec.nodeName || "<none>",
      status.nominatedNodeName || "<none>",
      readinessGates(spec, status),
    ];
  },
};
