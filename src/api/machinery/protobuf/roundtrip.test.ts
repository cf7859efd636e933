// Every served kind survives JSON → protobuf → JSON: each value set in the sample comes back
// unchanged (nothing is lost), and the canonical (Go-shaped) JSON is a fixed point.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { servedKinds } from "../../schema/index.ts";
import type { JsonValue, KubeObject } from "../types.ts";
import { isObject } from "../types.ts";
import { decodeKubeProtobuf } from "./decode.ts";
import { encodeKubeProtobuf } from "./encode.ts";
import { samples } from "./fixtures/samples.ts";

/** Every leaf of `want` is present with the same value in `got`. */
function assertSubset(want: JsonValue, got: JsonValue | undefined, path: string): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: expected a list`);
    assert.equal(got.length, want.length, `${path}: length`);
    for (const [i, w] of want.entries()) assertSubset(w, got[i], `${path}[${i}]`);
  } else if (isObject(want)) {
    assert.ok(isObject(got), `${path}: expected an object, got ${JSON.stringify(got)}`);
    for (const [k, w] of Object.entries(want)) assertSubset(w ?? null, got[k], `${path}.${k}`);
  } else {
    assert.deepEqual(got, want, path);
  }
}

function roundTrip(obj: KubeObject): void {
  const bytes = encodeKubeProtobuf(obj);
  const canonical = decodeKubeProtobuf(bytes);
  assertSubset(obj as JsonValue, canonical as JsonValue, obj.kind ?? "");
  assert.deepEqual(decodeKubeProtobuf(encodeKubeProtobuf(canonical)), canonical);
  assert.deepEqual(encodeKubeProtobuf(canonical), bytes);
}

describe("protobuf round trip", () => {
  for (const obj of samples) {
    test(`${obj.apiVersion} ${obj.kind} with most fields set`, () => roundTrip(obj));
  }

  test("every served kind round-trips, with and without items", () => {
    for (const { apiVersion, kind } of servedKinds()) {
      if (kind === "Status" || kind === "WatchEvent" || kind === "DeleteOptions") continue;
      const obj: KubeObject = { apiVersion, kind, metadata: { name: "n", labels: { a: "b" } } };
      if (kind.endsWith("List")) {
        obj.metadata = { resourceVersion: "7" };
        obj.items = [{ metadata: { name: "item" } }];
      }
      roundTrip(obj);
    }
  });

  test("a list without items decodes to items: null, as Go marshals a nil slice", () => {
    const list = decodeKubeProtobuf(
      encodeKubeProtobuf({ apiVersion: "v1", kind: "PodList", metadata: {}, items: [] }),
    );
    assert.deepEqual(list, { apiVersion: "v1", kind: "PodList", metadata: {}, items: null });
  });

  test("a List carries served objects as nested protobuf and others as JSON", () => {
    const list: KubeObject = {
      apiVersion: "v1",
      kind: "List",
      metadata: {},
      items: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "c", creationTimestamp: null },
          data: { a: "b" },
        },
        { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 3 } },
      ],
    };
    roundTrip(list);
  });
});
