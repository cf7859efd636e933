/**
 * JSON schemas of the served types, derived from src/api/schema, in the two flavours kube-apiserver
 * publishes: OpenAPI v2 (`#/definitions/…`, references with sibling descriptions) and v3
 * (`#/components/schemas/…`, references wrapped in allOf when they carry a description or a
 * default). The special types (Quantity, IntOrString, Time …) are named definitions as in kube.
 */
import { type FieldDef, type PrimitiveType, servedKinds, type TypeRef, typeDef } from "../schema/index.ts";
import { fieldDescription, typeDescription } from "./descriptions/index.ts";

export type Flavor = "v2" | "v3";
export type Schema = Record<string, unknown>;

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** Primitives published as named definitions, and the definition each becomes. */
const namedPrimitives: Partial<Record<PrimitiveType, { name: string; schema: Schema }>> = {
  quantity: {
    name: "io.k8s.apimachinery.pkg.api.resource.Quantity",
    schema: {
      type: "string",
      description:
        "A fixed-point number with an optional unit suffix, written as a string: binary suffixes (Ki, Mi, Gi …), decimal suffixes (k, M, G … and m for thousandths) or an exponent (1e3).",
    },
  },
  intOrString: {
    name: "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    schema: {
      type: "string",
      format: "int-or-string",
      description:
        "Either a whole number or a string; a string may name something (a port name) or hold a percentage.",
    },
  },
  time: {
    name: `${META}.Time`,
    schema: {
      type: "string",
      format: "date-time",
      description: "A point in time, written in RFC 3339 form with second precision, in UTC.",
    },
  },
  microTime: {
    name: `${META}.MicroTime`,
    schema: {
      type: "string",
      format: "date-time",
      description: "A point in time, written in RFC 3339 form with microsecond precision, in UTC.",
    },
  },
  fieldsV1: {
    name: `${META}.FieldsV1`,
    schema: {
      type: "object",
      description: "The set of fields a manager owns, as a tree of field, key and value markers.",
    },
  },
  rawExtension: {
    name: "io.k8s.apimachinery.pkg.runtime.RawExtension",
    schema: { type: "object", description: "A whole API object embedded as JSON." },
  },
};

const scalar: Partial<Record<PrimitiveType, Schema>> = {
  string: { type: "string" },
  int32: { type: "integer", format: "int32" },
  int64: { type: "integer", format: "int64" },
  bool: { type: "boolean" },
  double: { type: "number", format: "double" },
  bytes: { type: "string", format: "byte" },
  duration: { type: "string" },
};

