// Facts checked against kubernetes/api v0.33 generated.proto and types.go.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { kindSchema, servedKinds, typeDef, typeRegistry } from "./index.ts";
import type { FieldDef, TypeRef } from "./types.ts";

function field(type: string, json: string): FieldDef {
  const f = typeDef(type)?.fields.find((x) => x.json === json);
  assert.ok(f, `${type}.${json}`);
  return f;
}

function refs(t: TypeRef): string[] {
  if (t.kind === "message") return [t.name];
  if (t.kind === "list") return refs(t.items);
  if (t.kind === "map") return refs(t.values);
  return [];
}

describe("schema", () => {
  test("every referenced type is defined; tags and json names are unique per type", () => {
    for (const d of typeRegistry.values()) {
      const tags = d.fields.filter((f) => f.tag > 0).map((f) => f.tag);
      assert.equal(new Set(tags).size, tags.length, d.name);
      const names = d.fields.filter((f) => !f.inline).map((f) => f.json);
      assert.equal(new Set(names).size, names.length, d.name);
      for (const f of d.fields)
        for (const r of refs(f.type)) assert.ok(typeRegistry.has(r), `${d.name}.${f.json} → ${r}`);
    }
  });

  test("every served kind resolves, meta kinds in every group version", () => {
    for (const { apiVersion, kind, type } of servedKinds()) {
      assert.deepEqual(kindSchema(apiVersion, kind), { kind: "message", name: type });
      assert.ok(typeDef(type), type);
    }
    assert.equal(kindSchema("apps/v1", "DeleteOptions")?.kind, "message");
    assert.equal(kindSchema("v1", "Deployment"), undefined);
    assert.equal(kindSchema("v1", "toString"), undefined);
    assert.equal(kindSchema("nope/v1", "Pod"), undefined);
  });

  test("well-known facts", () => {
    assert.deepEqual(field("io.k8s.api.core.v1.ServiceSpec", "ports"), {
      json: "ports",
      tag: 1,
      type: { kind: "list", items: { kind: "message", name: "io.k8s.api.core.v1.ServicePort" } },
      omitempty: true,
      listType: "map",
      listMapKeys: ["port", "protocol"],
      patchStrategy: "merge",
      patchMergeKey: "port",
    });
    assert.equal(field("io.k8s.api.core.v1.PodSpec", "volumes").patchStrategy, "merge,retainKeys");
    assert.equal(field("io.k8s.api.core.v1.Container", "env").patchMergeKey, "name");
    assert.equal(field("io.k8s.api.core.v1.ServicePort", "targetPort").type.kind, "primitive");
    assert.equal(field("io.k8s.api.core.v1.ServicePort", "port").required, true);
    assert.equal(field("io.k8s.api.apps.v1.DeploymentSpec", "replicas").pointer, true);
    assert.deepEqual(field("io.k8s.api.core.v1.ServiceSpec", "type").enum, [
      "ClusterIP",
      "ExternalName",
      "LoadBalancer",
      "NodePort",
    ]);
    const inline = typeDef("io.k8s.api.core.v1.Volume")?.fields.find((f) => f.inline);
    assert.deepEqual(inline?.type, { kind: "message", name: "io.k8s.api.core.v1.VolumeSource" });
    assert.equal(inline?.tag, 2);
    assert.equal(typeDef("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")?.structType, "atomic");
  });
});
