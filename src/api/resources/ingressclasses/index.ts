import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const ingressclass: ResourceDef = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  singular: "ingressclass",
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: {},
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
