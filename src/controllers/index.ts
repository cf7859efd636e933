/** Controllers and the start functions `skiff up` / `skiff controllers` call. One export per line. */

export { startWorkloadControllers } from "./deployment/index.ts";
export { startEndpointControllers } from "./endpoints-group.ts";
export { startServiceLBController } from "./servicelb/index.ts";
