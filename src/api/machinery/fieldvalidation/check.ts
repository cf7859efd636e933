/**
 * Unknown and duplicate field detection against the schema, the way kube-apiserver's strict
 * decoder (sigs.k8s.io/json, case-sensitive) reports them: paths without a leading dot, list
 * items as `[i]`, in the order the decoder meets them. Values of unknown fields are skipped, not
 * inspected; embedded raw JSON (RawExtension, FieldsV1) is opaque.
 */
import { type FieldDef, type TypeRef, typeDef } from "../../schema/index.ts";
import { isObject } from "../types.ts";
import { jsonTree, type RawNode, yamlTree } from "./tree.ts";

export interface FieldCheck {
  /** Paths of fields the schema does not define, e.g. `spec.ports[0].bar`. */
  unknown: string[];
  /** Paths of keys given twice in one object (JSON bodies). */
  duplicate: string[];
  /** Every strict decoding violation in kube's words, in decoder order. */
  errors: string[];
}

const knownCache = new Map<string, Map<string, FieldDef>>();

/** JSON name → field of a struct, with inlined (embedded) structs flattened in. */
export function knownFields(typeName: string): Map<string, FieldDef> {
  const hit = knownCache.get(typeName);
  if (hit) return hit;
  const out = new Map<string, FieldDef>();
  for (const f of typeDef(typeName)?.fields ?? []) {
    if (f.inline && f.type.kind === "message") {
      for (const [k, v] of knownFields(f.type.name)) out.set(k, v);
    } else out.set(f.json, f);
  }
  knownCache.set(typeName, out);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Collector {
  readonly result: FieldCheck = { unknown: [], duplicate: [], errors: [] };
  private readonly seen = new Set<string>();
  add(kind: "unknown" | "duplicate", path: string): void {
    const msg = `${kind} field ${JSON.stringify(path)}`;
    if (this.seen.has(msg)) return;
    this.seen.add(msg);
    this.result[kind].push(path);
    this.result.errors.push(msg);
  }
}

function walkTree(node: RawNode, type: TypeRef, path: string, c: Collector, dupes: boolean): void {
  if (type.kind === "primitive") return;
  if (type.kind === "list") {
    if (node.t === "array")
      for (const [i, n] of node.items.entries()) walkTree(n, type.items, `${path}[${i}]`, c, dupes);
    return;
  }
  if (node.t !== "object") return;
  const keys = new Set<string>();
  if (type.kind === "map") {
    for (const e of node.entries) {
      if (dupes && keys.has(e.key)) c.add("duplicate", join(path, e.key));
      keys.add(e.key);
      walkTree(e.value, type.values, join(path, e.key), c, dupes);
    }
    return;
  }
  const fields = knownFields(type.name);
  for (const e of node.entries) {
    const f = fields.get(e.key);
    if (!f) {
      c.add("unknown", join(path, e.key));
      continue;
    }
    if (dupes && keys.has(e.key)) c.add("duplicate", join(path, e.key));
    keys.add(e.key);
    walkTree(e.value, f.type, join(path, e.key), c, dupes);
  }
}

/** The same walk over an already decoded value (no duplicates can be seen there). */
function valueTree(v: unknown): RawNode {
  if (Array.isArray(v)) return { t: "array", items: v.map(valueTree) };
  if (isObject(v))
    return {
      t: "object",
      entries: Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([key, x]) => ({ key, value: valueTree(x), line: 0 })),
    };
  return { t: "scalar" };
}

/** YAML duplicate keys anywhere, as goyaml.v2 words them (it runs before the JSON decoder). */
function yamlDuplicates(node: RawNode, out: string[]): void {
  if (node.t === "array") for (const n of node.items) yamlDuplicates(n, out);
  if (node.t !== "object") return;
  const keys = new Set<string>();
  for (const e of node.entries) {
    if (keys.has(e.key)) out.push(`line ${e.line}: key ${JSON.stringify(e.key)} already set in map`);
    keys.add(e.key);
    yamlDuplicates(e.value, out);
  }
}

/**
 * Check a decoded object against the schema type `typeName`. With the raw body text, duplicate
 * keys are found too (JSON unless `yaml` is set); without it, only unknown fields.
 */
export function checkFields(obj: unknown, typeName: string, rawText?: string, yaml = false): FieldCheck {
  const c = new Collector();
  const type: TypeRef = { kind: "message", name: typeName };
  let tree: RawNode | undefined;
  if (rawText !== undefined) tree = yaml ? yamlTree(rawText) : jsonTree(rawText);
  if (tree && yaml) {
    const lines: string[] = [];
    yamlDuplicates(tree, lines);
    if (lines.length > 0) c.result.errors.push(`yaml: unmarshal errors:\n  ${lines.join("\n  ")}`);
    for (const l of lines) c.result.duplicate.push(l);
    walkTree(tree, type, "", c, false);
  } else if (tree) walkTree(tree, type, "", c, true);
  else walkTree(valueTree(obj), type, "", c, false);
  return c.result;
}

/** Remove the fields the schema does not define, in place (what decoding into the typed struct does). */
export function pruneUnknown(value: unknown, type: TypeRef): void {
  if (type.kind === "primitive") return;
  if (type.kind === "list") {
    if (Array.isArray(value)) for (const v of value) pruneUnknown(v, type.items);
    return;
  }
  if (!isObject(value)) return;
  if (type.kind === "map") {
    for (const v of Object.values(value)) pruneUnknown(v, type.values);
    return;
  }
  const fields = knownFields(type.name);
  for (const [k, v] of Object.entries(value)) {
    const f = fields.get(k);
    if (!f) delete value[k];
    else pruneUnknown(v, f.type);
  }
}
