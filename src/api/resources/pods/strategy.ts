/** Pod strategy as kube's pkg/registry/core/pod/strategy.go. */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { deepEqual } from "../../machinery/validation/meta.ts";
import { isValidIP } from "../../machinery/validation/names.ts";
import type { Strategy } from "../types.ts";
import { defaultPod } from "./defaults.ts";
import { arr, ensureObj, type Obj, obj, str } from "./json.ts";
import { podQOS } from "./qos.ts";
import { validatePodSpec } from "./validation.ts";

const spec = FieldPath.root("spec");

const updatable =
  "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
  "`spec.tolerations` (only additions to existing tolerations)," +
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/** ValidatePodUpdate's spec rule: only images, activeDeadlineSeconds and added tolerations change. */
export function validatePodSpecUpdate(newSpec: unknown, oldSpec: unknown): FieldError[] {
  const n = obj(newSpec);
  const o = obj(oldSpec);
  const errs: FieldError[] = [];
  for (const k of ["containers", "initContainers"])
    if (arr(n[k]).length !== arr(o[k]).length)
      return [fieldErrors.forbidden(spec.child(k), "pod updates may not add or remove containers")];
  const munged: Obj = { ...n };
  for (const k of ["containers", "initContainers"])
    if (n[k] !== undefined)
      munged[k] = arr(n[k]).map((c, i) => ({ ...obj(c), image: obj(arr(o[k])[i]).image }));
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.schedulingGates = o.schedulingGates;
  // Tolerations may only be added to (kube checks them apart; existing ones must survive).
  const oldTols = arr(o.tolerations);
  const newTols = arr(n.tolerations);
  for (const t of oldTols)
    if (
      !newTols.some((x) =>
        deepEqual({ ...obj(x), tolerationSeconds: null }, { ...obj(t), tolerationSeconds: null }),
      )
    )
      errs.push(
        fieldErrors.forbidden(
          spec.child("tolerations"),
          "existing toleration can not be modified except its tolerationSeconds",
        ),
      );
  munged.tolerations = o.tolerations;
  const oldGrace = o.terminationGracePeriodSeconds;
  if (typeof oldGrace === "number" && oldGrace < 0 && n.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldGrace;
  if (!deepEqual(munged, o)) {
    const changed = [...new Set([...Object.keys(munged), ...Object.keys(o)])]
      .filter((k) => !deepEqual(munged[k], o[k]))
      .sort();
    errs.push(
      fieldErrors.forbidden(
        spec,
        `pod updates may not change fields other than ${updatable}\n  changed: ${changed.join(", ")}`,
      ),
    );
  }
  const ads = o.activeDeadlineSeconds;
  const nads = n.activeDeadlineSeconds;
  // activeDeadlineSeconds may be set or lowered, never removed or raised (ValidatePodUpdate).
  if (typeof ads === "number" && (typeof nads !== "number" || nads > ads))
    errs.push(
      fieldErrors.invalid(
        spec.child("activeDeadlineSeconds"),
        nads ?? null,
        "must be less than or equal to previous value",
      ),
    );
  return errs;
}

function validatePodStatus(status: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const s = obj(status);
  const p = FieldPath.root("status");
  const seen = new Set<string>();
  arr(s.podIPs).forEach((raw, i) => {
    const ip = str(obj(raw).ip);
    for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(p.child("podIPs").index(i), ip, m));
    if (seen.has(ip)) errs.push(fieldErrors.duplicate(p.child("podIPs").index(i), ip));
    seen.add(ip);
  });
  arr(s.hostIPs).forEach((raw, i) => {
    const ip = str(obj(raw).ip);
    for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(p.child("hostIPs").index(i), ip, m));
  });
  return errs;
}

export const strategy: Strategy = {
  defaults: (o) => defaultPod(o),
  prepareForCreate(o: KubeObject) {
    const status: Obj = { phase: "Pending", qosClass: podQOS(o.spec) };
    // applySchedulingGatedCondition: gated pods say why they are not scheduled.
    if (arr(obj(o.spec).schedulingGates).length > 0)
      status.conditions = [
        {
          type: "PodScheduled",
          status: "False",
          reason: "SchedulingGated",
          message: "Scheduling is blocked due to non-empty scheduling gates",
          lastProbeTime: null,
          lastTransitionTime: null,
        },
      ];
    o.status = status;
  },
  prepareForUpdate(o, old) {
    o.status = old.status;
  },
  validate: (o) => validatePodSpec(o.spec, spec),
  validateUpdate: (o, old) => validatePodSpecUpdate(o.spec, old.spec),
  prepareForStatusUpdate(o, old) {
    o.spec = old.spec;
    // Status writers may not touch owner references (old kubelets corrupted them).
    const meta = ensureObj(o as Obj, "metadata");
    meta.ownerReferences = old.metadata.ownerReferences as Obj["x"];
    if (meta.ownerReferences === undefined) delete meta.ownerReferences;
  },
  validateStatusUpdate: (o) => validatePodStatus(o.status),
};
