/** ConfigMap/Secret data keys and sizes (kube's IsConfigMapKey, MaxSecretSize). */
import { type FieldError, type FieldPath, fieldErrors } from "../../machinery/field-errors.ts";

/** core.MaxSecretSize: 1 MiB for a ConfigMap's or Secret's data. */
export const maxDataSize = 1024 * 1024;
const keyFmt = "[-._a-zA-Z0-9]+";
const keyRe = new RegExp(`^${keyFmt}$`);

export function isConfigMapKey(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push("must be no more than 253 characters");
  if (!keyRe.test(k))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  if (k === ".") errs.push("must not be '.'");
  else if (k === "..") errs.push("must not be '..'");
  else if (k.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

export function validateKeys(keys: string[], p: FieldPath): FieldError[] {
  return keys.flatMap((k) => isConfigMapKey(k).map((m) => fieldErrors.invalid(p.key(k), k, m)));
}

/** The decoded length of a base64 value ([]byte in Go). */
export function base64Size(v: unknown): number {
  return typeof v === "string" ? Buffer.from(v, "base64").length : 0;
}

export const immutableMsg = "field is immutable when `immutable` is set";
