/** ConfigMap strategy as kube's ValidateConfigMap / ValidateConfigMapUpdate. */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { deepEqual } from "../../machinery/validation/meta.ts";
import { obj } from "../pods/json.ts";
import type { Strategy } from "../types.ts";
import { base64Size, immutableMsg, maxDataSize, validateKeys } from "./keys.ts";

function validate(o: KubeObject): FieldError[] {
  const data = obj(o.data);
  const binary = obj(o.binaryData);
  const errs: FieldError[] = [];
  const dp = FieldPath.root("data");
  const bp = FieldPath.root("binaryData");
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...validateKeys([k], dp));
    if (k in binary) errs.push(fieldErrors.invalid(dp.key(k), k, "duplicate of key present in binaryData"));
    total += typeof v === "string" ? Buffer.byteLength(v) : 0;
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...validateKeys([k], bp));
    if (k in data) errs.push(fieldErrors.invalid(bp.key(k), k, "duplicate of key present in data"));
    total += base64Size(v);
  }
  // kube reports the size on the empty path: the whole object.
  if (total > maxDataSize)
    errs.push({ type: "FieldValueTooLong", field: "", detail: `must have at most ${maxDataSize} bytes` });
  return errs;
}

export function validateImmutableData(o: KubeObject, old: KubeObject, keys: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push(fieldErrors.forbidden("immutable", immutableMsg));
  for (const k of keys)
    if (!deepEqual(o[k] ?? {}, old[k] ?? {})) errs.push(fieldErrors.forbidden(k, immutableMsg));
  return errs;
}

export const strategy: Strategy = {
  validate,
  validateUpdate: (o, old) => validateImmutableData(o, old, ["data", "binaryData"]),
};
