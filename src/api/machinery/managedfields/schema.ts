/**
 * The schema as structured-merge-diff sees it (kube builds it from OpenAPI in schemaconv):
 * structs and maps are granular unless marked atomic; lists are atomic unless listType says
 * set/map, or (without listType) patchStrategy merge makes them associative by the merge key.
 */
import type { FieldDef, TypeDef, TypeRef } from "../../schema/index.ts";
import { typeDef } from "../../schema/index.ts";
import type { JsonObject, JsonValue } from "../types.ts";

/** A place in the schema: a type, and the field that holds it (list and map markers live there). */
export interface Node {
  ref: TypeRef;
  field?: FieldDef;
  /** The struct this node's field belongs to (for key defaults). */
  owner?: string;
}

export type Atom =
  | { kind: "scalar" }
  | { kind: "struct"; def: TypeDef; fields: Map<string, Node>; atomic: boolean }
  | { kind: "map"; values: Node; atomic: boolean }
  | { kind: "list"; items: Node; rel: "atomic" | "set" | "map"; keys: string[] }
  /** Untyped JSON (RawExtension and the like): maps granular, lists atomic, by the value's shape. */
  | { kind: "deduced" };

const DEDUCED: Node = { ref: { kind: "primitive", type: "rawExtension" } };

const fieldsCache = new Map<string, Map<string, Node>>();

/** A struct's JSON fields, with inlined (embedded) structs flattened into it. */
function structFields(def: TypeDef): Map<string, Node> {
  let out = fieldsCache.get(def.name);
  if (out) return out;
  out = new Map();
  for (const f of def.fields) {
    if (f.inline || f.json === "") {
      if (f.type.kind !== "message") continue;
      const inner = typeDef(f.type.name);
      if (inner) for (const [k, n] of structFields(inner)) out.set(k, n);
      continue;
    }
    out.set(f.json, { ref: f.type, field: f, owner: def.name });
  }
  fieldsCache.set(def.name, out);
  return out;
}

export function atomOf(n: Node): Atom {
  const r = n.ref;
  switch (r.kind) {
    case "primitive":
      return r.type === "rawExtension" || r.type === "fieldsV1" ? { kind: "deduced" } : { kind: "scalar" };
    case "message": {
      const def = typeDef(r.name);
      if (!def) return { kind: "deduced" };
      return {
        kind: "struct",
        def,
        fields: structFields(def),
        atomic: def.structType === "atomic" || n.field?.mapType === "atomic",
      };
    }
    case "map":
      return { kind: "map", values: { ref: r.values }, atomic: n.field?.mapType === "atomic" };
    case "list": {
      const f = n.field;
      const items: Node = { ref: r.items };
      if (f?.listType === "map") return { kind: "list", items, rel: "map", keys: f.listMapKeys ?? [] };
      if (f?.listType === "set") return { kind: "list", items, rel: "set", keys: [] };
      if (f?.listType === "atomic") return { kind: "list", items, rel: "atomic", keys: [] };
      const strategies = (f?.patchStrategy ?? "").split(",");
      if (strategies.includes("merge")) {
        if (f?.patchMergeKey) return { kind: "list", items, rel: "map", keys: [f.patchMergeKey] };
        return { kind: "list", items, rel: "set", keys: [] };
      }
      return { kind: "list", items, rel: "atomic", keys: [] };
    }
  }
}

/** The node of a struct field or map value under n, or undefined for an undeclared struct field. */
export function childNode(atom: Atom, name: string): Node | undefined {
  if (atom.kind === "struct") return atom.fields.get(name);
  if (atom.kind === "map") return atom.values;
  if (atom.kind === "deduced") return DEDUCED;
  return undefined;
}

/**
 * Defaults of list-map key fields, from the OpenAPI `default`s kube publishes (structured-merge-diff
 * fills a missing key field from its default): protocol is TCP in ports lists.
 */
const keyDefaults: Record<string, Record<string, JsonValue>> = {
  "io.k8s.api.core.v1.ServicePort": { protocol: "TCP" },
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
};

export function keyDefault(items: Node, key: string): JsonValue | undefined {
  if (items.ref.kind !== "message") return undefined;
  return keyDefaults[items.ref.name]?.[key];
}

export function isMap(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function zeroScalar(f: FieldDef): JsonValue | undefined {
  if (f.type.kind === "list" || f.type.kind === "map") return null;
  if (f.type.kind === "message") return {};
  switch (f.type.type) {
    case "string":
    case "bytes":
    case "duration":
      return "";
    case "int32":
    case "int64":
    case "double":
    case "intOrString":
      return 0;
    case "bool":
      return false;
    case "quantity":
      return "0";
    case "time":
    case "microTime":
    case "rawExtension":
    case "fieldsV1":
      return null;
  }
}

const structPrimitives = new Set(["time", "microTime", "intOrString", "quantity", "rawExtension"]);

function isZero(v: JsonValue | undefined, f: FieldDef): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return f.type.kind === "map" && Object.keys(v).length === 0;
  return v === "" || v === 0 || v === false;
}

/**
 * The value as a Go round trip (JSON → typed struct → JSON) would give it: omitempty zero values
 * dropped, non-pointer fields without omitempty filled with their zero value. kube's field
 * manager compares objects in that form, so ownership follows what Go would see.
 */
export function goNormalize(v: JsonValue | undefined, n: Node): JsonValue | undefined {
  if (v === undefined) return undefined;
  const a = atomOf(n);
  if (a.kind === "struct") {
    if (!isMap(v)) return v;
    const out: JsonObject = {};
    const seen = new Set<string>();
    for (const [name, child] of a.fields) {
      seen.add(name);
      const f = child.field;
      if (!f) continue;
      const cur = v[name];
      // Go structs (and the API's struct-backed scalars) are written even when omitempty.
      const goStruct =
        f.type.kind === "message" || (f.type.kind === "primitive" && structPrimitives.has(f.type.type));
      if (cur === undefined || cur === null) {
        if (f.pointer || (!goStruct && f.omitempty)) continue;
        out[name] = f.type.kind === "message" ? goNormalize({}, child) : (zeroScalar(f) ?? null);
        continue;
      }
      if (!f.pointer && !goStruct && f.omitempty && isZero(cur, f)) continue;
      out[name] = goNormalize(cur, child);
    }
    // Fields the schema does not know (the type converter keeps them when it can).
    for (const [k, x] of Object.entries(v)) if (!seen.has(k) && x !== undefined) out[k] = x;
    return out;
  }
  if (a.kind === "map" && isMap(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = goNormalize(x, a.values) ?? null;
    return out;
  }
  if (a.kind === "list" && Array.isArray(v)) return v.map((x) => goNormalize(x, a.items) ?? null);
  return v;
}
