import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const endpointslice: ResourceDef = {
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: {},
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: true,
};
