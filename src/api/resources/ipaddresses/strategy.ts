/**
 * The IPAddress strategy: pkg/apis/networking/validation (ValidateIPAddress, ValidateIPAddressName,
 * validateIPAddressParentReference, ValidateIPAddressUpdate).
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";
import { validateImmutable } from "../../machinery/validation/meta.ts";
import { isDNS1123Subdomain, isPathSegmentName } from "../../machinery/validation/names.ts";
import { isValidIPStrict } from "../../machinery/validation/net.ts";
import type { Strategy } from "../types.ts";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const objOf = (v: unknown): JsonObject => (isObject(v) ? v : {});
const refPath = FieldPath.root("spec").child("parentRef");

/** ValidateIPAddressName: the name is the IP itself, in canonical form. */
export function validateIPAddressName(name: string): FieldError[] {
  return isValidIPStrict(name).map((m) =>
    fieldErrors.invalid(FieldPath.root("metadata").child("name"), name, m),
  );
}

function validateParentRef(spec: JsonObject): FieldError[] {
  const ref = spec.parentRef;
  if (ref === undefined || ref === null) return [fieldErrors.required(refPath)];
  const r = objOf(ref);
  const errs: FieldError[] = [];
  // The core group (Services) is "", so group cannot be required.
  const group = str(r.group);
  if (group !== "")
    for (const m of isDNS1123Subdomain(group))
      errs.push(fieldErrors.invalid(refPath.child("group"), group, m));
  for (const k of ["resource", "name"]) {
    const v = str(r[k]);
    if (v === "") errs.push(fieldErrors.required(refPath.child(k)));
    else for (const m of isPathSegmentName(v)) errs.push(fieldErrors.invalid(refPath.child(k), v, m));
  }
  const ns = str(r.namespace);
  if (ns !== "")
    for (const m of isPathSegmentName(ns)) errs.push(fieldErrors.invalid(refPath.child("namespace"), ns, m));
  return errs;
}

export function validateIPAddress(ip: KubeObject): FieldError[] {
  // The server checks metadata.name as a DNS subdomain too; kube's rule for this kind is this one.
  return [...validateIPAddressName(str(ip.metadata.name)), ...validateParentRef(objOf(ip.spec))];
}

export const strategy: Strategy = {
  validate: validateIPAddress,
  validateUpdate: (ip, old) =>
    validateImmutable(objOf(ip.spec).parentRef ?? null, objOf(old.spec).parentRef ?? null, refPath),
};
