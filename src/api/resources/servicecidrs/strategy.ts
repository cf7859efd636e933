/**
 * The ServiceCIDR strategy: pkg/registry/networking/servicecidr/strategy.go and
 * pkg/apis/networking/validation (ValidateServiceCIDR, ValidateServiceCIDRUpdate).
 * Metadata is validated by the server.
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";
import { fieldImmutable } from "../../machinery/validation/meta.ts";
import { cidrFamilyOf, isValidCIDRStrict } from "../../machinery/validation/net.ts";
import type { Strategy } from "../types.ts";

const objOf = (v: unknown): JsonObject => (isObject(v) ? v : {});
const cidrsOf = (o: KubeObject): string[] =>
  Array.isArray(objOf(o.spec).cidrs)
    ? (objOf(o.spec).cidrs as unknown[]).map((c) => (typeof c === "string" ? c : ""))
    : [];
const cidrsPath = FieldPath.root("spec").child("cidrs");

/** validateServiceCIDRSpec: one or two canonical CIDRs, at most one per family. */
export function validateServiceCIDR(sc: KubeObject): FieldError[] {
  const cidrs = cidrsOf(sc);
  if (cidrs.length === 0) return [fieldErrors.required(cidrsPath, "at least one CIDR required")];
  if (cidrs.length > 2)
    return [fieldErrors.invalid(cidrsPath, objOf(sc.spec), "may only hold up to 2 values")];
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => {
    for (const m of isValidCIDRStrict(c)) errs.push(fieldErrors.invalid(cidrsPath.index(i), c, m));
  });
  if (cidrs.length === 2) {
    const f = cidrFamilyOf(cidrs[0]);
    if (f !== "" && f === cidrFamilyOf(cidrs[1]))
      errs.push(
        fieldErrors.invalid(
          cidrsPath,
          cidrs,
          "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64",
        ),
      );
  }
  return errs;
}

/** ValidateServiceCIDRUpdate: existing CIDRs never change; a second family may be added. */
export function validateServiceCIDRUpdate(sc: KubeObject, old: KubeObject): FieldError[] {
  const before = cidrsOf(old);
  const after = cidrsOf(sc);
  if (before.length === after.length)
    return before.flatMap((c, i) =>
      c === after[i] ? [] : [fieldErrors.invalid(cidrsPath.index(i), after[i], fieldImmutable)],
    );
  if (before.length === 1 && after.length === 2)
    return after[0] === before[0] ? [] : [fieldErrors.invalid(cidrsPath.index(0), after[0], fieldImmutable)];
  return [fieldErrors.invalid(cidrsPath, after, fieldImmutable)];
}

export const strategy: Strategy = {
  prepareForCreate(sc) {
    sc.status = {};
  },
  prepareForUpdate(sc, old) {
    sc.status = old.status === undefined ? {} : structuredClone(old.status);
  },
  validate: validateServiceCIDR,
  validateUpdate: validateServiceCIDRUpdate,
  prepareForStatusUpdate(sc, old) {
    sc.spec = structuredClone(old.spec);
  },
  // ValidateServiceCIDRStatusUpdate checks metadata only.
  validateStatusUpdate: () => [],
};
