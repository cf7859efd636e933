/** Namespace strategy as kube's pkg/registry/core/namespace/strategy.go. */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { isQualifiedName } from "../../machinery/validation/names.ts";
import { arr, ensureObj, type Obj, obj, setDefault, str } from "../pods/json.ts";
import type { Strategy } from "../types.ts";

const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

function validateFinalizers(spec: unknown): FieldError[] {
  const p = FieldPath.root("spec").child("finalizers");
  const errs: FieldError[] = [];
  for (const f of arr(obj(spec).finalizers).map(str)) {
    for (const m of isQualifiedName(f)) errs.push(fieldErrors.invalid(p, f, m));
    if (!f.includes("/") && !standardFinalizers.has(f))
      errs.push(
        fieldErrors.invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified"),
      );
  }
  return errs;
}

export const strategy: Strategy = {
  // SetDefaults_Namespace: the immutable name label (not for generateName-only objects).
  defaults(o) {
    const name = o.metadata.name;
    if (name) o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": name };
    // SetDefaults_NamespaceStatus: status is a struct, so it always exists with a phase.
    setDefault(ensureObj(o as Obj, "status"), "phase", "Active");
  },
  prepareForCreate(o) {
    o.status = { phase: "Active" };
    const spec = ensureObj(o as Obj, "spec");
    const fins = arr(spec.finalizers).map(str);
    if (!fins.includes("kubernetes")) spec.finalizers = [...fins, "kubernetes"];
  },
  prepareForUpdate(o, old) {
    ensureObj(o as Obj, "spec").finalizers = obj(old.spec).finalizers;
    o.status = old.status;
  },
  validate: (o) => validateFinalizers(o.spec),
  prepareForStatusUpdate(o, old) {
    o.spec = old.spec;
  },
  // ValidateNamespaceStatusUpdate: the phase follows deletionTimestamp.
  validateStatusUpdate(o) {
    const phase = str(obj(o.status).phase);
    const p = FieldPath.root("status").child("Phase");
    if (!o.metadata.deletionTimestamp) {
      if (phase !== "Active")
        return [fieldErrors.invalid(p, phase, "may only be 'Active' if `deletionTimestamp` is empty")];
    } else if (phase !== "Terminating") {
      return [fieldErrors.invalid(p, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
    }
    return [];
  },
};
