import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const ipaddress: ResourceDef = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "IPAddress",
  plural: "ipaddresses",
  singular: "ipaddress",
  namespaced: false,
  shortNames: ["ip"],
  categories: [],
  subresources: {},
  nameRule: "none",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
