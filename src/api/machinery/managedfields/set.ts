/**
 * A set of field paths as a tree (structured-merge-diff's fieldpath.Set): `members` are paths
 * ending at this node, `children` are subtrees. Elements are keyed by their FieldsV1 spelling.
 */
import type { JsonObject, JsonValue } from "../types.ts";
import { comparePE, type Path, type PathElement, parsePE, serializePE } from "./path.ts";

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i]);
    const last = path[path.length - 1];
    node.members.set(serializePE(last), last);
  }

  /** The child subtree for pe, created when missing. */
  child(pe: PathElement): FieldSet {
    const k = serializePE(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  /** The subtree under pe (structured-merge-diff's WithPrefix), or an empty set. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePE(pe))?.set ?? new FieldSet();
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePE(pe));
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(serializePE(path[i]))?.set;
    return !!node?.members.has(serializePE(path[path.length - 1]));
  }

  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    const out = this.clone();
    out.addAll(o);
    return out;
  }

  private addAll(o: FieldSet): void {
    for (const [k, pe] of o.members) this.members.set(k, pe);
    for (const c of o.children.values()) this.child(c.pe).addAll(c.set);
  }

  /** Members of this set not in o (children are compared member by member). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? c.set.difference(oc.set) : c.set.clone();
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  /** Like difference, but a member of o also removes everything beneath it. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const oc = o.children.get(k);
      const d = oc ? c.set.recursiveDifference(oc.set) : c.set.clone();
      if (!d.empty()) out.children.set(k, { pe: c.pe, set: d });
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = c.set.intersection(oc.set);
      if (!i.empty()) out.children.set(k, { pe: c.pe, set: i });
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, c] of this.children) out.children.set(k, { pe: c.pe, set: c.set.clone() });
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).empty() && o.difference(this).empty();
  }

  /** Every member path, in serialization order. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: Path): void => {
      for (const [pe, member, child] of s.sortedEntries()) {
        if (member) out.push([...prefix, pe]);
        if (child) walk(child, [...prefix, pe]);
      }
    };
    walk(this, []);
    return out;
  }

  /** Members and children merged in path element order. */
  private sortedEntries(): Array<[PathElement, boolean, FieldSet | undefined]> {
    const byKey = new Map<string, [PathElement, boolean, FieldSet | undefined]>();
    for (const [k, pe] of this.members) byKey.set(k, [pe, true, undefined]);
    for (const [k, c] of this.children) {
      if (c.set.empty()) continue;
      const e = byKey.get(k);
      byKey.set(k, [c.pe, !!e, c.set]);
    }
    return [...byKey.values()].sort((a, b) => comparePE(a[0], b[0]));
  }

  /** The FieldsV1 JSON form: `{"f:spec":{"f:ports":{".":{},"k:{...}":{...}}}}`. */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    for (const [pe, member, child] of this.sortedEntries()) {
      if (!child) {
        out[serializePE(pe)] = {};
        continue;
      }
      const inner: JsonObject = member ? { ".": {} } : {};
      Object.assign(inner, child.toFieldsV1());
      out[serializePE(pe)] = inner;
    }
    return out;
  }

  static fromFieldsV1(v: JsonValue | undefined): FieldSet {
    const s = new FieldSet();
    if (v === undefined || v === null) return s;
    s.readFieldsV1(v);
    return s;
  }

  private readFieldsV1(v: JsonValue): void {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new Error("expected a JSON object in fieldsV1");
    for (const [k, sub] of Object.entries(v)) {
      if (k === "." || sub === undefined) continue;
      const pe = parsePE(k);
      if (typeof sub !== "object" || sub === null || Array.isArray(sub))
        throw new Error(`expected a JSON object under ${k} in fieldsV1`);
      const keys = Object.keys(sub);
      if (keys.length === 0 || Object.hasOwn(sub, ".")) this.members.set(serializePE(pe), pe);
      if (keys.some((x) => x !== ".")) this.child(pe).readFieldsV1(sub);
    }
  }
}

/** FieldsV1 JSON text of a set, as kube stores it in managedFields. */
export function encodeFieldsV1(s: FieldSet): JsonObject {
  return s.toFieldsV1();
}

export function decodeFieldsV1(v: JsonValue | undefined): FieldSet {
  return FieldSet.fromFieldsV1(v);
}
