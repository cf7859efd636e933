/**
 * Path elements of structured-merge-diff field paths and their FieldsV1 spelling:
 * `f:<name>` a struct field or map key, `k:<json>` a list-map item by its key fields,
 * `v:<json>` a set item by value, `i:<n>` a list item by index.
 */
import type { JsonValue } from "../types.ts";

export type PathElement =
  | { field: string }
  | { key: Array<[string, JsonValue]> }
  | { value: JsonValue }
  | { index: number };

export type Path = PathElement[];

/** Go's encoding/json escapes <, > and & in strings; FieldsV1 keys and values are written that way. */
function goJson(v: JsonValue): string {
  return JSON.stringify(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function keyJson(key: Array<[string, JsonValue]>): string {
  return `{${key.map(([n, v]) => `${goJson(n)}:${goJson(v)}`).join(",")}}`;
}

/** The FieldsV1 member name of a path element. */
export function serializePE(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe) return `k:${keyJson(pe.key)}`;
  if ("value" in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

export function parsePE(s: string): PathElement {
  const kind = s.slice(0, 2);
  const rest = s.slice(2);
  switch (kind) {
    case "f:":
      return { field: rest };
    case "v:":
      return { value: JSON.parse(rest) as JsonValue };
    case "k:": {
      const o = JSON.parse(rest) as unknown;
      if (typeof o !== "object" || o === null || Array.isArray(o))
        throw new Error(`expected key value pairs but got ${rest}`);
      return { key: sortKey(Object.entries(o as Record<string, JsonValue>)) };
    }
    case "i:": {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index in path element ${JSON.stringify(s)}`);
      return { index: Number(rest) };
    }
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(s)}`);
  }
}

export function sortKey(key: Array<[string, JsonValue]>): Array<[string, JsonValue]> {
  return [...key].sort((a, b) => cmpString(a[0], b[0]));
}

function cmpString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function typeRank(v: JsonValue): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (v === null) return 5;
  return 4;
}

/** A total order on JSON values (structured-merge-diff's value.Compare: numbers, strings, bools, lists, maps, null). */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return cmpString(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (
    a !== null &&
    b !== null &&
    typeof a === "object" &&
    typeof b === "object" &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const ea = sortKey(Object.entries(a).filter((e): e is [string, JsonValue] => e[1] !== undefined));
    const eb = sortKey(Object.entries(b).filter((e): e is [string, JsonValue] => e[1] !== undefined));
    return compareKeys(ea, eb);
  }
  return 0;
}

function compareKeys(a: Array<[string, JsonValue]>, b: Array<[string, JsonValue]>): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = cmpString(a[i][0], b[i][0]) || compareValues(a[i][1], b[i][1]);
    if (c !== 0) return c;
  }
}

/** Order of path elements in a serialized set: fields, then keys, then values, then indices. */
export function comparePE(a: PathElement, b: PathElement): number {
  const rank = (p: PathElement): number => ("field" in p ? 0 : "key" in p ? 1 : "value" in p ? 2 : 3);
  const d = rank(a) - rank(b);
  if (d !== 0) return d;
  if ("field" in a && "field" in b) return cmpString(a.field, b.field);
  if ("key" in a && "key" in b) return compareKeys(a.key, b.key);
  if ("value" in a && "value" in b) return compareValues(a.value, b.value);
  if ("index" in a && "index" in b) return a.index - b.index;
  return 0;
}

/** A value as structured-merge-diff prints it in paths: strings quoted, the rest as JSON. */
function valueString(v: JsonValue): string {
  return JSON.stringify(v);
}

/** A path as kube prints it in conflict messages: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function pathString(p: Path): string {
  return p
    .map((pe) => {
      if ("field" in pe) return `.${pe.field}`;
      if ("key" in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(",")}]`;
      if ("value" in pe) return `[=${valueString(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join("");
}
