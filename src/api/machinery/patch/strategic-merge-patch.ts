/**
 * Strategic merge patch as kube-apiserver applies it (apimachinery strategicpatch.mergeMap with
 * MergeParallelList and IgnoreUnmatchedNulls): maps merge, null deletes, lists whose field says
 * patchStrategy=merge merge by their patchMergeKey (or as a set for scalars), other lists
 * replace. Directives: `$patch: replace|delete` (maps and list elements), `$retainKeys`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
 *
 * Errors carry kube's texts and kinds (interpretStrategicMergePatchError): malformed directives
 * are 400, lists of lists 422, everything else a bare 500.
 */
import { goValue, PatchError } from "./errors.ts";
import type { PatchSchema } from "./schema-meta.ts";

type Obj = Record<string, unknown>;

const directiveMarker = "$patch";
const deleteDirective = "delete";
const replaceDirective = "replace";
const mergeDirective = "merge";
const retainKeysDirective = "$retainKeys";
const deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
const setElementOrderPrefix = "$setElementOrder";

const badRequest = (m: string) => new PatchError("badRequest", m);
const internal = (m: string) => new PatchError("internal", m);
const errBadPatchFormatForPrimitiveList = () => badRequest("invalid patch format of primitive list");
const errBadPatchFormatForRetainKeys = () => badRequest("invalid patch format of retainKeys");
const errBadPatchFormatForSetElementOrderList = () =>
  badRequest("invalid patch format of setElementOrder list");
const errNoListOfLists = () => new PatchError("invalid", "lists of lists are not supported");
const errNoMergeKey = (m: Obj, k: string) =>
  internal(`map: ${goValue(m)} does not contain declared merge key: ${k}`);
