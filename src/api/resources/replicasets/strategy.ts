/** ReplicaSet strategy as kube's pkg/registry/apps/replicaset and pkg/apis/apps/validation. */
import { FieldPath } from "../../machinery/field-errors.ts";
import { validateImmutable } from "../../machinery/validation/meta.ts";
import { defaultPodTemplateSpec } from "../pods/defaults.ts";
import { ensureObj, type Obj, obj } from "../pods/json.ts";
import { nonNegative, validateAppsSelectorAndTemplate, validateReplicaStatus } from "../pods/workloads.ts";
import type { Strategy } from "../types.ts";

const spec = FieldPath.root("spec");

export const strategy: Strategy = {
  defaults(o) {
    const s = ensureObj(o as Obj, "spec");
    if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
    defaultPodTemplateSpec(ensureObj(s, "template"));
  },
  prepareForCreate(o) {
    o.status = { replicas: 0 };
  },
  prepareForUpdate(o, old) {
    o.status = old.status;
  },
  validate(o) {
    const s = obj(o.spec);
    return [
      ...nonNegative(s.replicas, spec.child("replicas")),
      ...nonNegative(s.minReadySeconds, spec.child("minReadySeconds")),
      ...validateAppsSelectorAndTemplate(s, spec),
    ];
  },
  // apps/v1: the selector is immutable.
  validateUpdate: (o, old) =>
    validateImmutable(obj(o.spec).selector, obj(old.spec).selector, spec.child("selector")),
  prepareForStatusUpdate(o, old) {
    o.spec = old.spec;
  },
  validateStatusUpdate: (o) =>
    validateReplicaStatus(o, FieldPath.root("status"), [
      "replicas",
      "fullyLabeledReplicas",
      "readyReplicas",
      "availableReplicas",
      "observedGeneration",
    ]),
};
