import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const ingress: ResourceDef = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  singular: "ingress",
  namespaced: true,
  shortNames: ["ing"],
  categories: [],
  subresources: { status: true },
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: true,
};
