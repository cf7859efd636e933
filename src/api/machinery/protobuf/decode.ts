/**
 * Protobuf → JSON, driven by src/api/schema. The result is the JSON Go's encoding/json writes for
 * the struct the generated Go unmarshaller would fill: absent scalars are Go zero values (dropped
 * when omitempty), non-pointer structs are always present, nil slices/maps without omitempty
 * are null, map keys come out sorted, and the special types use their MarshalJSON forms.
 */
import pb from "protobufjs/minimal.js";
import { kindSchema, typeDef } from "../../schema/index.ts";
import type { FieldDef, PrimitiveType, TypeDef, TypeRef } from "../../schema/types.ts";
import { errors, StatusError } from "../errors.ts";
import type { JsonObject, JsonValue, KubeObject } from "../types.ts";
import { hasMagic, readUnknown } from "./envelope.ts";
import { formatDuration, formatMicroTime, formatTime, toBase64 } from "./values.ts";

type Reader = pb.Reader;

/** A wire-level problem, reported with the JSON path where it happened. */
class WireError extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

/** Decodes a `k8s\0`-prefixed body into the JSON object. Throws StatusError 400 on bad input. */
export function decodeKubeProtobuf(body: Uint8Array): KubeObject {
  if (!hasMagic(body)) {
    throw errors.badRequest("protobuf body does not start with the Kubernetes magic bytes k8s\\0");
  }
  let unknown: ReturnType<typeof readUnknown>;
  try {
    unknown = readUnknown(body.subarray(4));
  } catch (e) {
    throw errors.badRequest(`unable to decode protobuf envelope: ${(e as Error).message}`);
  }
  const { apiVersion, kind, raw, contentEncoding } = unknown;
  if (contentEncoding !== "") {
    throw errors.badRequest(`unsupported protobuf content encoding "${contentEncoding}"`);
  }
  if (kind === "") throw errors.badRequest("Object 'Kind' is missing in protobuf body");
  const ref = kindSchema(apiVersion, kind);
  if (ref?.kind !== "message") {
    throw errors.badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  }
  try {
    return decodeMessage(def(ref.name), raw, "", { apiVersion, kind }) as KubeObject;
  } catch (e) {
    if (e instanceof StatusError) throw e;
    // Wire errors (ours and protobufjs's: truncation, bad wire types) and bad embedded JSON.
    throw errors.badRequest(`unable to decode protobuf ${kind}: ${(e as Error).message}`);
  }
}

function def(name: string): TypeDef {
  const d = typeDef(name);
  if (!d) throw errors.internal(new Error(`schema has no type ${name}`));
  return d;
}

const byTag = new WeakMap<TypeDef, Map<number, FieldDef>>();

function fieldsByTag(d: TypeDef): Map<number, FieldDef> {
  let m = byTag.get(d);
  if (!m) {
    m = new Map(d.fields.filter((f) => f.tag > 0).map((f) => [f.tag, f]));
    byTag.set(d, m);
  }
  return m;
}

/** What a field held on the wire: one value, the elements of a list, or map entries. */
type Seen = { one: JsonValue } | { list: JsonValue[] } | { map: Map<string, JsonValue> };

export function decodeMessage(
  d: TypeDef,
  buf: Uint8Array,
  path: string,
  typeMeta?: { apiVersion: string; kind: string },
): JsonObject {
  const tags = fieldsByTag(d);
  const seen = new Map<FieldDef, Seen>();
  const r = pb.Reader.create(buf);
  while (r.pos < r.len) {
    const key = r.uint32();
    const tag = key >>> 3;
    const wire = key & 7;
    if (tag === 0) throw new WireError(`illegal field number 0 in ${d.name}`);
    const f = tags.get(tag);
    if (!f) {
      r.skipType(wire);
      continue;
    }
    const p = join(path, f.json);
    const t = f.type;
    if (t.kind === "list") {
      const prev = seen.get(f);
      const items = prev && "list" in prev ? prev.list : [];
      if (wire === WIRE_BYTES && isPackable(t.items)) {
        const end = r.uint32() + r.pos;
        while (r.pos < end) items.push(readValue(t.items, r, wireOf(t.items), p));
        if (r.pos !== end) throw new WireError(`bad packed field ${p}`);
      } else {
        items.push(readValue(t.items, r, wire, p));
      }
      seen.set(f, { list: items });
    } else if (t.kind === "map") {
      const prev = seen.get(f);
      const entries = prev && "map" in prev ? prev.map : new Map<string, JsonValue>();
      expectWire(wire, WIRE_BYTES, p);
      const [k, v] = readMapEntry(t.values, r.bytes(), p);
      entries.set(k, v);
      seen.set(f, { map: entries });
    } else {
      seen.set(f, { one: readValue(t, r, wire, p) });
    }
  }
  return toJson(d, seen, path, typeMeta);
}

