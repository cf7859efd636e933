/** Controllers and the start functions `skiff up` / `skiff controllers` call. One export per line. */

export { startWorkloadControllers } from "./deployment/index.ts";
export { startEndpointControllers } from "./endpoints-group.ts";
export { StaleInformerCacheError } from "./endpointutil/stale.ts";
export { startServiceLBController } from "./servicelb/index.ts";
