// Expectations follow apimachinery's strategicpatch (patch.go, patch_test.go) with the Go struct tags
// of core/v1, apps/v1 and meta/v1 (patchStrategy, patchMergeKey) as the schema gives them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { kindSchema } from "../../schema/index.ts";
import { PatchError } from "./errors.ts";
import { patchSchemaFor } from "./schema-meta.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";

type Obj = Record<string, unknown>;
const svc = patchSchemaFor(kindSchema("v1", "Service"));
const pod = patchSchemaFor(kindSchema("v1", "Pod"));
const deploy = patchSchemaFor(kindSchema("apps/v1", "Deployment"));

const service = (): Obj => ({
  metadata: { name: "s", labels: { app: "web" }, finalizers: ["a", "b"] },
  spec: {
    selector: { app: "web", tier: "fe" },
    ports: [
      { name: "http", port: 80, targetPort: 8080 },
      { name: "https", port: 443, targetPort: 8443 },
    ],
    externalIPs: ["1.1.1.1", "2.2.2.2"],
    sessionAffinity: "None",
  },
});

const portsOf = (o: Obj) => ((o.spec as Obj).ports as Obj[]).map((p) => p.port);

const cases: Array<[string, Obj, (o: Obj) => void]> = [
  [
    "list of maps merges by merge key",
    { spec: { ports: [{ port: 443, targetPort: 9443 }] } },
    (o) => {
      ((o.spec as Obj).ports as Obj[])[1].targetPort = 9443;
    },
  ],
  [
    // mergeSortedSlice: items only in the patch come before the live ones.
    "a new list item goes first",
    { spec: { ports: [{ port: 8080, name: "alt" }] } },
    (o) => {
      ((o.spec as Obj).ports as Obj[]).unshift({ port: 8080, name: "alt" });
    },
  ],
  [
    "$patch: delete removes a list item by merge key",
    { spec: { ports: [{ port: 80, $patch: "delete" }] } },
    (o) => {
      ((o.spec as Obj).ports as Obj[]).shift();
    },
  ],
  [
    "$patch: replace on a list replaces it",
    { spec: { ports: [{ $patch: "replace" }, { port: 9090 }] } },
    (o) => {
      (o.spec as Obj).ports = [{ port: 9090 }];
    },
  ],
  [
    "$patch: replace on a map replaces it",
    { spec: { selector: { $patch: "replace", app: "api" } } },
    (o) => {
      (o.spec as Obj).selector = { app: "api" };
    },
  ],
  [
    // handleDirectiveInMergeMap answers an empty map, not an absent field.
    "$patch: delete on a map empties it",
    { spec: { selector: { $patch: "delete" } } },
    (o) => {
      (o.spec as Obj).selector = {};
    },
  ],
  [
    "null deletes a field",
    { spec: { sessionAffinity: null }, metadata: { labels: { app: null } } },
    (o) => {
      delete (o.spec as Obj).sessionAffinity;
      (o.metadata as Obj).labels = {};
    },
  ],
  [
    "maps merge",
    { spec: { selector: { tier: "be", zone: "a" } } },
    (o) => {
      (o.spec as Obj).selector = { app: "web", tier: "be", zone: "a" };
    },
  ],
  [
    "primitive list with patchStrategy merge is a union, new items first",
    { metadata: { finalizers: ["c", "a"] } },
    (o) => {
      (o.metadata as Obj).finalizers = ["c", "a", "b"];
    },
  ],
  [
    "$deleteFromPrimitiveList removes from a primitive list",
    { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } },
    (o) => {
      (o.metadata as Obj).finalizers = ["b"];
    },
  ],
  [
    "primitive list without a strategy is replaced",
    { spec: { externalIPs: ["3.3.3.3"] } },
    (o) => {
      (o.spec as Obj).externalIPs = ["3.3.3.3"];
    },
  ],
  [
    "$setElementOrder reorders without other changes",
    { spec: { "$setElementOrder/ports": [{ port: 443 }, { port: 80 }] } },
    (o) => {
      (o.spec as Obj).ports = [...((o.spec as Obj).ports as Obj[])].reverse();
    },
  ],
  [
    "$setElementOrder places a new item",
    {
      spec: {
        "$setElementOrder/ports": [{ port: 80 }, { port: 8080 }, { port: 443 }],
        ports: [{ port: 8080 }],
      },
    },
    (o) => {
      ((o.spec as Obj).ports as Obj[]).splice(1, 0, { port: 8080 });
    },
  ],
  [
    "$setElementOrder on a primitive list",
    { metadata: { "$setElementOrder/finalizers": ["b", "c", "a"], finalizers: ["c"] } },
    (o) => {
      (o.metadata as Obj).finalizers = ["b", "c", "a"];
    },
  ],
  [
    "directives and nulls inside a new field are dropped",
    {
      spec: {
        loadBalancerSourceRanges: ["10.0.0.0/8"],
        ipFamilies: null,
        topo: { a: null, b: { $patch: "delete" }, c: 1 },
      },
    },
    (o) => {
      Object.assign(o.spec as Obj, { loadBalancerSourceRanges: ["10.0.0.0/8"], topo: { c: 1 } });
    },
  ],
  ["null patch changes nothing", {}, () => {}],
];

