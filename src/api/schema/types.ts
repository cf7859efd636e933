/**
 * The shape of every served kind, one TypeDef per Go struct of the Kubernetes API. The protobuf
 * codec, OpenAPI, `kubectl explain`, unknown-field detection and strategic merge patch all read
 * these definitions, so they carry both wire facts (proto tags) and JSON facts (names,
 * omitempty, pointers) as the Go types declare them.
 */

/** Scalars, plus the API's special types whose JSON form differs from their protobuf message. */
export type PrimitiveType =
  | "string"
  | "int32"
  | "int64"
  | "bool"
  | "double"
  /** []byte: base64 in JSON. */
  | "bytes"
  /** intstr.IntOrString: JSON number or string; proto {1 type, 2 intVal, 3 strVal}. */
  | "intOrString"
  /** resource.Quantity: JSON string; proto {1 string}. */
  | "quantity"
  /** metav1.Time: RFC3339 seconds (null when zero); proto {1 seconds, 2 nanos}. */
  | "time"
  /** metav1.MicroTime: RFC3339 with 6 fractional digits; proto {1 seconds, 2 nanos}. */
  | "microTime"
  /** metav1.Duration: Go duration string ("1m30s"); proto {1 int64 nanoseconds}. */
  | "duration"
  /** runtime.RawExtension: embedded JSON object; proto {1 raw bytes}. */
  | "rawExtension"
  /** metav1.FieldsV1: embedded JSON object (managed fields); proto {1 raw bytes}. */
  | "fieldsV1";

export type TypeRef =
  | { kind: "primitive"; type: PrimitiveType }
  /** A struct: `name` is its TypeDef name (the OpenAPI definition name). */
  | { kind: "message"; name: string }
  | { kind: "list"; items: TypeRef }
  /** Keys are always strings. */
  | { kind: "map"; values: TypeRef };

export interface FieldDef {
  /** JSON name; "" for an inlined (embedded) struct whose fields appear in the parent. */
  json: string;
  /** Protobuf field number; 0 for fields that are not in the protobuf message (apiVersion, kind). */
  tag: number;
  type: TypeRef;
  /** Go pointer: absent when unset, present (even when zero) when set. */
  pointer?: boolean;
  /** json:",omitempty": a zero scalar, empty list or empty map is left out of the JSON. */
  omitempty?: boolean;
  /** Embedded struct (json:",inline"): its fields sit in the parent's JSON, but it is a nested proto message. */
  inline?: boolean;
  /** The API requires this field (no omitempty and no +optional marker). */
  required?: boolean;
  /** +listType. */
  listType?: "atomic" | "set" | "map";
  /** +listMapKey (in order) for listType=map. */
  listMapKeys?: string[];
  /** +mapType. */
  mapType?: "atomic" | "granular";
  /** patchStrategy struct tag, e.g. "merge" or "merge,retainKeys". */
  patchStrategy?: string;
  /** patchMergeKey struct tag. */
  patchMergeKey?: string;
  /** Allowed values of an enum string type (+enum). */
  enum?: string[];
  description?: string;
}

export interface TypeDef {
  /** OpenAPI definition name, e.g. io.k8s.api.core.v1.ServiceSpec. */
  name: string;
  /** Fields in Go declaration order (the order encoding/json writes them). */
  fields: FieldDef[];
  /** +structType. */
  structType?: "atomic" | "granular";
  description?: string;
}

function prim(type: PrimitiveType): TypeRef {
  return { kind: "primitive", type };
}

/** Shorthands used by the definition files. */
export const T = {
  string: prim("string"),
  int32: prim("int32"),
  int64: prim("int64"),
  bool: prim("bool"),
  double: prim("double"),
  bytes: prim("bytes"),
  intOrString: prim("intOrString"),
  quantity: prim("quantity"),
  time: prim("time"),
  microTime: prim("microTime"),
  duration: prim("duration"),
  rawExtension: prim("rawExtension"),
  fieldsV1: prim("fieldsV1"),
} as const satisfies Record<PrimitiveType, TypeRef>;

export function msg(name: string): TypeRef {
  return { kind: "message", name };
}

export function list(items: TypeRef): TypeRef {
  return { kind: "list", items };
}

export function map(values: TypeRef): TypeRef {
  return { kind: "map", values };
}
