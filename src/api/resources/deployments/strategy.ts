/** Deployment strategy as kube's pkg/registry/apps/deployment, apps/v1 defaults and apps validation. */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { validateImmutable } from "../../machinery/validation/meta.ts";
import { defaultPodTemplateSpec } from "../pods/defaults.ts";
import { ensureObj, isSet, type Obj, obj } from "../pods/json.ts";
import { nonNegative, validateAppsSelectorAndTemplate, validateReplicaStatus } from "../pods/workloads.ts";
import type { Strategy } from "../types.ts";

const spec = FieldPath.root("spec");
const percentMsg =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent, and the value as kube's getIntOrPercentValue reads it. */
function intOrPercent(v: unknown, p: FieldPath, errs: FieldError[]): number {
  if (typeof v === "string") {
    if (!/^[0-9]+%$/.test(v)) {
      errs.push(fieldErrors.invalid(p, v, percentMsg));
      return 0;
    }
    return Number(v.slice(0, -1));
  }
  if (typeof v === "number") {
    errs.push(...nonNegative(v, p));
    return v;
  }
  return 0;
}

function validateStrategy(st: Obj, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (st.type === "Recreate") {
    if (isSet(st.rollingUpdate))
      errs.push(
        fieldErrors.forbidden(
          p.child("rollingUpdate"),
          "may not be specified when strategy `type` is 'Recreate'",
        ),
      );
  } else if (st.type === "RollingUpdate") {
    if (!isSet(st.rollingUpdate))
      errs.push(fieldErrors.required(p.child("rollingUpdate"), "this should be defaulted and never be nil"));
    else {
      const ru = obj(st.rollingUpdate);
      const rp = p.child("rollingUpdate");
      const unavailable = intOrPercent(ru.maxUnavailable, rp.child("maxUnavailable"), errs);
      const surge = intOrPercent(ru.maxSurge, rp.child("maxSurge"), errs);
      if (unavailable === 0 && surge === 0)
        errs.push(
          fieldErrors.invalid(
            rp.child("maxUnavailable"),
            ru.maxUnavailable ?? null,
            "may not be 0 when `maxSurge` is 0",
          ),
        );
      if (typeof ru.maxUnavailable === "string" && unavailable > 100)
        errs.push(
          fieldErrors.invalid(rp.child("maxUnavailable"), ru.maxUnavailable, "must not be greater than 100%"),
        );
    }
  } else {
    errs.push(fieldErrors.notSupported(p, st.type ?? "", ["Recreate", "RollingUpdate"]));
  }
  return errs;
}

function validate(o: KubeObject): FieldError[] {
  const s = obj(o.spec);
  const errs = [
    ...nonNegative(s.replicas, spec.child("replicas")),
    ...validateAppsSelectorAndTemplate(s, spec),
    ...validateStrategy(obj(s.strategy), spec.child("strategy")),
    ...nonNegative(s.minReadySeconds, spec.child("minReadySeconds")),
    ...nonNegative(s.revisionHistoryLimit, spec.child("revisionHistoryLimit")),
  ];
  if (typeof s.progressDeadlineSeconds === "number") {
    errs.push(...nonNegative(s.progressDeadlineSeconds, spec.child("progressDeadlineSeconds")));
    const minReady = typeof s.minReadySeconds === "number" ? s.minReadySeconds : 0;
    if (s.progressDeadlineSeconds <= minReady)
      errs.push(
        fieldErrors.invalid(
          spec.child("progressDeadlineSeconds"),
          s.progressDeadlineSeconds,
          "must be greater than minReadySeconds",
        ),
      );
  }
  return errs;
}

export const strategy: Strategy = {
  // SetDefaults_Deployment (apps/v1).
  defaults(o) {
    const s = ensureObj(o as Obj, "spec");
    if (!isSet(s.replicas)) s.replicas = 1;
    const st = ensureObj(s, "strategy");
    if (!st.type) st.type = "RollingUpdate";
    if (st.type === "RollingUpdate") {
      const ru = ensureObj(st, "rollingUpdate");
      if (!isSet(ru.maxUnavailable)) ru.maxUnavailable = "25%";
      if (!isSet(ru.maxSurge)) ru.maxSurge = "25%";
    }
    if (!isSet(s.revisionHistoryLimit)) s.revisionHistoryLimit = 10;
    if (!isSet(s.progressDeadlineSeconds)) s.progressDeadlineSeconds = 600;
    defaultPodTemplateSpec(ensureObj(s, "template"));
  },
  prepareForCreate(o) {
    o.status = {};
  },
  prepareForUpdate(o, old) {
    o.status = old.status;
  },
  validate,
  // apps/v1: the selector is immutable.
  validateUpdate: (o, old) =>
    validateImmutable(obj(o.spec).selector, obj(old.spec).selector, spec.child("selector")),
  prepareForStatusUpdate(o, old) {
    o.spec = old.spec;
  },
  validateStatusUpdate: (o) =>
    validateReplicaStatus(o, FieldPath.root("status"), [
      "replicas",
      "updatedReplicas",
      "readyReplicas",
      "availableReplicas",
      "unavailableReplicas",
      "observedGeneration",
    ]),
};
