/**
 * A simple kube-scheduler: watches pods and nodes, places each unscheduled pod of
 * default-scheduler on the fitting node with the fewest pods, and binds it through the
 * pods/binding subresource (201; 409 when someone bound it first). Pods that fit nowhere get
 * PodScheduled=False/Unschedulable and a FailedScheduling event, and are retried when nodes or
 * pods change.
 */
import { isDeepStrictEqual } from "node:util";
import { isConflict, isNotFound, objectKey, type RestClient, WorkQueue } from "../../client/index.ts";
import { EventRecorder, InformerFactory, kinds, runController } from "../framework/index.ts";
import { DEFAULT_SCHEDULER, type Node, needsScheduling, type Pod, schedule } from "./reconciler.ts";

export interface SchedulerOptions {
  informers?: InformerFactory;
  workers?: number;
  log?: (msg: string) => void;
  now?: () => Date;
}

const rfc3339 = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const nodeIndex = (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []);

export class Scheduler {
  private readonly informers: InformerFactory;
  private readonly pods;
  private readonly nodes;
  private readonly queue = new WorkQueue<string>();
  private readonly recorder: EventRecorder;
  /** Pods bound here whose binding the cache has not shown yet: key → node. */
  private readonly assumed = new Map<string, string>();
  private readonly log: (msg: string) => void;
  private readonly now: () => Date;

  constructor(
    private readonly client: RestClient,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.log = opts.log ?? ((m) => console.error(`scheduler: ${m}`));
    this.now = opts.now ?? (() => new Date());
    this.informers = opts.informers ?? new InformerFactory(client, (e) => this.log(String(e)));
    this.pods = this.informers.informer<Pod>(kinds.pods, { indexers: { node: nodeIndex } });
    this.nodes = this.informers.informer<Node>(kinds.nodes);
    this.recorder = new EventRecorder(client, DEFAULT_SCHEDULER, { onError: (e) => this.log(String(e)) });
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (_o, p) => this.onPod(p),
      // A pod leaving frees room on its node.
      onDelete: (p) => {
        this.assumed.delete(objectKey(p));
        this.requeuePending();
      },
    });
    this.nodes.addEventHandler({
      onAdd: () => this.requeuePending(),
      // Heartbeats change nothing the filters read: only labels, spec and readiness matter.
      onUpdate: (o, n) => {
        if (
          !isDeepStrictEqual(o.metadata.labels, n.metadata.labels) ||
          !isDeepStrictEqual(o.spec, n.spec) ||
          readyOf(o) !== readyOf(n) ||
          o.status?.allocatable?.pods !== n.status?.allocatable?.pods
        )
          this.requeuePending();
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await runController(this.informers, this.queue, (key) => this.sync(key), signal, {
      workers: this.opts.workers ?? 1,
      onError: (key, e) => this.log(`${key}: ${e instanceof Error ? e.message : String(e)}`),
    });
    await this.recorder.drain();
  }

  private onPod(p: Pod): void {
    const key = objectKey(p);
    if (p.spec?.nodeName) this.assumed.delete(key);
    if (needsScheduling(p)) this.queue.add(key);
  }

  private requeuePending(): void {
    for (const p of this.pods.list())
      if (needsScheduling(p) && !this.assumed.has(objectKey(p))) this.queue.add(objectKey(p));
  }

  /** Pods on a node as the scheduler counts them: bound ones in the cache plus assumed ones. */
  private podCount(node: string): number {
    let n = this.pods.byIndex("node", node).length;
    for (const [key, on] of this.assumed) if (on === node && !this.pods.get(key)?.spec?.nodeName) n++;
    return n;
  }

  async sync(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !needsScheduling(pod) || this.assumed.has(key)) return;
    const decision = schedule(pod, this.nodes.list(), (n) => this.podCount(n));
    const ns = pod.metadata.namespace ?? "";
    const name = pod.metadata.name ?? "";
    if ("node" in decision) {
      this.assumed.set(key, decision.node);
      try {
        await this.bind(pod, decision.node);
      } catch (e) {
        this.assumed.delete(key);
        // Gone, or bound by someone else meanwhile: nothing left to do for this pod.
        if (isNotFound(e) || isConflict(e)) return;
        throw e;
      }
      this.recorder.recordEvent(
        pod,
        "Normal",
        "Scheduled",
        `Successfully assigned ${ns}/${name} to ${decision.node}`,
      );
      return;
    }
    await this.markUnschedulable(pod, decision.unschedulable);
  }

  /** DefaultBinder: POST a Binding to the pod's binding subresource. */
  private async bind(pod: Pod, node: string): Promise<void> {
    const pods = this.client.resource(kinds.pods);
    const ns = pod.metadata.namespace ?? "";
    const name = pod.metadata.name ?? "";
    await this.client.request("POST", pods.path(name, "binding", ns), {
      body: {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace: ns, uid: pod.metadata.uid },
        target: { apiVersion: "v1", kind: "Node", name: node },
      },
    });
  }

  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const old = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (old?.status === "False" && old.reason === "Unschedulable" && old.message === message) return;
    this.recorder.recordEvent(pod, "Warning", "FailedScheduling", message);
    const condition = {
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message,
      lastProbeTime: null,
      lastTransitionTime:
        old?.status === "False" && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.now()),
    };
    try {
      await this.client
        .resource(kinds.pods)
        .namespace(pod.metadata.namespace ?? "")
        .patch(
          pod.metadata.name ?? "",
          "strategic",
          { status: { conditions: [condition] } },
          { subresource: "status" },
        );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function readyOf(n: Node): string | undefined {
  return n.status?.conditions?.find((c) => c.type === "Ready")?.status;
}

/** Run the scheduler until signal aborts. */
export async function startScheduler(
  client: RestClient,
  signal: AbortSignal,
  opts: SchedulerOptions = {},
): Promise<void> {
  await new Scheduler(client, opts).run(signal);
}
