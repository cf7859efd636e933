import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const endpoints: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  categories: [],
  subresources: {},
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
