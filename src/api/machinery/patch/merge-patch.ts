/**
 * JSON merge patch (RFC 7386) as kube-apiserver applies it (evanphx/json-patch v4 MergePatch):
 * null deletes a member, objects merge recursively, everything else (arrays included) replaces.
 */
import { isDeepStrictEqual } from "node:util";
import { PatchError } from "./errors.ts";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Drop null members of objects, recursively (array elements themselves are kept). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((e) => (e === null ? null : pruneNulls(e)));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, e] of Object.entries(v)) if (e !== null) out[k] = pruneNulls(e);
  return out;
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  if (!isObj(cur)) return pruneNulls(patch);
  if (!isObj(patch)) return structuredClone(patch);
  mergeInto(cur, patch);
  return cur;
}

function mergeInto(doc: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete doc[k];
    else if (!Object.hasOwn(doc, k) || doc[k] === null) doc[k] = pruneNulls(v);
    else doc[k] = mergeValue(doc[k], v);
  }
}

/**
 * Apply a merge patch to an object (not modified). A patch that is null or a scalar is a
 * "badRequest" ("Invalid JSON Patch"); an array patch replaces the document, as v4 does.
 */
export function applyMergePatch(doc: Obj, patch: unknown): unknown {
  if (patch === null || (typeof patch !== "object" && !Array.isArray(patch)))
    throw new PatchError("badRequest", "Invalid JSON Patch");
  if (Array.isArray(patch)) return pruneNulls(patch);
  const out = structuredClone(doc);
  mergeInto(out, patch as Obj);
  return out;
}

/**
 * The merge patch that turns original into modified (jsonpatch.CreateMergePatch): changed
 * members, nulls for removed ones, arrays whole. What `kubectl label`/`annotate` send.
 */
export function createMergePatch(original: Obj, modified: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(modified)) {
    const o = original[k];
    if (!Object.hasOwn(original, k)) out[k] = structuredClone(v);
    else if (isObj(o) && isObj(v)) {
      const sub = createMergePatch(o, v);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!isDeepStrictEqual(o, v)) out[k] = structuredClone(v);
  }
  for (const k of Object.keys(original)) if (!Object.hasOwn(modified, k)) out[k] = null;
  return out;
}
