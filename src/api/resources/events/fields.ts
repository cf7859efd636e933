import type { KubeObject } from "../../machinery/types.ts";
import { obj, str } from "../pods/json.ts";
import type { FieldGetters } from "../types.ts";

const io = (o: KubeObject) => obj(o.involvedObject);

/** kube's event ToSelectableFields (pkg/registry/core/event/strategy.go). */
export const fields: FieldGetters = {
  "involvedObject.kind": (o) => str(io(o).kind),
  "involvedObject.namespace": (o) => str(io(o).namespace),
  "involvedObject.name": (o) => str(io(o).name),
  "involvedObject.uid": (o) => str(io(o).uid),
  "involvedObject.apiVersion": (o) => str(io(o).apiVersion),
  "involvedObject.resourceVersion": (o) => str(io(o).resourceVersion),
  "involvedObject.fieldPath": (o) => str(io(o).fieldPath),
  reason: (o) => str(o.reason),
  reportingComponent: (o) => str(o.reportingComponent),
  // source is source.component, falling back to the reporting controller.
  source: (o) => str(obj(o.source).component) || str(o.reportingComponent),
  type: (o) => str(o.type),
};
