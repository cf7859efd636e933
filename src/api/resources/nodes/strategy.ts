/** Node strategy as kube's pkg/registry/core/node and ValidateNode / ValidateNodeUpdate. */
import { isIP } from "node:net";
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { isQualifiedName, isValidCIDR, isValidLabelValue } from "../../machinery/validation/names.ts";
import { arr, ensureObj, isSet, type Obj, obj, str } from "../pods/json.ts";
import type { Strategy } from "../types.ts";

const spec = FieldPath.root("spec");
const effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const cidrChange = 'node updates may not change podCIDR except from "" to valid';

function validate(o: KubeObject): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const cidrs = arr(s.podCIDRs).map(str);
  const cp = spec.child("podCIDRs");
  cidrs.forEach((c, i) => {
    for (const m of isValidCIDR(c)) errs.push(fieldErrors.invalid(cp.index(i), c, m));
  });
  if (cidrs.length > 1) {
    const families = cidrs.map((c) => isIP(c.split("/")[0]));
    if (cidrs.length > 2 || families[0] === families[1])
      errs.push(fieldErrors.invalid(cp, cidrs, "may specify no more than one CIDR for each IP family"));
  }
  const seen = new Set<string>();
  arr(s.taints).forEach((raw, i) => {
    const t = obj(raw);
    const ip = spec.child("taints").index(i);
    const key = str(t.key);
    for (const m of isQualifiedName(key)) errs.push(fieldErrors.invalid(ip.child("key"), key, m));
    const value = str(t.value);
    const vm = isValidLabelValue(value);
    if (vm.length > 0) errs.push(fieldErrors.invalid(ip.child("value"), value, vm.join(";")));
    const effect = str(t.effect);
    if (effect === "") errs.push(fieldErrors.required(ip.child("effect")));
    else if (!effects.includes(effect))
      errs.push(fieldErrors.notSupported(ip.child("effect"), effect, effects));
    const id = `${key}\u0000${effect}`;
    if (seen.has(id)) errs.push(fieldErrors.duplicate(ip, "taints must be unique by key and effect pair"));
    seen.add(id);
  });
  return errs;
}

function validateUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const oldCidrs = arr(obj(old.spec).podCIDRs).map(str);
  const newCidrs = arr(obj(o.spec).podCIDRs).map(str);
  if (oldCidrs.length > 0) {
    if (oldCidrs.length !== newCidrs.length)
      errs.push(fieldErrors.forbidden(spec.child("podCIDRs"), cidrChange));
    else
      for (let i = 0; i < oldCidrs.length; i++)
        if (oldCidrs[i] !== newCidrs[i]) errs.push(fieldErrors.forbidden(spec.child("podCIDRs"), cidrChange));
  }
  const oldID = str(obj(old.spec).providerID);
  if (oldID !== "" && oldID !== str(obj(o.spec).providerID))
    errs.push(
      fieldErrors.forbidden(
        spec.child("providerID"),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  return errs;
}

export const strategy: Strategy = {
  defaults(o) {
    // v1 conversion: podCIDR and podCIDRs describe the same list (podCIDR is its first entry).
    const s = ensureObj(o as Obj, "spec");
    const cidrs = arr(s.podCIDRs);
    if (cidrs.length === 0 && str(s.podCIDR) !== "") s.podCIDRs = [s.podCIDR as string];
    else if (cidrs.length > 0) s.podCIDR = cidrs[0] as string;
    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    if (isSet(o.status)) {
      const st = obj(o.status);
      if (!isSet(st.allocatable) && isSet(st.capacity)) st.allocatable = { ...obj(st.capacity) };
    }
  },
  prepareForUpdate(o, old) {
    o.status = old.status;
  },
  validate,
  validateUpdate,
  prepareForStatusUpdate(o, old) {
    o.spec = old.spec;
  },
};