/** Lays the decoded values out in Go field order with encoding/json's zero-value rules. */
function toJson(
  d: TypeDef,
  seen: Map<FieldDef, Seen>,
  path: string,
  typeMeta?: { apiVersion: string; kind: string },
): JsonObject {
  const out: JsonObject = {};
  for (const f of d.fields) {
    if (f.tag === 0) {
      const v = typeMeta?.[f.json as "apiVersion" | "kind"] ?? "";
      if (v !== "" || !f.omitempty) out[f.json] = v;
      continue;
    }
    const s = seen.get(f);
    if (f.inline) {
      const nested = s && "one" in s ? s.one : zeroValue(f.type, path);
      Object.assign(out, nested);
      continue;
    }
    if (s === undefined) {
      if (f.pointer || f.type.kind === "list" || f.type.kind === "map" || isBytes(f.type)) {
        if (!f.omitempty) out[f.json] = null;
        continue;
      }
      const zero = zeroValue(f.type, join(path, f.json));
      if (!(f.omitempty && isEmptyScalar(f.type, zero))) out[f.json] = zero;
      continue;
    }
    if ("list" in s) {
      if (!(f.omitempty && s.list.length === 0)) out[f.json] = s.list;
    } else if ("map" in s) {
      if (!(f.omitempty && s.map.size === 0)) out[f.json] = sortedObject(s.map);
    } else if (f.pointer) {
      out[f.json] = s.one;
    } else if (!(f.omitempty && isEmptyScalar(f.type, s.one))) {
      out[f.json] = s.one;
    }
  }
  return out;
}

/** Go's omitempty only drops "", 0, false and empty []byte; structs are never dropped. */
function isEmptyScalar(t: TypeRef, v: JsonValue): boolean {
  if (t.kind !== "primitive") return false;
  switch (t.type) {
    case "string":
    case "bytes":
      return v === "";
    case "int32":
    case "int64":
    case "double":
      return v === 0;
    case "bool":
      return v === false;
    default:
      return false;
  }
}

function isBytes(t: TypeRef): boolean {
  return t.kind === "primitive" && t.type === "bytes";
}

function isPackable(t: TypeRef): boolean {
  return (
    t.kind === "primitive" &&
    (t.type === "int32" || t.type === "int64" || t.type === "bool" || t.type === "double")
  );
}

function wireOf(t: TypeRef): number {
  if (t.kind !== "primitive") return WIRE_BYTES;
  switch (t.type) {
    case "int32":
    case "int64":
    case "bool":
      return WIRE_VARINT;
    case "double":
      return WIRE_FIXED64;
    default:
      return WIRE_BYTES;
  }
}

function expectWire(got: number, want: number, path: string): void {
  if (got !== want) throw new WireError(`wrong wire type ${got} for field ${path || "<root>"}`);
}

/** One value of a non-list, non-map type. */
function readValue(t: TypeRef, r: Reader, wire: number, path: string): JsonValue {
  if (t.kind === "list" || t.kind === "map") throw new WireError(`nested collection at ${path}`);
  expectWire(wire, wireOf(t), path);
  if (t.kind === "message") return decodeMessage(def(t.name), r.bytes(), path);
  switch (t.type) {
    case "string":
      return r.string();
    case "int32":
      return r.int32();
    case "int64":
      return int64(r);
    case "bool":
      return r.bool();
    case "double":
      return r.double();
    case "bytes":
      return toBase64(r.bytes());
    default:
      return decodeSpecial(t.type, r.bytes(), path);
  }
}

/** The JSON of a Go zero value of this type (what an absent non-pointer field marshals to). */
function zeroValue(t: TypeRef, path: string): JsonValue {
  if (t.kind === "list" || t.kind === "map") return null;
  if (t.kind === "message") return decodeMessage(def(t.name), new Uint8Array(), path);
  switch (t.type) {
    case "string":
    case "bytes":
      return "";
    case "int32":
    case "int64":
    case "double":
      return 0;
    case "bool":
      return false;
    default:
      return decodeSpecial(t.type, new Uint8Array(), path);
  }
}

