import { obj } from "../pods/json.ts";
import type { FieldGetters } from "../types.ts";

/** kube's RC selectable fields: status.replicas. */
export const fields: FieldGetters = {
  "status.replicas": (o) => String(obj(o.status).replicas ?? 0),
};
