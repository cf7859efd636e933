import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const pod: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  subresources: { status: true, others: [{ name: "binding", kind: "Binding", verbs: ["create"] }] },
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: true,
};
