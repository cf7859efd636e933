/**
 * Service field selectors beyond metadata.name/namespace: kube's SelectableFields
 * (pkg/registry/core/service/strategy.go) and the v1 field label conversion add exactly these.
 */
import type { FieldGetters } from "../types.ts";
import { specOf, str } from "./spec.ts";

export const fields: FieldGetters = {
  "spec.clusterIP": (o) => str(specOf(o).clusterIP),
  "spec.type": (o) => str(specOf(o).type),
};
