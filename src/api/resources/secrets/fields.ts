import { str } from "../pods/json.ts";
import type { FieldGetters } from "../types.ts";

/** kube's secret selectable fields: type. */
export const fields: FieldGetters = {
  type: (o) => str(o.type),
};