const errBadPatchType = (t: unknown, m: Obj) =>
  internal(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`);

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** reflect.TypeOf of a decoded JSON value, for ErrBadArgType texts. */
function goType(v: unknown): string {
  if (v === null || v === undefined) return "%!s(<nil>)";
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "object") return "map[string]interface {}";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (typeof v === "boolean") return "bool";
  return "string";
}

const errBadArgType = (expected: "map" | "slice", actual: unknown) =>
  internal(
    `expected a ${expected === "map" ? "map[string]interface {}" : "[]interface {}"}, but received a ${goType(actual)}`,
  );

/** Element kinds that reflect.Type equality distinguishes. */
type Kind = "map" | "slice" | "string" | "int" | "float" | "bool" | "nil";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "nil";
  if (Array.isArray(v)) return "slice";
  if (typeof v === "object") return "map";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  return "string";
}

function patchStrategyOf(strategies: string[]): string {
  if (strategies.length === 0) return "";
  if (strategies.length === 1) return strategies[0] === "retainKeys" ? "" : strategies[0];
  if (strategies.length === 2) {
    if (strategies[0] === "retainKeys") return strategies[1];
    if (strategies[1] === "retainKeys") return strategies[0];
  }
  throw internal(`unexpected patch strategy: [${strategies.join(" ")}]`);
}

/** The part of a directive key after its prefix: `$setElementOrder/ports` → `ports`. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf("/");
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === deleteFromPrimitiveListPrefix) throw errBadPatchFormatForPrimitiveList();
    throw errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(slash + 1);
}

/** Remove directive maps (and directives inside), reporting whether the value itself is kept. */
function removeDirectives(v: unknown): { value: unknown; keep: boolean } {
  if (isObj(v)) {
    if (Object.hasOwn(v, directiveMarker)) return { value: undefined, keep: false };
    for (const [k, e] of Object.entries(v)) {
      const r = removeDirectives(e);
      if (r.keep) v[k] = r.value;
      else delete v[k];
    }
    return { value: v, keep: true };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const e of v) {
      const r = removeDirectives(e);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  return { value: v, keep: true };
}

function discardNulls(v: unknown): void {
  if (isObj(v)) {
    for (const [k, e] of Object.entries(v)) {
      if (e === null) delete v[k];
      else discardNulls(e);
    }
  } else if (Array.isArray(v)) for (const e of v) discardNulls(e);
}

/** All elements of the lists share one kind, which is not a list. */
function sliceElementKind(...lists: unknown[][]): Kind {
  let prev: Kind | undefined;
  for (const l of lists)
    for (const v of l) {
      const k = kindOf(v);
      if (prev === undefined) {
        prev = k;
        if (k === "slice") throw errNoListOfLists();
      } else if (prev !== k) throw internal(`list element types are not identical: ${goValue(lists)}`);
    }
  if (prev === undefined) throw internal("no elements in any of the given slices");
  return prev;
}

function keyValue(item: unknown, mergeKey: string, kind: Kind): unknown {
  if (kind !== "map") return item;
  return isObj(item) ? item[mergeKey] : undefined;
}

function indexIn(list: unknown[] | undefined, item: unknown, mergeKey: string, kind: Kind): number {
  if (!list) return -1;
  const want = keyValue(item, mergeKey, kind);
  return list.findIndex((v) => keyValue(v, mergeKey, kind) === want);
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObj(v)) throw internal(`value for key ${i} is not a map`);
    if (Object.hasOwn(v, key) && v[key] === value) return i;
  }
  return -1;
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const l of lists)
    for (const item of l) {
      if (!isObj(item)) throw errBadArgType("map", item);
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
}

function splitDeleteItems(l: unknown[]): { keep: unknown[]; del: unknown[] } {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of l) {
    if (!isObj(v)) throw errBadArgType("map", v);
    if (v[directiveMarker] === deleteDirective) del.push(v);
    else keep.push(v);
  }
  return { keep, del };
}

/** Sort `toSort` by position in `order` with Go's stable insertion sort and kube's comparator. */
function normalizeSliceOrder(
  toSort: unknown[],
  order: unknown[] | undefined,
  mergeKey: string,
  kind: Kind,
): unknown[] {
  let items = [...toSort];
  let del: unknown[] = [];
  if (kind === "map") {
    validateMergeKeyInLists(mergeKey, items, order ?? []);
    ({ keep: items, del } = splitDeleteItems(items));
  }
  // kube's comparator calls an element "less" unless both are found and in the other order.
  const less = (a: unknown, b: unknown): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < items.length; i++)
    for (let j = i; j > 0 && less(items[j], items[j - 1]); j--)
      [items[j], items[j - 1]] = [items[j - 1], items[j]];
  return [...items, ...del];
}

/** Interleave server-only items (left) into patch items (right) by their order in the live list. */
function mergeSortedSlice(
  left: unknown[],
  right: unknown[],
  serverOrder: unknown[] | undefined,
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[] | undefined,
  serverOrder: unknown[] | undefined,
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function partitionPrimitives(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inBy = new Set(by);
  const a: unknown[] = [];
  const b: unknown[] = [];
  for (const v of list) (inBy.has(v) ? a : b).push(v);
  return [a, b];
}

function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const a: unknown[] = [];
  const b: unknown[] = [];
  for (const v of list) {
    if (!isObj(v)) throw errBadArgType("map", v);
    if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? a : b).push(v);
  }
  return [a, b];
}

function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  return mergeKey ? partitionMaps(list, by, mergeKey) : partitionPrimitives(list, by);
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObj(left)) throw errBadArgType("map", left);
  if (!isObj(right)) throw errBadArgType("map", right);
  if (!Object.hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** The patch list's items must appear in the $setElementOrder list, in the same relative order. */
function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? splitDeleteItems(patchList).keep : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < setOrder.length) {
    if (isObj(nonDelete[p]) && Object.hasOwn(nonDelete[p] as Obj, directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(nonDelete[p], setOrder[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrder.length)
    throw internal(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goValue(setOrder)}\n`,
    );
}

function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix))
      continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function mergePatchIntoOriginal(original: Obj, patch: Obj, schema: PatchSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType("slice", order);
    const originalKey = extractKey(key, setElementOrderPrefix);
    const foundOriginal = Object.hasOwn(original, originalKey);
    const foundPatch = Object.hasOwn(patch, originalKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      const v = original[originalKey];
      if (!Array.isArray(v)) throw errBadArgType("slice", v);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[originalKey];
      if (!Array.isArray(v)) throw errBadArgType("slice", v);
      patchList = v;
    }
    const { schema: sub, meta } = schema.lookupSlice(originalKey);
    const strategy = patchStrategyOf(meta.strategies);
    validatePatchWithSetOrderList(patchList, order, meta.mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList).value as unknown[];
    else if (foundOriginal && foundPatch)
      merged = mergeSliceHandler(originalList, patchList, sub, strategy, meta.mergeKey, false);
    else continue;
    const [patchItems, serverOnly] = partition(merged, order, meta.mergeKey);
    const kind = sliceElementKind(originalList, patchList);
    original[originalKey] = normalizeElementOrder(
      patchItems,
      serverOnly,
      order,
      originalList,
      meta.mergeKey,
      kind,
    );
    delete patch[originalKey];
  }
}

