// Shapes follow kube-apiserver's published documents (kube-openapi builder/builder3, handler3:
// serverRelativeURL with an uppercase SHA-512 hash, 301 on a stale hash, "public, immutable" with a
// hash) and client-go's checks (cli-runtime query_param_verifier*.go: a PATCH operation per GVK
// carrying a fieldValidation parameter). The protobuf is read back with a decoder written here from
// gnostic-models openapiv2/OpenAPIv2.proto field numbers.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { resources } from "../resources/registry.ts";
import { groupVersion } from "../resources/types.ts";
import { kindSchema } from "../schema/index.ts";
import { openapiHandler, v2Document, v3Documents, v3URL } from "./index.ts";

type J = Record<string, unknown>;
const o = (v: unknown): J => v as J;

function refsResolve(doc: J, defs: J, prefix: string): void {
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k === "$ref") {
          assert.ok(typeof x === "string" && x.startsWith(prefix), String(x));
          assert.ok(defs[(x as string).slice(prefix.length)], `unresolved ${x}`);
        } else walk(x);
      }
  };
  walk(doc);
}

describe("v3 documents", () => {
  const docs = v3Documents(resources);

  test("every served kind has a schema with its GVK and a PATCH with fieldValidation", () => {
    for (const d of resources) {
      const key = d.group ? `apis/${d.group}/${d.version}` : `api/${d.version}`;
      const doc = o(docs.get(key));
      const schemas = o(o(doc.components).schemas);
      const name = o(kindSchema(groupVersion(d), d.kind)).name as string;
      const gvks = o(schemas[name])["x-kubernetes-group-version-kind"] as J[];
      assert.deepEqual(gvks, [{ group: d.group, version: d.version, kind: d.kind }], name);
      const patch = Object.values(o(doc.paths))
        .map((p) => o(p).patch as J | undefined)
        .find(
          (op) => op && JSON.stringify(op["x-kubernetes-group-version-kind"]) === JSON.stringify(gvks[0]),
        );
      assert.ok(patch, `${d.plural}: patch op`);
      const names = (patch.parameters as J[]).map((p) => p.name);
      for (const p of ["fieldValidation", "dryRun", "fieldManager", "force"]) assert.ok(names.includes(p), p);
      refsResolve(doc, schemas, "#/components/schemas/");
    }
  });

  test("list and patch extensions, int-or-string and time formats", () => {
    const s = o(o(docs.get("api/v1")?.components).schemas);
    const spec = o(o(s["io.k8s.api.core.v1.ServiceSpec"]).properties);
    assert.deepEqual(
      { ...o(spec.ports), description: undefined, items: undefined },
      {
        type: "array",
        description: undefined,
        items: undefined,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["port", "protocol"],
        "x-kubernetes-patch-merge-key": "port",
        "x-kubernetes-patch-strategy": "merge",
      },
    );
    assert.deepEqual(o(spec.type).enum, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]);
    assert.deepEqual(o(s["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]), {
      type: "string",
      format: "int-or-string",
      description: o(s["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).description,
    });
    assert.equal(o(s["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]).format, "date-time");
    assert.deepEqual(o(s["io.k8s.api.core.v1.ServicePort"]).required, ["port"]);
    assert.equal(
      o(s["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"])["x-kubernetes-map-type"],
      "atomic",
    );
  });
});

describe("handler", () => {
  test("root hashes, immutable caching with the hash, 301 on a stale hash", () => {
    const root = openapiHandler("/openapi/v3", "application/json", resources);
    assert.equal(root?.status, 200);
    const paths = o(JSON.parse(String(root?.body)).paths);
    const url = o(paths["apis/apps/v1"]).serverRelativeURL as string;
    assert.equal(url, v3URL(resources, { group: "apps", version: "v1" }));
    const got = openapiHandler(url, "application/json", resources);
    assert.equal(got?.status, 200);
    const hash = createHash("sha512")
      .update(got?.body as Buffer)
      .digest("hex")
      .toUpperCase();
    assert.equal(url, `/openapi/v3/apis/apps/v1?hash=${hash}`);
    assert.equal(got?.headers?.["Cache-Control"], "public, immutable");
    assert.equal(got?.headers?.ETag, `"${hash}"`);
    assert.equal(openapiHandler(url, "application/json", resources, `"${hash}"`)?.status, 304);
    const stale = openapiHandler("/openapi/v3/apis/apps/v1?hash=0AB", "application/json", resources);
    assert.equal(stale?.status, 301);
    assert.equal(stale?.headers?.Location, url);
    assert.equal(openapiHandler("/openapi/v3/apis/nope/v1", "", resources)?.status, 404);
    assert.equal(openapiHandler("/api/v1", "", resources), undefined);
  });

  test("v2 protobuf decodes to the JSON document's paths, definitions and extensions", () => {
    const r = openapiHandler(
      "/openapi/v2",
      "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
      resources,
    );
    assert.equal(r?.contentType, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    const doc = decode(r?.body as Buffer);
    const json = v2Document(resources);
    assert.equal(str(doc, 1), "2.0");
    // Document.paths(8).path(2) → NamedPathItem{1 name, 2 PathItem}.
    const named = msgs(msgs(doc, 8)[0], 2);
    assert.deepEqual(
      named.map((n) => str(n, 1)),
      Object.keys(o(json.paths)),
    );
    const svc = named.find((n) => str(n, 1) === "/api/v1/namespaces/{namespace}/services/{name}");
    assert.ok(svc);
    const patch = msgs(msgs(svc, 2)[0], 8)[0]; // PathItem.patch = 8
    assert.equal(str(patch, 5), "patchCoreV1NamespacedService");
    // Operation.vendor_extension(13) NamedAny{1 name, 2 Any{2 yaml}}.
    const ext = msgs(patch, 13).map((e) => [str(e, 1), str(msgs(e, 2)[0], 2)]);
    assert.deepEqual(
      Object.fromEntries(ext)["x-kubernetes-group-version-kind"],
      '{"group":"","version":"v1","kind":"Service"}',
    );
    // ParametersItem(8).parameter(1).non_body(2).query(3).name(4).
    const qnames = msgs(patch, 8).flatMap((p) =>
      msgs(msgs(msgs(p, 1)[0] ?? new Map(), 2)[0] ?? new Map(), 3).map((q) => str(q, 4)),
    );
    assert.ok(qnames.includes("fieldValidation"));
    // definitions(9).additional_properties(1) NamedSchema → Schema.description(4).
    const defs = msgs(msgs(doc, 9)[0], 1);
    assert.equal(defs.length, Object.keys(o(json.definitions)).length);
    const spec = defs.find((d) => str(d, 1) === "io.k8s.api.core.v1.ServiceSpec");
    assert.match(str(msgs(spec ?? new Map(), 2)[0], 4) ?? "", /desired behaviour of a Service/);
  });
});

// A protobuf reader for the test: field number → raw values (varints as numbers, bytes as Buffers).
type Msg = Map<number, Array<number | Buffer>>;
function decode(b: Buffer): Msg {
  const out: Msg = new Map();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const c = b[i++];
      n += (c & 0x7f) * mul;
      if (c < 0x80) return n;
      mul *= 128;
    }
  };
  while (i < b.length) {
    const key = varint();
    const no = key >>> 3;
    const wire = key & 7;
    let v: number | Buffer;
    if (wire === 0) v = varint();
    else if (wire === 2) {
      const len = varint();
      v = b.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      v = b.subarray(i, i + 8);
      i += 8;
    } else throw new Error(`wire type ${wire}`);
    out.set(no, [...(out.get(no) ?? []), v]);
  }
  return out;
}
const msgs = (m: Msg, no: number): Msg[] => (m.get(no) ?? []).map((v) => decode(v as Buffer));
const str = (m: Msg, no: number): string | undefined =>
  (m.get(no)?.[0] as Buffer | undefined)?.toString("utf8");