for (const [name, patch, mutate] of cases)
  test(`strategic merge patch: ${name}`, () => {
    const want = service();
    mutate(want);
    const input = service();
    const p = structuredClone(patch);
    assert.deepEqual(applyStrategicMergePatch(input, p, svc), want);
    assert.deepEqual(input, service(), "original not modified");
    assert.deepEqual(p, patch, "patch not modified");
  });

test("strategic merge patch: nested merge keys (containers by name, env by name)", () => {
  const p = {
    spec: {
      containers: [
        {
          name: "a",
          image: "a:1",
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "2" },
          ],
        },
        { name: "b", image: "b:1" },
      ],
    },
  };
  const out = applyStrategicMergePatch(
    p,
    {
      spec: {
        containers: [
          {
            name: "a",
            env: [
              { name: "Y", value: "3" },
              { name: "X", $patch: "delete" },
            ],
          },
        ],
      },
    },
    pod,
  );
  assert.deepEqual(out, {
    spec: {
      containers: [
        { name: "a", image: "a:1", env: [{ name: "Y", value: "3" }] },
        { name: "b", image: "b:1" },
      ],
    },
  });
});

test("strategic merge patch: $retainKeys clears what it does not list (Deployment strategy)", () => {
  const d = { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } };
  const out = applyStrategicMergePatch(
    d,
    { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
    deploy,
  );
  assert.deepEqual(out, { spec: { strategy: { type: "Recreate" } } });
});

test("strategic merge patch: merge,retainKeys lists (pod volumes) merge by name and honour $retainKeys", () => {
  const p = {
    spec: {
      volumes: [
        { name: "v", emptyDir: {} },
        { name: "w", emptyDir: {} },
      ],
    },
  };
  const out = applyStrategicMergePatch(
    p,
    { spec: { volumes: [{ name: "v", $retainKeys: ["name", "hostPath"], hostPath: { path: "/x" } }] } },
    pod,
  );
  assert.deepEqual(out, {
    spec: {
      volumes: [
        { name: "v", hostPath: { path: "/x" } },
        { name: "w", emptyDir: {} },
      ],
    },
  });
});

test("strategic merge patch: a kind without a schema merges maps and replaces lists", () => {
  const out = applyStrategicMergePatch(
    { a: { b: 1, c: 2 }, l: [{ name: "x" }] },
    { a: { c: null, d: 3 }, l: [{ name: "y" }] },
    patchSchemaFor(undefined),
  );
  assert.deepEqual(out, { a: { b: 1, d: 3 }, l: [{ name: "y" }] });
});

const failures: Array<[string, unknown, "badRequest" | "invalid" | "internal", string]> = [
  [
    "retainKeys not a list",
    { spec: { strategy: { $retainKeys: "type" } } },
    "badRequest",
    "invalid patch format of retainKeys",
  ],
  [
    "patch field missing from $retainKeys",
    { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } },
    "badRequest",
    "invalid patch format of retainKeys",
  ],
  [
    "bad $setElementOrder key",
    { spec: { $setElementOrder: [] } },
    "badRequest",
    "invalid patch format of setElementOrder list",
  ],
  [
    "bad $deleteFromPrimitiveList key",
    { metadata: { $deleteFromPrimitiveList: ["a"] } },
    "badRequest",
    "invalid patch format of primitive list",
  ],
  [
    "mixed element types",
    { metadata: { finalizers: [["x"]] } },
    "internal",
    "list element types are not identical: [[a] [[x]]]",
  ],
  [
    "an element without the merge key",
    { spec: { template: { spec: { containers: [{ image: "x" }] } } } },
    "internal",
    "map: map[image:x] does not contain declared merge key: name",
  ],
  [
    "$patch: merge in a list",
    { spec: { template: { spec: { containers: [{ $patch: "merge" }] } } } },
    "internal",
    "merging lists cannot yet be specified in the patch",
  ],
  [
    "unknown $patch in a map",
    { spec: { selector: { $patch: "frob", a: "1" } } },
    "internal",
    "unknown patch type: frob in map: map[$patch:frob a:1]",
  ],
  [
    "a list is not a patch",
    [],
    "badRequest",
    "json: cannot unmarshal array into Go value of type map[string]interface {}",
  ],
];

const deployment = () => ({
  spec: {
    selector: { matchLabels: { app: "x" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
    template: { spec: { containers: [{ name: "c", image: "c:1" }] } },
  },
  metadata: { finalizers: ["a"] },
});

for (const [name, patch, kind, message] of failures)
  test(`strategic merge patch error: ${name}`, () => {
    assert.throws(
      () => applyStrategicMergePatch(deployment(), patch, deploy),
      (e: unknown) => e instanceof PatchError && e.kind === kind && e.message === message,
    );
  });

test("strategic merge patch error: lists of lists (422)", () => {
  assert.throws(
    () =>
      applyStrategicMergePatch(
        { metadata: { finalizers: [] } },
        { metadata: { finalizers: [["x"]] } },
        deploy,
      ),
    (e: unknown) =>
      e instanceof PatchError && e.kind === "invalid" && e.message === "lists of lists are not supported",
  );
});

test("strategic merge patch: a merge key given twice in one patch merges into one item", () => {
  const out = applyStrategicMergePatch(
    service(),
    {
      spec: {
        ports: [
          { port: 81, name: "a" },
          { port: 81, targetPort: 1 },
        ],
      },
    },
    svc,
  );
  assert.deepEqual(portsOf(out), [81, 80, 443]);
  assert.deepEqual(((out.spec as Obj).ports as Obj[])[0], { port: 81, name: "a", targetPort: 1 });
});
