/**
 * Schema-aware operations on JSON values, as structured-merge-diff's typed package does them:
 * the field set of a value, the comparison of two values, apply's merge, and item removal.
 */
import { isDeepStrictEqual } from "node:util";
import type { JsonObject, JsonValue } from "../types.ts";
import { type Path, type PathElement, pathString, serializePE, sortKey } from "./path.ts";
import { type Atom, atomOf, childNode, isMap, keyDefault, type Node } from "./schema.ts";
import { FieldSet } from "./set.ts";

/** A value that does not fit the schema (an associative list item without its key, duplicates). */
export class SchemaError extends Error {}

type Leafy = { leaf: true } | { leaf: false; atom: Atom };

/** Whether a value at n is a leaf (scalar, atomic list or map, deduced non-map) for ownership. */
function shape(n: Node, v: JsonValue | undefined): Leafy {
  const a = atomOf(n);
  switch (a.kind) {
    case "scalar":
      return { leaf: true };
    case "deduced":
      return isMap(v) ? { leaf: false, atom: a } : { leaf: true };
    case "struct":
    case "map":
      return a.atomic ? { leaf: true } : { leaf: false, atom: a };
    case "list":
      return a.rel === "atomic" ? { leaf: true } : { leaf: false, atom: a };
  }
}

/** The path element naming a list item: its key fields, its value (sets), or its index. */
export function listItemPE(
  a: Extract<Atom, { kind: "list" }>,
  item: JsonValue,
  i: number,
  path: Path,
): PathElement {
  if (a.rel === "map" && a.keys.length > 0) {
    if (!isMap(item))
      throw new SchemaError(
        `${pathString(path)}: element ${i}: associative list with keys may not have non-map elements`,
      );
    const key: Array<[string, JsonValue]> = [];
    for (const k of a.keys) {
      const v = item[k] ?? keyDefault(a.items, k);
      if (v === undefined || v === null)
        throw new SchemaError(
          `${pathString(path)}: element ${i}: associative list with keys has an element that omits key field "${k}" (and doesn't have default value)`,
        );
      key.push([k, v]);
    }
    return { key: sortKey(key) };
  }
  if (a.rel === "set") {
    if (isMap(item) || Array.isArray(item))
      throw new SchemaError(
        `${pathString(path)}: element ${i}: associative list without keys has an element that's a map type`,
      );
    return { value: item };
  }
  return { index: i };
}

interface ListIndex {
  order: PathElement[];
  items: Map<string, JsonValue>;
}

function indexList(
  a: Extract<Atom, { kind: "list" }>,
  list: JsonValue[],
  path: Path,
  allowDuplicates: boolean,
): ListIndex {
  const out: ListIndex = { order: [], items: new Map() };
  list.forEach((item, i) => {
    const pe = listItemPE(a, item, i, path);
    const k = serializePE(pe);
    if (out.items.has(k)) {
      if (!allowDuplicates)
        throw new SchemaError(`${pathString([...path, pe])}: duplicate entries for key ${k.slice(2)}`);
      return;
    }
    out.items.set(k, item);
    out.order.push(pe);
  });
  return out;
}

function entries(v: JsonValue | undefined): Array<[string, JsonValue]> {
  if (!isMap(v)) return [];
  return Object.entries(v).filter((e): e is [string, JsonValue] => e[1] !== undefined);
}

/** The set of fields a value sets (structured-merge-diff's ToFieldSet). */
export function toFieldSet(v: JsonValue | undefined, n: Node, allowDuplicates = true): FieldSet {
  const set = new FieldSet();
  walkSet(v, n, [], set, allowDuplicates);
  return set;
}

