/** Starting the API clients of a cluster: controllers, scheduler and a node agent. */
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import { startSimulatedAgent } from "../agent/index.ts";
import type { RestClient } from "../client/rest.ts";
import { InformerFactory } from "../controllers/framework/index.ts";
import {
  StaleInformerCacheError,
  startEndpointControllers,
  startServiceLBController,
  startWorkloadControllers,
} from "../controllers/index.ts";
import { startScheduler } from "../controllers/scheduler/index.ts";
import { parsePool } from "../controllers/servicelb/index.ts";
import { clientFor } from "./client.ts";
import { UsageError } from "./flags.ts";

export interface Running {
  /** Resolves once everything has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

function logError(component: string) {
  return (...parts: unknown[]) => {
    const err = parts[parts.length - 1];
    // Retried until the watch catches up with the controller's own write: not worth a line.
    if (err instanceof StaleInformerCacheError) return;
    const key = parts.slice(0, -1).join(" ");
    console.error(`${component}: ${key}: ${err instanceof Error ? err.message : String(err)}`);
  };
}

export { clientFor };

/** kube-controller-manager's part: endpoint and workload controllers, the LB pool, the scheduler. */
export function startControllers(client: RestClient, opts: { lbPool: string[] }): Running {
  const ac = new AbortController();
  // Every informer and worker listens on this one signal.
  setMaxListeners(0, ac.signal);
  const informers = new InformerFactory(client);
  const done = Promise.all([
    startEndpointControllers(client, ac.signal, { informers, onError: logError("controllers") }),
    startWorkloadControllers(client, ac.signal, { informers, onError: logError("controllers") }),
    startScheduler(client, ac.signal),
    startServiceLBController(client, ac.signal, {
      pools: opts.lbPool,
      informers,
      onError: logError("controllers"),
    }),
  ]).then(() => undefined);
  return {
    done,
    async stop() {
      ac.abort();
      await done;
    },
  };
}

/** `--lb-pool a,b`: checked before anything starts. */
export function lbPoolFlag(v: string | boolean | undefined): string[] {
  const pools = String(v ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c);
  for (const c of pools) {
    try {
      parsePool([c]);
    } catch (e) {
      throw new UsageError(`--lb-pool: ${e instanceof Error ? e.message : e}`);
    }
  }
  return pools;
}

export interface AgentFlags {
  runtime: string;
  nodeName?: string;
  podCIDR: string;
}

export function checkRuntime(runtime: string): void {
  if (runtime === "netns")
    throw new UsageError(
      `--runtime netns (pods as processes in network namespaces) is not available yet: use --runtime simulated`,
    );
  if (runtime !== "simulated")
    throw new UsageError(`--runtime must be "simulated" or "netns", got "${runtime}"`);
}

/** The node agent (simulated runtime). Resolves once the Node is registered. */
export async function startNodeAgent(
  client: RestClient,
  flags: AgentFlags,
): Promise<Running & { nodeName: string }> {
  checkRuntime(flags.runtime);
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  const nodeName = flags.nodeName || hostname().toLowerCase();
  const agent = await startSimulatedAgent(client, { nodeName, podCIDR: flags.podCIDR, signal: ac.signal });
  let stopped: Promise<void> | undefined;
  return {
    nodeName,
    done: new Promise((resolve) => ac.signal.addEventListener("abort", () => resolve(), { once: true })),
    stop() {
      stopped ??= (async () => {
        await agent.stop();
        ac.abort();
      })();
      return stopped;
    },
  };
}
