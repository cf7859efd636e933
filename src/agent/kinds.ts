/** REST descriptors of the kinds the agent reads and writes. */
import type { ResourceDescriptor } from "../client/index.ts";

export const kinds = {
  pods: { group: "", version: "v1", plural: "pods", namespaced: true },
  nodes: { group: "", version: "v1", plural: "nodes", namespaced: false },
  events: { group: "", version: "v1", plural: "events", namespaced: true },
  leases: { group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true },
} satisfies Record<string, ResourceDescriptor>;
