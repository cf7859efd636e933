/** REST descriptors of the kinds controllers read and write. */
import type { ResourceDescriptor } from "../../client/index.ts";

const core = (plural: string, namespaced = true): ResourceDescriptor => ({
  group: "",
  version: "v1",
  plural,
  namespaced,
});

export const kinds = {
  pods: core("pods"),
  services: core("services"),
  endpoints: core("endpoints"),
  events: core("events"),
  nodes: core("nodes", false),
  namespaces: core("namespaces", false),
  replicationcontrollers: core("replicationcontrollers"),
  endpointslices: { group: "discovery.k8s.io", version: "v1", plural: "endpointslices", namespaced: true },
  replicasets: { group: "apps", version: "v1", plural: "replicasets", namespaced: true },
  deployments: { group: "apps", version: "v1", plural: "deployments", namespaced: true },
} satisfies Record<string, ResourceDescriptor>;
