import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const namespace: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  categories: [],
  subresources: { status: true, others: [{ name: "finalize", kind: "Namespace", verbs: ["update"] }] },
  nameRule: "dns1123Label",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
