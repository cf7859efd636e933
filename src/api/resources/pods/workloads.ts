/** Pieces shared by the pod controllers (RC, ReplicaSet, Deployment): kube's apps/core validation. */
import { type FieldError, type FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import {
  labelSelectorIsValid,
  labelSelectorMatches,
  validateLabelSelector,
} from "../../machinery/validation/meta.ts";
import { isSet, type Obj, obj, stringEntries } from "./json.ts";
import { validatePodTemplateSpec } from "./validation.ts";

export const nonNegative = (v: unknown, p: FieldPath): FieldError[] =>
  typeof v === "number" && v < 0 ? [fieldErrors.invalid(p, v, "must be greater than or equal to 0")] : [];

/**
 * ValidatePodTemplateSpecForRC / ForReplicaSet: the selector must match the template's labels,
 * pods restart Always and have no activeDeadlineSeconds. `matches` is undefined for an empty
 * selector (which kube does not check against the labels).
 */
export function validateControllerTemplate(
  template: unknown,
  matches: ((labels: Record<string, string>) => boolean) | undefined,
  path: FieldPath,
  kind: "ReplicationController" | "ReplicaSet",
): FieldError[] {
  if (!isSet(template)) return [fieldErrors.required(path)];
  const t = obj(template);
  const labels = Object.fromEntries(stringEntries(obj(t.metadata).labels));
  const errs: FieldError[] = [];
  if (matches && !matches(labels))
    errs.push(
      fieldErrors.invalid(
        path.child("metadata", "labels"),
        obj(t.metadata).labels ?? null,
        "`selector` does not match template `labels`",
      ),
    );
  errs.push(...validatePodTemplateSpec(t, path));
  const spec = obj(t.spec);
  if (spec.restartPolicy !== "Always")
    errs.push(
      fieldErrors.notSupported(path.child("spec", "restartPolicy"), spec.restartPolicy ?? "", ["Always"]),
    );
  if (isSet(spec.activeDeadlineSeconds))
    errs.push(
      fieldErrors.forbidden(
        path.child("spec", "activeDeadlineSeconds"),
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  return errs;
}

/** The apps/v1 selector + template checks shared by ReplicaSet and Deployment specs. */
export function validateAppsSelectorAndTemplate(spec: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  const sp = path.child("selector");
  if (!isSet(sel)) errs.push(fieldErrors.required(sp));
  else {
    errs.push(...validateLabelSelector(sel, sp));
    const s = obj(sel);
    if (
      Object.keys(obj(s.matchLabels)).length +
        (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0) ===
      0
    )
      errs.push(fieldErrors.invalid(sp, sel, "empty selector is invalid for deployment"));
  }
  if (isSet(sel) && !labelSelectorIsValid(sel)) {
    errs.push(fieldErrors.invalid(sp, sel, "invalid label selector"));
    return errs;
  }
  const empty = !isSet(sel) || errs.some((e) => e.detail === "empty selector is invalid for deployment");
  const matches = empty ? undefined : (l: Record<string, string>) => labelSelectorMatches(sel, l);
  errs.push(...validateControllerTemplate(spec.template, matches, path.child("template"), "ReplicaSet"));
  return errs;
}

/** Status fields that may not be negative, and the ordering checks kube applies to replica counts. */
export function validateReplicaStatus(o: KubeObject, path: FieldPath, fields: string[]): FieldError[] {
  const s = obj(o.status);
  const errs = fields.flatMap((f) => nonNegative(s[f], path.child(f)));
  const n = (k: string) => (typeof s[k] === "number" ? s[k] : 0);
  for (const f of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"])
    if (fields.includes(f) && n(f) > n("replicas"))
      errs.push(fieldErrors.invalid(path.child(f), n(f), "cannot be greater than the number of replicas"));
  if (
    fields.includes("availableReplicas") &&
    n("availableReplicas") > n("readyReplicas") &&
    fields.includes("readyReplicas")
  )
    errs.push(
      fieldErrors.invalid(
        path.child("availableReplicas"),
        n("availableReplicas"),
        "cannot be greater than readyReplicas",
      ),
    );
  return errs;
}
