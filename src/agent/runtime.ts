/**
 * Where pods run. The agent drives a Runtime for the pods bound to its node: the simulated one
 * (no processes, IPs from the node's pod CIDR, like kwok) and, later, one that runs containers
 * as processes in network namespaces. Both must be idempotent per pod UID: the agent calls
 * start again after a failed status write and stop again after a failed delete.
 */
import type { Pod } from "./types.ts";

export interface PodNetwork {
  /** The first of podIPs (kube's status.podIP). */
  podIP: string;
  /** One address per family, primary family first. */
  podIPs: string[];
}

export interface Runtime {
  /** The name in node.status.nodeInfo.containerRuntimeVersion (`<name>://<version>`) and container IDs. */
  readonly name: string;
  readonly version: string;
  /** Take over pods that already ran here before an agent restart (their IPs stay theirs). */
  recover(pods: Pod[]): Promise<void>;
  /** Set up the pod's sandbox and containers; the same UID gets the same network back. */
  start(pod: Pod): Promise<PodNetwork>;
  /** Tear the pod down and release its addresses; stopping an unknown pod is a no-op. */
  stop(pod: Pod): Promise<void>;
}
