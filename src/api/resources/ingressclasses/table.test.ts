import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printIngressClass: PARAMETERS is Kind[.apiGroup]/name.
test("ingressclass table", () => {
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ["Name", "Controller", "Parameters", "Age"],
  );
  const now = new Date("2024-05-01T12:00:00Z");
  const ic = {
    metadata: { name: "skiff", creationTimestamp: "2024-05-01T11:00:00Z" },
    spec: {
      controller: "skiff.dev/ingress",
      parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external" },
    },
  };
  assert.deepEqual(table.cells(ic, now), [
    "skiff",
    "skiff.dev/ingress",
    "IngressParameters.k8s.example.com/external",
    "60m",
  ]);
  const core = { ...ic, spec: { controller: "x/y", parameters: { kind: "ConfigMap", name: "cfg" } } };
  assert.equal(table.cells(core, now)[2], "ConfigMap/cfg");
  const none = { ...ic, spec: { controller: "x/y" } };
  assert.equal(table.cells(none, now)[2], "<none>");
});
