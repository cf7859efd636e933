import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const event: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  categories: [],
  subresources: {},
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
