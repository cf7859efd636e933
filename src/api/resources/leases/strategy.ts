/**
 * The Lease strategy: kube's pkg/registry/coordination/lease/strategy.go and
 * pkg/apis/coordination/validation (ValidateLeaseSpec, ValidateCoordinatedLeaseStrategy).
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { isQualifiedName } from "../../machinery/validation/names.ts";
import { isSet, obj, str } from "../pods/json.ts";
import type { Strategy } from "../types.ts";

const spec = FieldPath.root("spec");
/** Kubernetes-defined strategies (a strategy without a "/" must be one of these). */
const knownStrategies = ["OldestEmulationVersion"];

function validateLeaseSpec(o: KubeObject): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const dur = s.leaseDurationSeconds;
  if (typeof dur === "number" && dur <= 0)
    errs.push(fieldErrors.invalid(spec.child("leaseDurationSeconds"), dur, "must be greater than 0"));
  const tr = s.leaseTransitions;
  if (typeof tr === "number" && tr < 0)
    errs.push(fieldErrors.invalid(spec.child("leaseTransitions"), tr, "must be greater than or equal to 0"));
  if (isSet(s.strategy)) {
    const strategy = str(s.strategy);
    // kube appends "strategy" to a path that already ends in it: the reported field is spec.strategy.strategy.
    const p = spec.child("strategy", "strategy");
    if (!strategy.includes("/")) {
      if (!knownStrategies.includes(strategy))
        errs.push(fieldErrors.notSupported(p, strategy, knownStrategies));
    } else for (const m of isQualifiedName(strategy)) errs.push(fieldErrors.invalid(p, strategy, m));
  }
  if (str(s.preferredHolder) !== "" && str(s.strategy) === "")
    errs.push(
      fieldErrors.forbidden(spec.child("preferredHolder"), "may only be specified if `strategy` is defined"),
    );
  return errs;
}

/**
 * The CoordinatedLeaderElection feature gate is off by default in 1.33: strategy and
 * preferredHolder are dropped unless the old object already used them.
 */
function dropDisabledFields(o: KubeObject, old?: KubeObject): void {
  const s = obj(o.spec);
  const inUse = old !== undefined && (isSet(obj(old.spec).strategy) || isSet(obj(old.spec).preferredHolder));
  if (inUse) return;
  delete s.strategy;
  delete s.preferredHolder;
}

export const strategy: Strategy = {
  prepareForCreate: (o) => dropDisabledFields(o),
  prepareForUpdate: (o, old) => dropDisabledFields(o, old),
  validate: validateLeaseSpec,
};