function walkSet(v: JsonValue | undefined, n: Node, path: Path, set: FieldSet, dup: boolean): void {
  const s = shape(n, v);
  if (s.leaf) {
    set.insert(path);
    return;
  }
  const a = s.atom;
  if (a.kind === "list") {
    if (!Array.isArray(v)) return;
    const idx = indexList(a, v, path, dup);
    for (const pe of idx.order) {
      const p = [...path, pe];
      walkSet(idx.items.get(serializePE(pe)), a.items, p, set, dup);
      set.insert(p);
    }
    return;
  }
  for (const [k, x] of entries(v)) {
    const child = childNode(a, k);
    const p = [...path, { field: k }];
    if (!child) {
      // Undeclared fields of a struct are owned as a whole.
      set.insert(p);
      continue;
    }
    walkSet(x, child, p, set, dup);
    if (x === null || (isMap(x) && Object.keys(x).length === 0) || a.kind !== "struct") set.insert(p);
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from lhs to rhs, by field (structured-merge-diff's Compare). */
export function compare(lhs: JsonValue | undefined, rhs: JsonValue | undefined, n: Node): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, n, [], c);
  return c;
}

function walkCompare(
  l: JsonValue | undefined,
  r: JsonValue | undefined,
  n: Node,
  path: Path,
  c: Comparison,
): void {
  const s = shape(n, r !== undefined ? r : l);
  if (s.leaf) {
    if (l === undefined && r !== undefined) c.added.insert(path);
    else if (r === undefined && l !== undefined) c.removed.insert(path);
    else if (!isDeepStrictEqual(l, r)) c.modified.insert(path);
    return;
  }
  const a = s.atom;
  const item = (
    pe: PathElement,
    lv: JsonValue | undefined,
    rv: JsonValue | undefined,
    child: Node | undefined,
  ): void => {
    const p = [...path, pe];
    if (child) walkCompare(lv, rv, child, p, c);
    if (lv === undefined && rv !== undefined) c.added.insert(p);
    else if (rv === undefined && lv !== undefined) c.removed.insert(p);
    else if (!child && !isDeepStrictEqual(lv, rv)) c.modified.insert(p);
  };
  if (a.kind === "list") {
    const li = indexList(a, Array.isArray(l) ? l : [], path, true);
    const ri = indexList(a, Array.isArray(r) ? r : [], path, true);
    const seen = new Set<string>();
    for (const pe of [...li.order, ...ri.order]) {
      const k = serializePE(pe);
      if (seen.has(k)) continue;
      seen.add(k);
      item(pe, li.items.get(k), ri.items.get(k), a.items);
    }
    return;
  }
  const lm = isMap(l) ? l : {};
  const rm = isMap(r) ? r : {};
  const keys = new Set([...entries(lm).map((e) => e[0]), ...entries(rm).map((e) => e[0])]);
  for (const k of keys) item({ field: k }, lm[k], rm[k], childNode(a, k));
}

/**
 * Apply's merge of a configuration into the live value: config values win, maps and structs merge
 * per field, associative lists merge per item (keeping live order around config order), atomic
 * values are replaced.
 */
export function merge(
  live: JsonValue | undefined,
  config: JsonValue | undefined,
  n: Node,
  path: Path = [],
): JsonValue | undefined {
  if (config === undefined) return live;
  if (live === undefined || live === null || config === null) return config;
  const s = shape(n, config);
  if (s.leaf) return config;
  const a = s.atom;
  if (a.kind === "list") {
    if (!Array.isArray(live) || !Array.isArray(config)) return config;
    return mergeList(a, live, config, path);
  }
  if (!isMap(live) || !isMap(config)) return config;
  const out: JsonObject = {};
  for (const [k, v] of entries(live)) out[k] = v;
  for (const [k, v] of entries(config)) {
    const child = childNode(a, k);
    out[k] = child ? (merge(live[k], v, child, [...path, { field: k }]) ?? null) : v;
  }
  return out;
}

function mergeList(
  a: Extract<Atom, { kind: "list" }>,
  live: JsonValue[],
  config: JsonValue[],
  path: Path,
): JsonValue[] {
  const li = indexList(a, live, path, true);
  const ri = indexList(a, config, path, false);
  const keyOf = (pe: PathElement): string => serializePE(pe);
  const mergeItem = (k: string, pe: PathElement): JsonValue =>
    merge(li.items.get(k), ri.items.get(k), a.items, [...path, pe]) ?? null;
  // Items in both lists, in config order: they anchor where live-only items go.
  const shared = ri.order.filter((pe) => li.items.has(keyOf(pe))).map(keyOf);
  let next = 0;
  const out: JsonValue[] = [];
  const done = new Set<string>();
  let l = 0;
  let r = 0;
  while (l < li.order.length || r < ri.order.length) {
    if (l < li.order.length && r < ri.order.length) {
      const kl = keyOf(li.order[l]);
      const kr = keyOf(ri.order[r]);
      if (kl === kr) {
        out.push(mergeItem(kr, ri.order[r]));
        done.add(kr);
        l++;
        r++;
        next = shared.indexOf(kr) + 1;
        continue;
      }
      if (ri.items.has(kl) && next < shared.length && shared[next] !== kl) {
        l++;
        continue;
      }
    }
    if (l < li.order.length) {
      const kl = keyOf(li.order[l]);
      if (!ri.items.has(kl)) {
        out.push(li.items.get(kl) ?? null);
        l++;
        continue;
      }
      if (done.has(kl)) {
        l++;
        continue;
      }
    }
    if (r < ri.order.length) {
      const kr = keyOf(ri.order[r]);
      out.push(mergeItem(kr, ri.order[r]));
      done.add(kr);
      r++;
      if (shared[next] === kr) next++;
    }
  }
  return out;
}

/** The value without the items (fields, map entries, list items) that are members of set. */
export function removeItems(
  v: JsonValue | undefined,
  set: FieldSet,
  n: Node,
  path: Path = [],
): JsonValue | undefined {
  if (v === undefined || v === null) return v;
  const s = shape(n, v);
  if (s.leaf) return v;
  const a = s.atom;
  if (a.kind === "list") {
    if (!Array.isArray(v) || v.length === 0) return v;
    const out: JsonValue[] = [];
    v.forEach((item, i) => {
      const pe = listItemPE(a, item, i, path);
      if (set.hasMember(pe)) return;
      const sub = set.withPrefix(pe);
      out.push(sub.empty() ? item : (removeItems(item, sub, a.items, [...path, pe]) ?? null));
    });
    return out;
  }
  if (!isMap(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of entries(v)) {
    const pe = { field: k };
    if (set.hasMember(pe)) continue;
    const sub = set.withPrefix(pe);
    const child = childNode(a, k);
    out[k] = sub.empty() || !child ? x : (removeItems(x, sub, child, [...path, pe]) ?? null);
  }
  return out;
}

/** The set plus every struct field that has children in it (so removing it removes the field). */
export function ensureNamedFieldsAreMembers(set: FieldSet, n: Node): FieldSet {
  const out = new FieldSet();
  const walk = (s: FieldSet, node: Node | undefined, dst: FieldSet): void => {
    for (const [k, pe] of s.members) dst.members.set(k, pe);
    const a = node ? atomOf(node) : undefined;
    for (const [k, c] of s.children) {
      let child: Node | undefined;
      if (a?.kind === "struct" && "field" in c.pe) {
        child = a.fields.get(c.pe.field);
        if (child && !c.set.empty()) dst.members.set(k, c.pe);
      } else if (a?.kind === "map" && "field" in c.pe) child = a.values;
      else if (a?.kind === "list") child = a.items;
      walk(c.set, child, dst.child(c.pe));
    }
  };
  walk(set, n, out);
  return out;
}