function mergeMap(original: Obj, patch: Obj, schema: PatchSchema): Obj {
  if (Object.hasOwn(patch, directiveMarker)) {
    const d = patch[directiveMarker];
    if (d === replaceDirective) {
      delete patch[directiveMarker];
      return patch;
    }
    if (d === deleteDirective) return {};
    throw errBadPatchType(d, patch);
  }
  applyRetainKeys(original, patch);
  mergePatchIntoOriginal(original, patch, schema);
  // Deletion lists go first so that a list both trimmed and extended in one patch ends the same way every time.
  const keys = Object.keys(patch);
  const ordered = [
    ...keys.filter((k) => k.startsWith(deleteFromPrimitiveListPrefix)),
    ...keys.filter((k) => !k.startsWith(deleteFromPrimitiveListPrefix)),
  ];
  for (const rawKey of ordered) {
    const patchV = patch[rawKey];
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
      k = extractKey(rawKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[k];
      continue;
    }
    if (!Object.hasOwn(original, k) || kindOf(original[k]) !== kindOf(patchV)) {
      if (!isDeleteList) {
        discardNulls(patchV);
        const r = removeDirectives(patchV);
        if (r.keep) original[k] = r.value;
        else delete original[k];
      }
      continue;
    }
    const kind = kindOf(patchV);
    if (kind === "map") {
      const { schema: sub, meta } = schema.lookupStruct(k);
      const strategy = patchStrategyOf(meta.strategies);
      original[k] = strategy === replaceDirective ? patchV : mergeMap(original[k] as Obj, patchV as Obj, sub);
    } else if (kind === "slice") {
      const { schema: sub, meta } = schema.lookupSlice(k);
      const strategy = patchStrategyOf(meta.strategies);
      original[k] = mergeSliceHandler(
        original[k] as unknown[],
        patchV as unknown[],
        sub,
        strategy,
        meta.mergeKey,
        isDeleteList,
      );
    } else {
      const r = removeDirectives(patchV);
      if (r.keep) original[k] = r.value;
      else delete original[k];
    }
  }
  return original;
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (strategy === mergeDirective || isDeleteList)
    return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  return patch;
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: unknown[];
  let orig = original;
  let pat = patch;
  if (kind !== "map") {
    if (isDeleteList) {
      const del = new Set(patch);
      return original.filter((v) => !del.has(v));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw internal(`cannot merge lists without merge key for ${schema.name}`);
    ({ original: orig, patch: pat } = mergeSliceWithSpecialElements(original, patch, mergeKey));
    merged = mergeSliceWithoutSpecialElements(orig, pat, mergeKey, schema);
  }
  const [patchItems, serverOnly] = partition(merged, pat, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, pat, orig, mergeKey, kind);
}

function mergeSliceWithSpecialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
): { original: unknown[]; patch: unknown[] } {
  const plain: unknown[] = [];
  let orig = original;
  let replace = false;
  for (const v of patch) {
    const m = v as Obj;
    if (!Object.hasOwn(m, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const d = m[directiveMarker];
    if (d === deleteDirective) {
      if (!Object.hasOwn(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      const value = m[mergeKey];
      for (let i = findByKey(orig, mergeKey, value); i >= 0; i = findByKey(orig, mergeKey, value))
        orig = [...orig.slice(0, i), ...orig.slice(i + 1)];
    } else if (d === replaceDirective) replace = true;
    else if (d === mergeDirective) throw internal("merging lists cannot yet be specified in the patch");
    else throw errBadPatchType(d, m);
  }
  if (replace) return { original: plain, patch: [] };
  return { original: orig, patch: plain };
}

function mergeSliceWithoutSpecialElements(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  schema: PatchSchema,
): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as Obj;
    if (!Object.hasOwn(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    // Items appended by earlier patch entries are found too (a key given twice merges).
    const i = findByKey(out, mergeKey, m[mergeKey]);
    if (i >= 0) out[i] = mergeMap(out[i] as Obj, m, schema);
    else out.push(v);
  }
  return out;
}

/**
 * Apply a strategic merge patch to an object (neither argument is modified). `schema` is the
 * kind's SMP metadata (patchSchemaFor(kindSchema(apiVersion, kind))).
 */
export function applyStrategicMergePatch(original: Obj, patch: unknown, schema: PatchSchema): Obj {
  if (patch === null) return structuredClone(original);
  if (!isObj(patch))
    throw badRequest(
      `json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch === "boolean" ? "bool" : typeof patch} into Go value of type map[string]interface {}`,
    );
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}
