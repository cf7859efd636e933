/**
 * Pod lifecycle for the pods bound to this node, as kubelet runs it: start the pod in the
 * runtime, report Running with IPs, conditions and containerStatuses, flip Ready when the
 * readiness delay has passed; on graceful deletion stop the pod and confirm the deletion with a
 * DELETE of grace period 0 (what lets `kubectl delete pod` return).
 */
import { isDeepStrictEqual } from "node:util";
import { type Informer, isConflict, isNotFound, type RestClient, type WorkQueue } from "../client/index.ts";
import type { AgentEventRecorder } from "./events.ts";
import { imageMessages } from "./images.ts";
import { kinds } from "./kinds.ts";
import type { Runtime } from "./runtime.ts";
import { type RunningPod, recordedStart, runningStatus } from "./status.ts";
import type { Container, Pod } from "./types.ts";

export interface PodSyncOptions {
  nodeName: string;
  hostIPs: string[];
  /** How long a simulated container takes to stop (capped by the pod's grace period). */
  shutdownMs: number;
  now?: () => Date;
}

interface PodState extends RunningPod {
  uid: string;
  pod: Pod;
}

const containerPath = (c: Container) => `spec.containers{${c.name}}`;
const initPath = (c: Container) => `spec.initContainers{${c.name}}`;

export class PodSync {
  private readonly states = new Map<string, PodState>();
  /** Images this node has "pulled" (IfNotPresent pulls once per node, as kubelet's image manager). */
  private readonly images = new Set<string>();
  /** Pod UID → when stopping began (deletionTimestamp first seen). */
  private readonly killing = new Map<string, number>();
  private readonly now: () => Date;

  constructor(
    private readonly client: RestClient,
    private readonly runtime: Runtime,
    private readonly pods: Informer<Pod>,
    private readonly queue: WorkQueue<string>,
    private readonly recorder: AgentEventRecorder,
    private readonly opts: PodSyncOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Bring the pod behind key to where its spec and deletion state say it should be. */
  async sync(key: string): Promise<void> {
    const pod = this.pods.get(key);
    let st = this.states.get(key);
    if (st && (!pod || st.uid !== pod.metadata.uid)) {
      // Gone (or replaced by a pod of the same name): release what the old one held.
      await this.runtime.stop(st.pod);
      this.states.delete(key);
      st = undefined;
    }
    if (!pod || pod.spec.nodeName !== this.opts.nodeName) return;
    if (pod.metadata.deletionTimestamp) return this.terminate(key, pod, st);
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    st ??= await this.startPod(key, pod);
    st.pod = pod;
    const now = this.now();
    const { status, nextChange } = runningStatus(pod, st, {
      hostIPs: this.opts.hostIPs,
      runtimeName: this.runtime.name,
      now,
    });
    if (!isDeepStrictEqual(status, pod.status)) {
      try {
        await this.client
          .resource<Pod>(kinds.pods)
          .namespace(pod.metadata.namespace ?? "")
          .updateStatus({ ...pod, status });
      } catch (e) {
        // A deleted pod needs no status; a conflict retries once the newer pod is in the cache.
        if (isNotFound(e)) return;
        throw e;
      }
    }
    if (nextChange !== undefined) this.queue.addAfter(key, Math.max(0, nextChange - now.getTime()));
  }

  /** Pods the runtime should recover after a restart: those already running here. */
  adoptable(): Pod[] {
    return this.pods.list().filter((p) => p.spec.nodeName === this.opts.nodeName && recordedStart(p));
  }

  private async startPod(key: string, pod: Pod): Promise<PodState> {
    const uid = pod.metadata.uid ?? "";
    const before = recordedStart(pod);
    if (before) {
      // Started by an earlier run of this agent: keep its start time and addresses, no new events.
      const st: PodState = { uid, pod, startedAt: before, net: await this.runtime.start(pod) };
      this.states.set(key, st);
      return st;
    }
    for (const c of pod.spec.initContainers ?? []) this.pull(pod, c, initPath(c));
    for (const c of pod.spec.containers) this.pull(pod, c, containerPath(c));
    const net = await this.runtime.start(pod);
    const st: PodState = { uid, pod, startedAt: this.now(), net };
    this.states.set(key, st);
    // kubelet_container events (pkg/kubelet/kuberuntime/kuberuntime_container.go, 1.33 texts).
    for (const [c, path] of [
      ...(pod.spec.initContainers ?? []).map((c) => [c, initPath(c)] as const),
      ...pod.spec.containers.map((c) => [c, containerPath(c)] as const),
    ]) {
      this.recorder.record(pod, "Normal", "Created", `Created container: ${c.name}`, path);
      this.recorder.record(pod, "Normal", "Started", `Started container ${c.name}`, path);
    }
    return st;
  }

  /** kubelet's EnsureImageExists: Always pulls every time, IfNotPresent/Never use a present image. */
  private pull(pod: Pod, c: Container, path: string): void {
    const image = c.image ?? "";
    const policy = c.imagePullPolicy ?? "IfNotPresent";
    if (policy !== "Always" && this.images.has(image)) {
      this.recorder.record(pod, "Normal", "Pulled", imageMessages.present(image), path);
      return;
    }
    const t0 = Date.now();
    this.recorder.record(pod, "Normal", "Pulling", imageMessages.pulling(image), path);
    this.images.add(image);
    const ms = Date.now() - t0;
    this.recorder.record(pod, "Normal", "Pulled", imageMessages.pulled(image, ms, ms, 0), path);
  }

  private async terminate(key: string, pod: Pod, st: PodState | undefined): Promise<void> {
    const now = Date.now();
    const uid = pod.metadata.uid ?? "";
    let since = this.killing.get(uid);
    if (since === undefined) {
      since = now;
      this.killing.set(uid, now);
      // Only containers that ran are stopped (a pod deleted before it started has none).
      if (st || recordedStart(pod))
        for (const c of pod.spec.containers)
          this.recorder.record(pod, "Normal", "Killing", `Stopping container ${c.name}`, containerPath(c));
    }
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    const wait = Math.min(grace, this.opts.shutdownMs) - (now - since);
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return;
    }
    await this.runtime.stop(pod);
    this.states.delete(key);
    try {
      await this.client
        .resource<Pod>(kinds.pods)
        .namespace(pod.metadata.namespace ?? "")
        .delete(pod.metadata.name ?? "", { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    this.killing.delete(uid);
  }
}