function readMapEntry(values: TypeRef, buf: Uint8Array, path: string): [string, JsonValue] {
  const r = pb.Reader.create(buf);
  let key = "";
  let value: JsonValue | undefined;
  while (r.pos < r.len) {
    const k = r.uint32();
    if (k >>> 3 === 1) {
      expectWire(k & 7, WIRE_BYTES, path);
      key = r.string();
    } else if (k >>> 3 === 2) {
      value = readValue(values, r, k & 7, path);
    } else {
      r.skipType(k & 7);
    }
  }
  return [key, value === undefined ? zeroValue(values, path) : value];
}

/** Go's encoding/json writes map keys sorted by their bytes. */
function sortedObject(m: Map<string, JsonValue>): JsonObject {
  const out: JsonObject = {};
  for (const k of [...m.keys()].sort(compareBytes)) out[k] = m.get(k) ?? null;
  return out;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Reads the fields of a small message as tag → raw reader callbacks. */
function eachField(
  buf: Uint8Array,
  path: string,
  on: (tag: number, r: Reader, wire: number) => boolean,
): void {
  const r = pb.Reader.create(buf);
  while (r.pos < r.len) {
    const k = r.uint32();
    if (k >>> 3 === 0) throw new WireError(`illegal field number 0 at ${path}`);
    if (!on(k >>> 3, r, k & 7)) r.skipType(k & 7);
  }
}

function decodeSpecial(t: PrimitiveType, buf: Uint8Array, path: string): JsonValue {
  switch (t) {
    case "time":
    case "microTime": {
      // Go's Time.Unmarshal treats an empty message as the zero time, which marshals as null.
      if (buf.length === 0) return null;
      let seconds = 0;
      let nanos = 0;
      eachField(buf, path, (tag, r, wire) => {
        if (tag === 1) {
          expectWire(wire, WIRE_VARINT, path);
          seconds = int64(r);
        } else if (tag === 2) {
          expectWire(wire, WIRE_VARINT, path);
          nanos = r.int32();
        } else return false;
        return true;
      });
      return t === "time" ? formatTime(seconds) : formatMicroTime(seconds, nanos);
    }
    case "quantity": {
      let s = "";
      eachField(buf, path, (tag, r, wire) => {
        if (tag !== 1) return false;
        expectWire(wire, WIRE_BYTES, path);
        s = r.string();
        return true;
      });
      // A zero Quantity marshals as "0".
      return s === "" ? "0" : s;
    }
    case "intOrString": {
      let type = 0;
      let intVal = 0;
      let strVal = "";
      eachField(buf, path, (tag, r, wire) => {
        if (tag === 1 || tag === 2) expectWire(wire, WIRE_VARINT, path);
        if (tag === 3) expectWire(wire, WIRE_BYTES, path);
        if (tag === 1) type = int64(r);
        else if (tag === 2) intVal = r.int32();
        else if (tag === 3) strVal = r.string();
        else return false;
        return true;
      });
      return type === 1 ? strVal : intVal;
    }
    case "duration": {
      let ns = 0n;
      eachField(buf, path, (tag, r, wire) => {
        if (tag !== 1) return false;
        expectWire(wire, WIRE_VARINT, path);
        ns = int64Big(r);
        return true;
      });
      return formatDuration(ns);
    }
    case "rawExtension":
    case "fieldsV1": {
      let raw: Uint8Array | undefined;
      eachField(buf, path, (tag, r, wire) => {
        if (tag !== 1) return false;
        expectWire(wire, WIRE_BYTES, path);
        raw = r.bytes();
        return true;
      });
      if (raw === undefined || raw.length === 0) return null;
      // Objects nested in protobuf (list items, watch events) carry their own envelope.
      if (t === "rawExtension" && hasMagic(raw)) return decodeKubeProtobuf(raw) as JsonObject;
      return JSON.parse(Buffer.from(raw).toString("utf8")) as JsonValue;
    }
    default:
      throw new WireError(`unexpected type ${t} at ${path}`);
  }
}

/** int64 as a JS number (exact up to 2^53, like JSON in practice). */
function int64(r: Reader): number {
  const l = r.int64();
  return typeof l === "number" ? l : l.high * 2 ** 32 + (l.low >>> 0);
}

function int64Big(r: Reader): bigint {
  const l = r.int64();
  return typeof l === "number" ? BigInt(l) : BigInt(l.high) * 2n ** 32n + BigInt(l.low >>> 0);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
