// Byte vectors written by hand from the protobuf wire rules (key = field<<3 | wireType) and the
// field numbers in Kubernetes' generated.proto, so these tests do not depend on our encoder.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../errors.ts";
import { decodeKubeProtobuf } from "./decode.ts";

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const ascii = (s: string) => [...Buffer.from(s)];
/** A base-128 varint. */
const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
/** A length-delimited field (wire type 2). */
const ld = (field: number, bytes: number[]) => [
  ...varint((field << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];

function envelope(apiVersion: string, kind: string, raw: number[], extra: number[] = []): Uint8Array {
  const typeMeta = [...ld(1, ascii(apiVersion)), ...ld(2, ascii(kind))];
  return Uint8Array.from([...MAGIC, ...ld(1, typeMeta), ...ld(2, raw), ...extra]);
}

function badRequest(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, "BadRequest");
    assert.match(e.message, message);
    return true;
  });
}

describe("decodeKubeProtobuf: envelope", () => {
  test("a Namespace with only a name gets Go's zero-value JSON", () => {
    // Namespace{1 metadata{1 name "x"}}; contentEncoding/contentType written empty as Go does.
    const body = envelope("v1", "Namespace", ld(1, ld(1, ascii("x"))), [0x1a, 0x00, 0x22, 0x00]);
    assert.deepEqual(decodeKubeProtobuf(body), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "x", creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  test("unknown field numbers are skipped at every level", () => {
    // Unknown field 99 (varint) in ObjectMeta and field 100 (bytes) in Namespace; field 9 in Unknown.
    const meta = [...ld(1, ascii("x")), 0x98, 0x06, 0x01];
    const raw = [...ld(1, meta), 0xa2, 0x06, 0x02, 0x61, 0x62];
    const body = envelope("v1", "Namespace", raw, [0x48, 0x07]);
    assert.deepEqual(decodeKubeProtobuf(body).metadata, { name: "x", creationTimestamp: null });
  });

  test("repeated scalars are accepted unpacked (gogo proto2) and packed", () => {
    // Pod{2 spec{14 securityContext{4 supplementalGroups: 1, 2}}}
    const unpacked = envelope("v1", "Pod", ld(2, ld(14, [0x20, 0x01, 0x20, 0x02])));
    const packed = envelope("v1", "Pod", ld(2, ld(14, ld(4, [0x01, 0x02]))));
    const want = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { creationTimestamp: null },
      // containers has no omitempty in types.go: a nil slice marshals as null.
      spec: { containers: null, securityContext: { supplementalGroups: [1, 2] } },
      status: {},
    };
    assert.deepEqual(decodeKubeProtobuf(unpacked), want);
    assert.deepEqual(decodeKubeProtobuf(packed), want);
  });

  test("map entries (key=1, value=2) come out sorted; a missing value is the zero value", () => {
    // ConfigMap{1 metadata{}, 2 data{"b": "2"}, 2 data{"a": "1"}, 2 data{"c"}}
    const raw = [
      ...ld(1, []),
      ...ld(2, [...ld(1, ascii("b")), ...ld(2, ascii("2"))]),
      ...ld(2, [...ld(1, ascii("a")), ...ld(2, ascii("1"))]),
      ...ld(2, ld(1, ascii("c"))),
    ];
    const cm = decodeKubeProtobuf(envelope("v1", "ConfigMap", raw));
    assert.deepEqual(Object.keys(cm.data), ["a", "b", "c"]);
    assert.deepEqual(cm.data, { a: "1", b: "2", c: "" });
  });

  test("IntOrString {1 type, 2 intVal, 3 strVal}, Quantity {1 string}, Time {1 seconds, 2 nanos}", () => {
    // Service{2 spec{1 ports[{3 port 80, 4 targetPort{type 1, strVal "http"}}]}}
    const port = [0x18, 0x50, ...ld(4, [0x08, 0x01, 0x10, 0x00, ...ld(3, ascii("http"))])];
    const svc = decodeKubeProtobuf(envelope("v1", "Service", ld(2, ld(1, port))));
    assert.deepEqual(svc.spec.ports, [{ port: 80, targetPort: "http" }]);
    // ObjectMeta.creationTimestamp (8) = 1704164645 s (2024-01-02T03:04:05Z) + 5 ns, dropped like Go.
    const secs = [0xa5, 0xfa, 0xcd, 0xac, 0x06];
    const ns = decodeKubeProtobuf(envelope("v1", "Namespace", ld(1, ld(8, [0x08, ...secs, 0x10, 0x05]))));
    assert.equal(ns.metadata.creationTimestamp, "2024-01-02T03:04:05Z");
    // Node{3 status{1 capacity{"cpu": Quantity{1 "500m"}}}}
    const entry = [...ld(1, ascii("cpu")), ...ld(2, ld(1, ascii("500m")))];
    const node = decodeKubeProtobuf(envelope("v1", "Node", ld(3, ld(1, entry))));
    assert.deepEqual(node.status.capacity, { cpu: "500m" });
  });

  test("MicroTime keeps microseconds; Secret data is base64", () => {
    // Event{10 eventTime{1 seconds, 2 nanos 123456789}}: 123456789 = 0x75bcd15
    const secs = [0xa5, 0xfa, 0xcd, 0xac, 0x06];
    const nanos = [0x95, 0x9a, 0xef, 0x3a];
    const ev = decodeKubeProtobuf(envelope("v1", "Event", ld(10, [0x08, ...secs, 0x10, ...nanos])));
    assert.equal(ev.eventTime, "2024-01-02T03:04:05.123456Z");
    // Secret{2 data{"k": bytes "v"}}
    const s = decodeKubeProtobuf(
      envelope("v1", "Secret", ld(2, [...ld(1, ascii("k")), ...ld(2, ascii("v"))])),
    );
    assert.deepEqual(s.data, { k: "dg==" });
  });

  test("wrong magic, truncation, unknown kind and bad wire types are 400 BadRequest", () => {
    const good = envelope("v1", "Namespace", ld(1, ld(1, ascii("x"))));
    badRequest(
      () => decodeKubeProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0x01, ...good.subarray(4)])),
      /magic/,
    );
    badRequest(() => decodeKubeProtobuf(Uint8Array.from([0x6b, 0x38])), /magic/);
    badRequest(() => decodeKubeProtobuf(good.subarray(0, good.length - 2)), /envelope/);
    // An envelope whose raw object is cut inside ObjectMeta.name (length 5, one byte present).
    badRequest(
      () => decodeKubeProtobuf(envelope("v1", "Namespace", [0x0a, 0x07, 0x0a, 0x05, 0x78])),
      /Namespace/,
    );
    badRequest(
      () => decodeKubeProtobuf(envelope("v1", "Widget", [])),
      /no kind "Widget" is registered for version "v1"/,
    );
    badRequest(() => decodeKubeProtobuf(envelope("apps/v1", "Namespace", [])), /no kind "Namespace"/);
    badRequest(() => decodeKubeProtobuf(Uint8Array.from([...MAGIC, ...ld(2, [])])), /Kind/);
    // ObjectMeta.name (1) sent as a varint.
    badRequest(() => decodeKubeProtobuf(envelope("v1", "Namespace", ld(1, [0x08, 0x01]))), /wrong wire type/);
  });

  test("list items in RawExtension may be nested protobuf objects", () => {
    const inner = [...envelope("v1", "ConfigMap", ld(1, ld(1, ascii("c"))))];
    const list = decodeKubeProtobuf(envelope("v1", "List", [...ld(1, []), ...ld(2, ld(1, inner))]));
    assert.deepEqual(list.items, [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", creationTimestamp: null } },
    ]);
    assert.deepEqual(list.metadata, {});
  });
});
