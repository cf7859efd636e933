/** Narrowing helpers for free-form JSON bodies (shared by the core and apps resources). */
import { isObject, type JsonObject } from "../../machinery/types.ts";

export type Obj = JsonObject;

/** The value as an object, or an empty one (never attached to the body). */
export const obj = (v: unknown): Obj => (isObject(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === "string" ? v : "");
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** The child object at key, created (and attached) when absent. */
export function ensureObj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObject(v)) return v;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
}

/** Objects of a list in the body (non-objects skipped), for in-place defaulting. */
export const objects = (v: unknown): Obj[] => arr(v).filter(isObject);

/** Set key to value when it is absent, null or "" (Go's zero value for a string or pointer). */
export function setDefault(o: Obj, key: string, value: Obj[string]): void {
  if (o[key] === undefined || o[key] === null || o[key] === "") o[key] = value;
}

/** A string-keyed map's entries (non-string values skipped). */
export const stringEntries = (v: unknown): Array<[string, string]> =>
  Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === "string");
