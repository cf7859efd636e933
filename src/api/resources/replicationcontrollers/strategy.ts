/** ReplicationController strategy as kube's pkg/registry/core/replicationcontroller and core validation. */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { validateLabels } from "../../machinery/validation/meta.ts";
import { defaultPodTemplateSpec } from "../pods/defaults.ts";
import { ensureObj, isSet, type Obj, obj, stringEntries } from "../pods/json.ts";
import { nonNegative, validateControllerTemplate, validateReplicaStatus } from "../pods/workloads.ts";
import type { Strategy } from "../types.ts";

const spec = FieldPath.root("spec");

function validate(o: KubeObject): FieldError[] {
  const s = obj(o.spec);
  const errs = nonNegative(s.minReadySeconds, spec.child("minReadySeconds"));
  const selector = stringEntries(s.selector);
  // ValidateNonEmptySelector
  if (selector.length === 0) errs.push(fieldErrors.required(spec.child("selector")));
  errs.push(...validateLabels(s.selector, spec.child("selector")));
  if (!isSet(s.replicas)) errs.push(fieldErrors.required(spec.child("replicas")));
  else errs.push(...nonNegative(s.replicas, spec.child("replicas")));
  const matches =
    selector.length === 0 ? undefined : (l: Record<string, string>) => selector.every(([k, v]) => l[k] === v);
  errs.push(
    ...validateControllerTemplate(s.template, matches, spec.child("template"), "ReplicationController"),
  );
  return errs;
}

export const strategy: Strategy = {
  // SetDefaults_ReplicationController: selector and labels come from the template's labels.
  defaults(o) {
    const s = ensureObj(o as Obj, "spec");
    const labels = isSet(s.template) ? obj(obj(s.template).metadata).labels : undefined;
    if (isSet(labels)) {
      if (stringEntries(s.selector).length === 0) s.selector = { ...obj(labels) };
      if (Object.keys(o.metadata.labels ?? {}).length === 0)
        o.metadata.labels = Object.fromEntries(stringEntries(labels));
    }
    if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
    if (isSet(s.template)) defaultPodTemplateSpec(obj(s.template));
  },
  prepareForCreate(o) {
    o.status = { replicas: 0 };
  },
  prepareForUpdate(o, old) {
    o.status = old.status;
  },
  validate,
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
