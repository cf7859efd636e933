/** The LoadBalancer address pool controller (`--lb-pool`). */
import type { RestClient } from "../../client/index.ts";
import type { InformerFactory } from "../framework/index.ts";
import { ServiceLBController } from "./controller.ts";

export { componentName, ServiceLBController, type ServiceLBControllerOptions } from "./controller.ts";
export { AddressPool, parsePool } from "./pool.ts";

export interface ServiceLBOptions {
  /** `--lb-pool` CIDRs; an empty pool leaves every LoadBalancer Service pending. */
  pools: string[];
  informers?: InformerFactory;
  /** Told about failed reconciles (they are retried with backoff). */
  onError?: (key: string, err: unknown) => void;
}

/**
 * Hand out LoadBalancer addresses until signal aborts. Throws at once (before any I/O) when a
 * pool entry is not a CIDR.
 */
export function startServiceLBController(
  client: RestClient,
  signal: AbortSignal,
  opts: ServiceLBOptions,
): Promise<void> {
  const ctl = new ServiceLBController(client, opts);
  return ctl.run(signal);
}
