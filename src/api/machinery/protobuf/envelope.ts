/**
 * The Kubernetes protobuf envelope: the 4 bytes `k8s\0`, then a runtime.Unknown message
 * {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}.
 */
import pb from "protobufjs/minimal.js";

export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

export interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

export function hasMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

/** Reads runtime.Unknown from the bytes after the magic. Throws on malformed wire data. */
export function readUnknown(bytes: Uint8Array): Unknown {
  const out: Unknown = {
    apiVersion: "",
    kind: "",
    raw: new Uint8Array(),
    contentEncoding: "",
    contentType: "",
  };
  const r = pb.Reader.create(bytes);
  while (r.pos < r.len) {
    const key = r.uint32();
    const field = key >>> 3;
    const wire = key & 7;
    if (field >= 1 && field <= 4 && wire !== 2) {
      throw new Error(`wrong wire type ${wire} for field ${field} of runtime.Unknown`);
    }
    if (field === 1) {
      const tm = pb.Reader.create(r.bytes());
      while (tm.pos < tm.len) {
        const k = tm.uint32();
        if (k === 0x0a) out.apiVersion = tm.string();
        else if (k === 0x12) out.kind = tm.string();
        else tm.skipType(k & 7);
      }
    } else if (field === 2) out.raw = r.bytes();
    else if (field === 3) out.contentEncoding = r.string();
    else if (field === 4) out.contentType = r.string();
    else r.skipType(wire);
  }
  return out;
}

/** Magic + runtime.Unknown, every field written the way Go's generated marshaller writes it. */
export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = pb.Writer.create();
  w.uint32(0x0a).fork().uint32(0x0a).string(apiVersion).uint32(0x12).string(kind).ldelim();
  w.uint32(0x12).bytes(raw);
  w.uint32(0x1a).string("");
  w.uint32(0x22).string("");
  const body = w.finish();
  const out = new Uint8Array(MAGIC.length + body.length);
  out.set(MAGIC, 0);
  out.set(body, MAGIC.length);
  return out;
}
