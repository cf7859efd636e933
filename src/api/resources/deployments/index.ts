import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const deployment: ResourceDef = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  subresources: {
    status: true,
    scale: { specReplicas: "spec.replicas", statusReplicas: "status.replicas", selectorStyle: "label" },
  },
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: true,
};
