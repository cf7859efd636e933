/**
 * The pod status kubelet writes for a running pod (pkg/kubelet/kubelet_pods.go
 * generateAPIPodStatus and pkg/kubelet/status): phase, IPs, conditions in kubelet's order, and
 * one containerStatus per container. Pure: the same inputs give the same status, and a
 * condition keeps its lastTransitionTime while its status does not change.
 */
import { containerID, imageID, normalizeImage } from "./images.ts";
import type { PodNetwork } from "./runtime.ts";
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "./types.ts";

export interface RunningPod {
  /** When the pod's containers started (status.startTime and state.running.startedAt). */
  startedAt: Date;
  net: PodNetwork;
}

export interface StatusInput {
  hostIPs: string[];
  runtimeName: string;
  now: Date;
}

export const rfc3339 = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** When a container turns ready: after the readinessProbe's initialDelaySeconds, else at once. */
export function readyAt(c: Container, startedAt: Date): number {
  const delay = c.readinessProbe ? (c.readinessProbe.initialDelaySeconds ?? 0) : 0;
  return startedAt.getTime() + delay * 1000;
}

function condition(old: PodCondition[] | undefined, c: PodCondition, now: Date): PodCondition {
  const prev = old?.find((o) => o.type === c.type);
  const since =
    prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now);
  return { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: since, ...reasonOf(c) };
}

const reasonOf = (c: PodCondition) => ({
  ...(c.reason ? { reason: c.reason } : {}),
  ...(c.message ? { message: c.message } : {}),
});

/**
 * The running status of pod, and when it next changes by itself (a readiness delay ending), if
 * it does.
 */
export function runningStatus(
  pod: Pod,
  run: RunningPod,
  input: StatusInput,
): { status: PodStatus; nextChange?: number } {
  const old = pod.status ?? {};
  const now = input.now;
  const started = rfc3339(run.startedAt);
  const oldStatuses = new Map((old.containerStatuses ?? []).map((s) => [s.name, s]));
  let nextChange: number | undefined;
  const containerStatuses: ContainerStatus[] = pod.spec.containers.map((c) => {
    const at = readyAt(c, run.startedAt);
    const ready = now.getTime() >= at || oldStatuses.get(c.name)?.ready === true;
    if (!ready) nextChange = Math.min(nextChange ?? at, at);
    const image = c.image ?? "";
    return {
      containerID: containerID(input.runtimeName, pod.metadata.uid ?? "", c.name),
      image: normalizeImage(image),
      imageID: imageID(image),
      lastState: {},
      name: c.name,
      ready,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: started } },
    };
  });
  const initContainerStatuses: ContainerStatus[] = (pod.spec.initContainers ?? []).map((c) => {
    const image = c.image ?? "";
    const id = containerID(input.runtimeName, pod.metadata.uid ?? "", c.name);
    return {
      containerID: id,
      image: normalizeImage(image),
      imageID: imageID(image),
      lastState: {},
      name: c.name,
      ready: true,
      restartCount: 0,
      started: false,
      state: {
        terminated: {
          containerID: id,
          exitCode: 0,
          finishedAt: started,
          reason: "Completed",
          startedAt: started,
        },
      },
    };
  });
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const notReady: Partial<PodCondition> =
    unready.length > 0
      ? { reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` }
      : {};
  const readyStatus = unready.length === 0 ? "True" : "False";
  const scheduled = old.conditions?.find((c) => c.type === "PodScheduled");
  const conditions = [
    condition(old.conditions, { type: "PodReadyToStartContainers", status: "True" }, now),
    condition(old.conditions, { type: "Initialized", status: "True" }, now),
    condition(old.conditions, { type: "Ready", status: readyStatus, ...notReady }, now),
    condition(old.conditions, { type: "ContainersReady", status: readyStatus, ...notReady }, now),
    scheduled ?? condition(undefined, { type: "PodScheduled", status: "True" }, run.startedAt),
  ];
  const status: PodStatus = {
    ...old,
    phase: "Running",
    conditions,
    hostIP: input.hostIPs[0],
    hostIPs: input.hostIPs.map((ip) => ({ ip })),
    podIP: run.net.podIP,
    podIPs: run.net.podIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? started,
    containerStatuses,
  };
  if (initContainerStatuses.length > 0) status.initContainerStatuses = initContainerStatuses;
  return { status, nextChange };
}

/** The container start time recorded in a pod's status by an earlier agent run, if it is running. */
export function recordedStart(pod: Pod): Date | undefined {
  const s = pod.status;
  if (s?.phase !== "Running" || !s.podIP) return undefined;
  const t = s.containerStatuses?.[0]?.state?.running?.startedAt;
  return typeof t === "string" ? new Date(t) : undefined;
}
