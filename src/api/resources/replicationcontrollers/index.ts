import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const replicationcontroller: ResourceDef = {
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  namespaced: true,
  shortNames: ["rc"],
  categories: ["all"],
  subresources: {
    status: true,
    scale: { specReplicas: "spec.replicas", statusReplicas: "status.replicas", selectorStyle: "map" },
  },
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: true,
};
