/** The node agent (`skiff agent`): node registration, heartbeats, pod lifecycle over a Runtime. */
import type { RestClient } from "../client/index.ts";
import { type Agent, type AgentOptions, startAgent } from "./agent.ts";
import { SimulatedRuntime } from "./simulated.ts";

export { type Agent, type AgentOptions, startAgent } from "./agent.ts";
export { CIDRError, IPAllocator } from "./ipam.ts";
export type { PodNetwork, Runtime } from "./runtime.ts";
export { SimulatedRuntime } from "./simulated.ts";

export interface SimulatedAgentOptions extends Omit<AgentOptions, "podCIDRs"> {
  /** The node's pod CIDR; "a,b" for one per family (dual-stack). */
  podCIDR: string;
}

/** `skiff agent --runtime simulated`: pods get IPs from podCIDR and run without processes. */
export function startSimulatedAgent(client: RestClient, opts: SimulatedAgentOptions): Promise<Agent> {
  const podCIDRs = opts.podCIDR
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  return startAgent(client, (cidrs, hostIPs) => new SimulatedRuntime({ podCIDRs: cidrs, hostIPs }), {
    ...opts,
    podCIDRs,
  });
}
