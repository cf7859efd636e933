/** Controllers and the start functions `skiff up` / `skiff controllers` call. One export per line. */
export { startEndpointControllers } from "./endpoints-group.ts";
export { startWorkloadControllers } from "./deployment/index.ts";
