/**
 * The simulated runtime (kwok-like): pods get addresses from the node's pod CIDRs and "run"
 * without processes. Host-network pods share the node's addresses.
 */
import { IPAllocator } from "./ipam.ts";
import type { PodNetwork, Runtime } from "./runtime.ts";
import type { Pod } from "./types.ts";

export interface SimulatedRuntimeOptions {
  /** The node's pod CIDRs, one per family, primary first. */
  podCIDRs: string[];
  /** The node's addresses, for host-network pods. */
  hostIPs: string[];
}

export class SimulatedRuntime implements Runtime {
  readonly name = "skiff-simulated";
  readonly version = "0.1.0";
  private readonly pools: IPAllocator[];
  private readonly byUID = new Map<string, PodNetwork>();

  constructor(private readonly opts: SimulatedRuntimeOptions) {
    this.pools = opts.podCIDRs.map((c) => new IPAllocator(c));
  }

  async recover(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      const uid = pod.metadata.uid;
      if (!uid || pod.spec.hostNetwork) continue;
      const ips = (pod.status?.podIPs ?? [])
        .map((p) => p.ip)
        .filter((ip) => this.pools.some((a) => a.reserve(ip)));
      if (ips.length > 0) this.byUID.set(uid, { podIP: ips[0], podIPs: ips });
    }
  }

  async start(pod: Pod): Promise<PodNetwork> {
    const uid = pod.metadata.uid ?? "";
    const known = this.byUID.get(uid);
    if (known) return known;
    if (pod.spec.hostNetwork) {
      const net = { podIP: this.opts.hostIPs[0], podIPs: [...this.opts.hostIPs] };
      this.byUID.set(uid, net);
      return net;
    }
    const ips: string[] = [];
    try {
      for (const pool of this.pools) ips.push(pool.allocate());
    } catch (e) {
      this.releaseAll(ips);
      throw e;
    }
    const net = { podIP: ips[0], podIPs: ips };
    this.byUID.set(uid, net);
    return net;
  }

  async stop(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? "";
    const net = this.byUID.get(uid);
    if (!net) return;
    this.byUID.delete(uid);
    if (!pod.spec.hostNetwork) this.releaseAll(net.podIPs);
  }

  /** Addresses in use, for tests and metrics. */
  get podsRunning(): number {
    return this.byUID.size;
  }

  private releaseAll(ips: string[]): void {
    for (const ip of ips) for (const pool of this.pools) if (pool.contains(ip)) pool.release(ip);
  }
}