export function refPath(flavor: Flavor, name: string): string {
  return flavor === "v2" ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

function refName(t: TypeRef): string | undefined {
  if (t.kind === "message") return t.name;
  if (t.kind === "primitive") return namedPrimitives[t.type]?.name;
  return undefined;
}

/** The schema of a value of type t (no description). */
function typeSchema(flavor: Flavor, t: TypeRef): Schema {
  const ref = refName(t);
  if (ref) return { $ref: refPath(flavor, ref) };
  if (t.kind === "primitive") return { ...(scalar[t.type] ?? { type: "string" }) };
  if (t.kind === "list") return { type: "array", items: itemSchema(flavor, t.items) };
  if (t.kind === "map") return { type: "object", additionalProperties: itemSchema(flavor, t.values) };
  return {};
}

/** Items and map values: kube gives scalars a zero default and structs `{}` in v3. */
function itemSchema(flavor: Flavor, t: TypeRef): Schema {
  const s = typeSchema(flavor, t);
  if (flavor === "v3" && t.kind === "message") return { allOf: [s], default: {} };
  if (flavor === "v3" && t.kind === "primitive" && t.type === "string") s.default = "";
  return s;
}

function enumText(values: string[]): string {
  return `\n\nPossible enum values:\n${values.map((v) => ` - \`${JSON.stringify(v)}\``).join("\n")}`;
}

function fieldSchema(flavor: Flavor, owner: string, f: FieldDef): Schema {
  let description = fieldDescription(owner, f.json);
  if (f.enum && description) description += enumText(f.enum);
  const base = typeSchema(flavor, f.type);
  let s: Schema;
  if (base.$ref) {
    const withDefault = flavor === "v3" && f.type.kind === "message" && !f.pointer && !f.omitempty;
    if (flavor === "v3" && (description || withDefault)) {
      s = { allOf: [base] };
      if (withDefault) s.default = {};
    } else s = base;
  } else s = base;
  if (description) s.description = description;
  if (f.enum) s.enum = [...f.enum];
  if (f.listType) s["x-kubernetes-list-type"] = f.listType;
  if (f.listMapKeys) s["x-kubernetes-list-map-keys"] = [...f.listMapKeys];
  if (f.mapType) s["x-kubernetes-map-type"] = f.mapType;
  if (f.patchMergeKey) s["x-kubernetes-patch-merge-key"] = f.patchMergeKey;
  if (f.patchStrategy) s["x-kubernetes-patch-strategy"] = f.patchStrategy;
  if (flavor === "v3" && f.required && !f.pointer && f.type.kind === "primitive") {
    const zero: Partial<Record<PrimitiveType, unknown>> = { string: "", int32: 0, int64: 0, bool: false };
    if (f.type.type in zero) s.default = zero[f.type.type];
  }
  return s;
}

/** GVKs per definition name, from the served kinds (meta kinds carry every group version). */
let gvkIndex: Map<string, Array<{ group: string; version: string; kind: string }>> | undefined;
export function gvksOf(name: string): Array<{ group: string; version: string; kind: string }> {
  if (!gvkIndex) {
    gvkIndex = new Map();
    for (const k of servedKinds()) {
      const [group, version] = k.apiVersion.includes("/") ? k.apiVersion.split("/") : ["", k.apiVersion];
      const list = gvkIndex.get(k.type) ?? [];
      list.push({ group, version, kind: k.kind });
      gvkIndex.set(k.type, list);
    }
    for (const l of gvkIndex.values())
      l.sort((a, b) => a.group.localeCompare(b.group) || a.version.localeCompare(b.version));
  }
  return gvkIndex.get(name) ?? [];
}

/** Definitions that exist only in the documents (patch bodies). */
const documentOnly: Record<string, Schema> = {
  [`${META}.Patch`]: {
    type: "object",
    description:
      "A patch body: its format is given by the request's Content-Type (JSON patch, merge patch, strategic merge patch or apply).",
  },
};

/** The definition of a named type (a struct or one of the named primitives). */
export function definition(flavor: Flavor, name: string): Schema | undefined {
  for (const p of Object.values(namedPrimitives)) if (p?.name === name) return { ...p.schema };
  if (documentOnly[name]) return { ...documentOnly[name] };
  const d = typeDef(name);
  if (!d) return undefined;
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  const addFields = (owner: string, fields: FieldDef[]) => {
    for (const f of fields) {
      if (f.inline && f.type.kind === "message") {
        addFields(f.type.name, typeDef(f.type.name)?.fields ?? []);
        continue;
      }
      properties[f.json] = fieldSchema(flavor, owner, f);
      if (f.required) required.push(f.json);
    }
  };
  addFields(name, d.fields);
  const s: Schema = {};
  const description = typeDescription(name);
  if (description) s.description = description;
  s.type = "object";
  if (Object.keys(properties).length > 0) {
    s.properties = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
  }
  if (required.length > 0) s.required = required.sort();
  if (d.structType === "atomic") s["x-kubernetes-map-type"] = "atomic";
  const gvks = gvksOf(name);
  if (gvks.length > 0) s["x-kubernetes-group-version-kind"] = gvks;
  return s;
}

/** Names referenced from a schema, directly. */
function refsIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.add(v.slice(v.lastIndexOf("/") + 1));
      else refsIn(v, out);
    }
  }
}

/** The definitions of `roots` and everything they reference, sorted by name. */
export function definitionsClosure(flavor: Flavor, roots: Iterable<string>): Record<string, Schema> {
  const out = new Map<string, Schema>();
  const todo = [...roots];
  while (todo.length > 0) {
    const n = todo.pop() as string;
    if (out.has(n)) continue;
    const d = definition(flavor, n);
    if (!d) continue;
    out.set(n, d);
    const refs = new Set<string>();
    refsIn(d, refs);
    for (const r of refs) if (!out.has(r)) todo.push(r);
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
