/**
 * Field errors as kube-apiserver reports them (k8s.io/apimachinery/pkg/util/validation/field):
 * a type, a path like `spec.ports[0].port`, the bad value and a detail. The text of each error
 * is what kubectl shows after `* ` and what `details.causes[].message` carries.
 */
export type FieldErrorType =
  | "FieldValueNotFound"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "InternalError"
  | "FieldValueTypeInvalid";

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail: string;
}

/** A field path under construction: `root.child("spec").child("ports").index(0)`. */
export class FieldPath {
  private constructor(private readonly parts: string) {}
  static root(name = ""): FieldPath {
    return new FieldPath(name);
  }
  child(name: string, ...more: string[]): FieldPath {
    let p = this.parts;
    for (const n of [name, ...more]) p = p === "" ? n : `${p}.${n}`;
    return new FieldPath(p);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.parts}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.parts}[${k}]`);
  }
  toString(): string {
    return this.parts;
  }
}

type P = FieldPath | string;
const s = (p: P) => p.toString();

export const fieldErrors = {
  required: (p: P, detail = ""): FieldError => ({ type: "FieldValueRequired", field: s(p), detail }),
  invalid: (p: P, value: unknown, detail: string): FieldError => ({
    type: "FieldValueInvalid",
    field: s(p),
    badValue: value,
    detail,
  }),
  notSupported: (p: P, value: unknown, valid: string[]): FieldError => ({
    type: "FieldValueNotSupported",
    field: s(p),
    badValue: value,
    detail: valid.length > 0 ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(", ")}` : "",
  }),
  duplicate: (p: P, value: unknown): FieldError => ({
    type: "FieldValueDuplicate",
    field: s(p),
    badValue: value,
    detail: "",
  }),
  forbidden: (p: P, detail: string): FieldError => ({ type: "FieldValueForbidden", field: s(p), detail }),
  notFound: (p: P, value: unknown): FieldError => ({
    type: "FieldValueNotFound",
    field: s(p),
    badValue: value,
    detail: "",
  }),
  tooLong: (p: P, value: unknown, max: number): FieldError => ({
    type: "FieldValueTooLong",
    field: s(p),
    badValue: value,
    detail: `must have at most ${max} bytes`,
  }),
  tooMany: (p: P, actual: number, max: number): FieldError => ({
    type: "FieldValueTooMany",
    field: s(p),
    badValue: actual,
    detail: `must have at most ${max} items`,
  }),
  typeInvalid: (p: P, value: unknown, detail: string): FieldError => ({
    type: "FieldValueTypeInvalid",
    field: s(p),
    badValue: value,
    detail,
  }),
  internal: (p: P, detail: string): FieldError => ({ type: "InternalError", field: s(p), detail }),
};

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: "Not found",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  InternalError: "Internal error",
  FieldValueTypeInvalid: "Invalid value",
};

/** Go's %#v-like rendering that field.Error uses for bad values. */
export function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** The text after the field path, e.g. `Invalid value: 0: must be between 1 and 65535, inclusive`. */
export function errorBody(e: FieldError): string {
  let t = typeText[e.type];
  const withValue =
    e.type === "FieldValueInvalid" ||
    e.type === "FieldValueNotSupported" ||
    e.type === "FieldValueDuplicate" ||
    e.type === "FieldValueNotFound" ||
    e.type === "FieldValueTypeInvalid" ||
    (e.type === "FieldValueTooLong" && e.badValue !== undefined) ||
    (e.type === "FieldValueTooMany" && e.badValue !== undefined);
  if (withValue && e.badValue !== undefined) t += `: ${formatBadValue(e.badValue)}`;
  if (e.detail) t += `: ${e.detail}`;
  return t;
}

/** The whole error as one line: `spec.ports[0].port: Invalid value: 0: must be ...`. */
export function errorText(e: FieldError): string {
  return e.field ? `${e.field}: ${errorBody(e)}` : errorBody(e);
}
