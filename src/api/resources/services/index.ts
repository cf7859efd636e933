import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const service: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  singular: "service",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  subresources: { status: true },
  nameRule: "dns1035Label",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
