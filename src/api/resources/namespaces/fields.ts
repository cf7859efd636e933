import { obj, str } from "../pods/json.ts";
import type { FieldGetters } from "../types.ts";

/** kube's namespace selectable fields: status.phase. */
export const fields: FieldGetters = {
  "status.phase": (o) => str(obj(o.status).phase),
};
