/**
 * The node agent: registers the node, keeps its heartbeat, and runs the pods bound to it
 * through a Runtime. Everything goes through the Kubernetes API, so it also joins a real cluster.
 */
import { Informer, objectKey, type RestClient, runWorkers, WorkQueue } from "../client/index.ts";
import { AgentEventRecorder } from "./events.ts";
import { every, postNodeStatus, registerNode, renewLease } from "./heartbeat.ts";
import { kinds } from "./kinds.ts";
import { type NodeIdentity, nodeConditionEvents } from "./node.ts";
import { PodSync } from "./pods.ts";
import type { Runtime } from "./runtime.ts";
import type { Node, Pod } from "./types.ts";

export interface AgentOptions {
  nodeName: string;
  /** The node's pod CIDRs, primary first (used unless the Node already has its own). */
  podCIDRs: string[];
  signal: AbortSignal;
  /** The node's InternalIPs (default 127.0.0.1). */
  nodeIPs?: string[];
  labels?: Record<string, string>;
  taints?: NodeIdentity["taints"];
  capacity?: Record<string, string>;
  /** kubelet: renew the Lease every 10 s. */
  leaseRenewIntervalMs?: number;
  /** Post the node status this often (default 60 s). */
  statusUpdateIntervalMs?: number;
  /** Simulated container shutdown time on deletion, capped by the grace period (default 100 ms). */
  shutdownMs?: number;
  workers?: number;
  log?: (msg: string) => void;
}

export interface Agent {
  /** The Node as registered. */
  readonly node: Node;
  stop(): Promise<void>;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Start an agent whose runtime is made once the node's pod CIDRs are known. */
export async function startAgent(
  client: RestClient,
  makeRuntime: (podCIDRs: string[], nodeIPs: string[]) => Runtime,
  opts: AgentOptions,
): Promise<Agent> {
  const log = opts.log ?? ((m: string) => console.error(`agent ${opts.nodeName}: ${m}`));
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  if (opts.signal.aborted) ctl.abort();
  opts.signal.addEventListener("abort", onAbort, { once: true });
  const signal = ctl.signal;
  const nodeIPs = opts.nodeIPs ?? ["127.0.0.1"];

  // The runtime's identity goes into nodeInfo; build a provisional one to learn it.
  let runtime = makeRuntime(opts.podCIDRs, nodeIPs);
  const id: NodeIdentity = {
    nodeName: opts.nodeName,
    nodeIPs,
    podCIDRs: opts.podCIDRs,
    labels: opts.labels,
    taints: opts.taints,
    capacity: opts.capacity,
    runtimeName: runtime.name,
    runtimeVersion: runtime.version,
  };
  const registered = await registerNode(client, id);
  const nodeCIDRs = registered.spec?.podCIDRs ?? [];
  if (nodeCIDRs.length > 0 && nodeCIDRs.join(",") !== opts.podCIDRs.join(",")) {
    // podCIDRs are immutable once set: the node keeps the ones it has.
    log(
      `node already has pod CIDRs ${nodeCIDRs.join(",")}; using them instead of ${opts.podCIDRs.join(",")}`,
    );
    runtime = makeRuntime(nodeCIDRs, nodeIPs);
    id.podCIDRs = nodeCIDRs;
  }
  const recorder = new AgentEventRecorder(client, {
    component: "kubelet",
    host: opts.nodeName,
    onError: (e) => log(`event: ${errText(e)}`),
  });
  const nodeRef = { kind: "Node", metadata: { name: opts.nodeName, uid: opts.nodeName } };
  recorder.record(nodeRef, "Normal", "Starting", "Starting kubelet.");
  let node = await postNodeStatus(client, id, () => new Date());
  for (const e of nodeConditionEvents(registered, node))
    recorder.record(nodeRef, "Normal", e.reason, e.message);
  recorder.record(nodeRef, "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");

  const pods = new Informer<Pod>(client.resource<Pod>(kinds.pods), {
    fieldSelector: `spec.nodeName=${opts.nodeName}`,
    onError: (e) => log(`watching pods: ${errText(e)}`),
  });
  const queue = new WorkQueue<string>();
  const podSync = new PodSync(client, runtime, pods, queue, recorder, {
    nodeName: opts.nodeName,
    hostIPs: nodeIPs,
    shutdownMs: opts.shutdownMs ?? 100,
  });
  pods.addEventHandler({
    onAdd: (p) => queue.add(objectKey(p)),
    onUpdate: (_o, p) => queue.add(objectKey(p)),
    onDelete: (p) => queue.add(objectKey(p)),
  });

  const tasks: Array<Promise<void>> = [];
  tasks.push(pods.run(signal));
  try {
    if (!(await pods.waitForSync(signal))) throw new Error("stopped before the pod list arrived");
    // Addresses of pods from an earlier run stay theirs.
    await runtime.recover(podSync.adoptable());
  } catch (e) {
    ctl.abort();
    await Promise.allSettled(tasks);
    await recorder.drain();
    throw e;
  }
  tasks.push(
    runWorkers(queue, opts.workers ?? 4, (key) => podSync.sync(key), signal, {
      onError: (key, e) => log(`pod ${key}: ${errText(e)}`),
    }),
    every(
      opts.leaseRenewIntervalMs ?? 10_000,
      async () => {
        await renewLease(client, node, new Date());
      },
      signal,
      (e) => log(`renewing lease: ${errText(e)}`),
    ),
    every(
      opts.statusUpdateIntervalMs ?? 60_000,
      async () => {
        const before = node;
        node = await postNodeStatus(client, id, () => new Date());
        for (const e of nodeConditionEvents(before, node))
          recorder.record(nodeRef, "Normal", e.reason, e.message);
      },
      signal,
      (e) => log(`posting node status: ${errText(e)}`),
    ),
  );

  let stopped: Promise<void> | undefined;
  return {
    get node() {
      return node;
    },
    stop() {
      stopped ??= (async () => {
        ctl.abort();
        opts.signal.removeEventListener("abort", onAbort);
        await Promise.allSettled(tasks);
        await recorder.drain();
      })();
      return stopped;
    },
  };
}
