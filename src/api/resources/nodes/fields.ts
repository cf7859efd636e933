import { obj } from "../pods/json.ts";
import type { FieldGetters } from "../types.ts";

/** kube's node selectable fields: spec.unschedulable. */
export const fields: FieldGetters = {
  "spec.unschedulable": (o) => String(obj(o.spec).unschedulable === true),
};
