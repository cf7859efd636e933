/**
 * JSON → protobuf, driven by src/api/schema, writing the bytes Go's generated (gogo) marshallers
 * write: fields in ascending tag order, non-pointer scalars and structs always written (even
 * when zero), pointers/lists/maps/[]byte only when set, repeated scalars unpacked, map entries
 * sorted by key with both key and value written.
 */
import pb from "protobufjs/minimal.js";
import { kindSchema, typeDef } from "../../schema/index.ts";
import type { FieldDef, PrimitiveType, TypeDef, TypeRef } from "../../schema/types.ts";
import { isObject, type JsonObject, type JsonValue, type KubeObject } from "../types.ts";
import { writeEnvelope } from "./envelope.ts";
import { fromBase64, parseDuration, parseRFC3339 } from "./values.ts";

type Writer = pb.Writer;

/** Encodes an object of a served kind as `k8s\0` + runtime.Unknown. Throws on a kind without schema. */
export function encodeKubeProtobuf(obj: KubeObject): Uint8Array {
  const apiVersion = obj.apiVersion ?? "";
  const kind = obj.kind ?? "";
  const ref = kindSchema(apiVersion, kind);
  if (ref?.kind !== "message") throw new Error(`no protobuf schema for ${kind} in ${apiVersion}`);
  const w = pb.Writer.create();
  writeMessage(w, def(ref.name), obj as JsonObject, "");
  return writeEnvelope(apiVersion, kind, w.finish());
}

function def(name: string): TypeDef {
  const d = typeDef(name);
  if (!d) throw new Error(`schema has no type ${name}`);
  return d;
}

const ordered = new WeakMap<TypeDef, FieldDef[]>();

function fieldsInTagOrder(d: TypeDef): FieldDef[] {
  let fs = ordered.get(d);
  if (!fs) {
    fs = d.fields.filter((f) => f.tag > 0).sort((a, b) => a.tag - b.tag);
    ordered.set(d, fs);
  }
  return fs;
}

function writeMessage(w: Writer, d: TypeDef, obj: JsonObject, path: string): void {
  for (const f of fieldsInTagOrder(d)) {
    const t = f.type;
    if (f.inline) {
      // An embedded struct reads its fields from the parent's JSON object.
      if (t.kind !== "message") throw new Error(`inline field of ${d.name} is not a struct`);
      w.uint32((f.tag << 3) | 2).fork();
      writeMessage(w, def(t.name), obj, path);
      w.ldelim();
      continue;
    }
    const p = path ? `${path}.${f.json}` : f.json;
    const v = obj[f.json];
    if (t.kind === "list") {
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v)) throw new Error(`${p}: expected a list`);
      for (const [i, item] of v.entries()) writeValue(w, f.tag, t.items, item, `${p}[${i}]`);
    } else if (t.kind === "map") {
      if (v === undefined || v === null) continue;
      if (!isObject(v)) throw new Error(`${p}: expected an object`);
      for (const k of Object.keys(v).sort(compareBytes)) {
        const val = v[k];
        if (val === undefined) continue;
        w.uint32((f.tag << 3) | 2).fork();
        w.uint32(0x0a).string(k);
        writeValue(w, 2, t.values, val, `${p}[${k}]`);
        w.ldelim();
      }
    } else {
      if ((f.pointer || isBytes(t)) && (v === undefined || v === null)) continue;
      writeValue(w, f.tag, t, v, p);
    }
  }
}

function isBytes(t: TypeRef): boolean {
  return t.kind === "primitive" && t.type === "bytes";
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** One tagged value; undefined/null stand for the Go zero value. */
function writeValue(w: Writer, tag: number, t: TypeRef, v: JsonValue | undefined, path: string): void {
  if (t.kind === "list" || t.kind === "map")
    throw new Error(`${path}: nested collections are not in the API`);
  if (t.kind === "message") {
    if (v !== undefined && v !== null && !isObject(v)) throw new Error(`${path}: expected an object`);
    w.uint32((tag << 3) | 2).fork();
    writeMessage(w, def(t.name), v ?? {}, path);
    w.ldelim();
    return;
  }
  switch (t.type) {
    case "string":
      w.uint32((tag << 3) | 2).string(str(v, path));
      return;
    case "int32":
      w.uint32(tag << 3).int32(num(v, path));
      return;
    case "int64":
      w.uint32(tag << 3).int64(num(v, path));
      return;
    case "bool":
      if (v !== undefined && v !== null && typeof v !== "boolean")
        throw new Error(`${path}: expected a boolean`);
      w.uint32(tag << 3).bool(v === true);
      return;
    case "double":
      w.uint32((tag << 3) | 1).double(num(v, path));
      return;
    case "bytes":
      w.uint32((tag << 3) | 2).bytes(fromBase64(str(v, path)));
      return;
    default:
      w.uint32((tag << 3) | 2).fork();
      writeSpecial(w, t.type, v, path);
      w.ldelim();
  }
}

function str(v: JsonValue | undefined, path: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new Error(`${path}: expected a string`);
  return v;
}

function num(v: JsonValue | undefined, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${path}: expected a number`);
  return v;
}

function writeSpecial(w: Writer, t: PrimitiveType, v: JsonValue | undefined, path: string): void {
  switch (t) {
    case "time":
    case "microTime": {
      // A zero time writes an empty message.
      if (v === undefined || v === null) return;
      const ts = parseRFC3339(str(v, path));
      const nanos = t === "time" ? 0 : Math.floor(ts.nanos / 1000) * 1000;
      w.uint32(0x08).int64(ts.seconds).uint32(0x10).int32(nanos);
      return;
    }
    case "quantity":
      w.uint32(0x0a).string(
        v === undefined || v === null ? "0" : typeof v === "number" ? String(v) : str(v, path),
      );
      return;
    case "intOrString":
      if (typeof v === "string") w.uint32(0x08).int64(1).uint32(0x10).int32(0).uint32(0x1a).string(v);
      else w.uint32(0x08).int64(0).uint32(0x10).int32(num(v, path)).uint32(0x1a).string("");
      return;
    case "duration":
      w.uint32(0x08).int64(parseDuration(v === undefined || v === null ? "0s" : str(v, path)).toString());
      return;
    case "rawExtension":
    case "fieldsV1": {
      if (v === undefined || v === null) return;
      w.uint32(0x0a).bytes(rawBytes(t, v));
      return;
    }
    default:
      throw new Error(`${path}: unexpected type ${t}`);
  }
}

/** Served objects inside a RawExtension are nested protobuf (as kube writes list items); others JSON. */
function rawBytes(t: PrimitiveType, v: JsonValue): Uint8Array {
  if (t === "rawExtension" && isObject(v) && typeof v.apiVersion === "string" && typeof v.kind === "string") {
    if (kindSchema(v.apiVersion, v.kind)) return encodeKubeProtobuf(v as KubeObject);
  }
  return new Uint8Array(Buffer.from(JSON.stringify(v)));
}
