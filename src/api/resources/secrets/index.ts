import type { ResourceDef } from "../types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { table } from "./table.ts";

export const secret: ResourceDef = {
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: {},
  nameRule: "dns1123Subdomain",
  strategy,
  table,
  fields,
  tracksGeneration: false,
};
