// Server-side apply as kube-apiserver does it (structured-merge-diff merge.Updater.Apply with kube's
// field manager: stripMeta, lastAppliedManager, skipNonAppliedManager, conflict.go messages).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../errors.ts";
import type { JsonObject, KubeObject } from "../types.ts";
import { serverSideApply } from "./apply.ts";
import { managedFieldsHooks } from "./hooks.ts";

const T0 = new Date("2024-05-01T10:00:00Z");
const T1 = new Date("2024-05-01T11:00:00Z");

function cm(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  const o: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "test-cm", namespace: "default" },
    data,
  };
  if (labels) o.metadata.labels = labels;
  return o;
}

/** What the store would hold after the write: the server fields the pipeline adds. */
function stored(o: KubeObject, rv = "1"): KubeObject {
  return {
    ...o,
    metadata: { ...o.metadata, uid: "u1", resourceVersion: rv, creationTimestamp: "2024-05-01T10:00:00Z" },
  };
}

function entries(o: KubeObject): JsonObject[] {
  return (o.metadata.managedFields ?? []) as JsonObject[];
}

function byManager(o: KubeObject, m: string): JsonObject | undefined {
  return entries(o).find((e) => e.manager === m);
}

function conflictOf(f: () => unknown): StatusError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail("expected a conflict");
}

describe("serverSideApply", () => {
  test("create: the config's fields belong to the applier (the kube docs' ConfigMap example)", () => {
    const out = serverSideApply(undefined, cm({ key: "some value" }, { "test-label": "test" }), {
      manager: "kubectl",
      force: false,
      now: T0,
    });
    assert.deepEqual(out.data, { key: "some value" });
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "v1",
        time: "2024-05-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:key": {} }, "f:metadata": { "f:labels": { "f:test-label": {} } } },
      },
    ]);
  });

  test("applying again without a field removes it; fields never applied stay", () => {
    const first = stored(
      serverSideApply(undefined, cm({ a: "1", b: "2" }, { x: "1" }), { manager: "m", force: false, now: T0 }),
    );
    first.metadata.annotations = { "set-by-someone": "else" };
    const second = serverSideApply(first, cm({ a: "1" }), { manager: "m", force: false, now: T1 });
    assert.deepEqual(second.data, { a: "1" });
    assert.equal(second.metadata.labels, undefined);
    // Server-set and foreign fields survive the prune.
    assert.equal(second.metadata.uid, "u1");
    assert.equal(second.metadata.name, "test-cm");
    assert.deepEqual(second.metadata.annotations, { "set-by-someone": "else" });
    assert.deepEqual(byManager(second, "m")?.fieldsV1, { "f:data": { "f:a": {} } });
    assert.equal(byManager(second, "m")?.time, "2024-05-01T11:00:00Z");
  });

  test("a field the applier stops applying stays when another manager also owns it", () => {
    const a = stored(
      serverSideApply(undefined, cm({ shared: "v", mine: "1" }), { manager: "alice", force: false, now: T0 }),
    );
    // bob applies the same value: no conflict, shared ownership.
    const b = stored(serverSideApply(a, cm({ shared: "v" }), { manager: "bob", force: false, now: T0 }), "2");
    assert.deepEqual(byManager(b, "bob")?.fieldsV1, { "f:data": { "f:shared": {} } });
    assert.deepEqual(byManager(b, "alice")?.fieldsV1, { "f:data": { "f:mine": {}, "f:shared": {} } });
    const c = serverSideApply(b, cm({ mine: "1" }), { manager: "alice", force: false, now: T1 });
    assert.deepEqual(c.data, { shared: "v", mine: "1" });
  });

  test("two appliers with different values conflict; force takes the field over", () => {
    const a = stored(
      serverSideApply(undefined, cm({ key: "a" }), { manager: "alice", force: false, now: T0 }),
    );
    const err = conflictOf(() =>
      serverSideApply(a, cm({ key: "b" }), { manager: "bob", force: false, now: T1 }),
    );
    assert.equal(err.code, 409);
    assert.equal(err.reason, "Conflict");
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .data.key');
    assert.deepEqual(err.details, {
      causes: [{ reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".data.key" }],
    });
    const forced = serverSideApply(a, cm({ key: "b" }), { manager: "bob", force: true, now: T1 });
    assert.deepEqual(forced.data, { key: "b" });
    assert.equal(byManager(forced, "alice"), undefined);
    assert.deepEqual(byManager(forced, "bob")?.fieldsV1, { "f:data": { "f:key": {} } });
  });

  test("conflict with an Update manager names its apiVersion; list-map keys print as [k=v]", () => {
    // kubectl create / client-side apply, then `kubectl apply --server-side` changing targetPort.
    const hooks = managedFieldsHooks(() => T0);
    const live: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "my-service", namespace: "default" },
      spec: {
        selector: { app: "MyApp" },
        ports: [{ protocol: "TCP", port: 80, targetPort: 9376 }],
        type: "ClusterIP",
      },
    };
    hooks.beforeCreate(live, { fieldManager: "kubectl-client-side-apply", operation: "Create" });
    const config: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "my-service" },
      spec: { selector: { app: "MyApp" }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const err = conflictOf(() =>
      serverSideApply(stored(live), config, { manager: "ssa", force: false, now: T1 }),
    );
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort',
    );
    const out = serverSideApply(stored(live), config, { manager: "ssa", force: true, now: T1 });
    assert.deepEqual(out.spec.ports, [{ protocol: "TCP", port: 80, targetPort: 8080 }]);
    assert.deepEqual(byManager(out, "ssa")?.fieldsV1, {
      "f:spec": {
        "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:targetPort": {} } },
        "f:selector": {},
      },
    });
  });

  test("several conflicts are grouped by manager", () => {
    let o = stored(
      serverSideApply(undefined, cm({ a: "1", b: "1" }), { manager: "alice", force: false, now: T0 }),
    );
    o = stored(serverSideApply(o, cm({ c: "1" }), { manager: "carol", force: false, now: T0 }), "2");
    const err = conflictOf(() =>
      serverSideApply(o, cm({ a: "2", b: "2", c: "2" }), { manager: "bob", force: false, now: T1 }),
    );
    assert.equal(
      err.message,
      'Apply failed with 3 conflicts: conflicts with "alice":\n- .data.a\n- .data.b\nconflicts with "carol":\n- .data.c',
    );
    assert.equal(err.details?.causes?.length, 3);
  });

  test("associative lists merge by key and keep live order; sets merge by value", () => {
    const dep = (containers: JsonObject[], finalizers: string[]): KubeObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", finalizers },
      spec: { template: { spec: { containers } } },
    });
    const live = stored(
      serverSideApply(
        undefined,
        dep(
          [
            { name: "a", image: "a:1" },
            { name: "b", image: "b:1" },
          ],
          ["x"],
        ),
        {
          manager: "one",
          force: false,
          now: T0,
        },
      ),
    );
    const out = serverSideApply(live, dep([{ name: "c", image: "c:1" }], ["y"]), {
      manager: "two",
      force: false,
      now: T1,
    });
    assert.deepEqual(
      out.spec.template.spec.containers.map((c: JsonObject) => c.name),
      ["a", "b", "c"],
    );
    assert.deepEqual(out.metadata.finalizers, ["x", "y"]);
    assert.deepEqual(byManager(out, "two")?.fieldsV1, {
      "f:metadata": { "f:finalizers": { 'v:"y"': {} } },
      "f:spec": {
        "f:template": {
          "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
      },
    });
    // "one" stops applying container b: pruned, a stays.
    const pruned = serverSideApply(stored(out), dep([{ name: "a", image: "a:1" }], ["x"]), {
      manager: "one",
      force: false,
      now: T1,
    });
    assert.deepEqual(
      pruned.spec.template.spec.containers.map((c: JsonObject) => c.name),
      ["a", "c"],
    );
  });

  test("an object without managedFields: its fields belong to before-first-apply", () => {
    const live = stored(cm({ key: "old" }));
    const err = conflictOf(() =>
      serverSideApply(live, cm({ key: "new" }), { manager: "m", force: false, now: T1 }),
    );
    assert.match(err.message, /conflict with "before-first-apply" using v1: \.data\.key$/);
  });

  test('manager "kubectl" takes over fields it set with client-side apply (last-applied annotation)', () => {
    const hooks = managedFieldsHooks(() => T0);
    const config = cm({ key: "v1" });
    const live = cm({ key: "v1" });
    live.metadata.annotations = {
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(config),
    };
    hooks.beforeCreate(live, { fieldManager: "kubectl-client-side-apply", operation: "Create" });
    const out = serverSideApply(stored(live), cm({ key: "v2" }), {
      manager: "kubectl",
      force: false,
      now: T1,
    });
    assert.deepEqual(out.data, { key: "v2" });
    // Any other manager name still conflicts.
    conflictOf(() =>
      serverSideApply(stored(live), cm({ key: "v2" }), { manager: "other", force: false, now: T1 }),
    );
  });

  test("bad configurations are 400s", () => {
    const withMF = cm({});
    withMF.metadata.managedFields = [];
    assert.throws(() => serverSideApply(undefined, withMF, { manager: "m", force: false, now: T0 }), {
      message: "metadata.managedFields must be nil",
    });
    const dup: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { ports: [{ port: 80 }, { port: 80, protocol: "TCP" }] },
    };
    assert.throws(
      () => serverSideApply(undefined, dup, { manager: "m", force: false, now: T0 }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && /duplicate entries/.test(e.message),
    );
    const noKey: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: { ports: [{ name: "x" }] },
    };
    assert.throws(
      () => serverSideApply(undefined, noKey, { manager: "m", force: false, now: T0 }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && /omits key field "port"/.test(e.message),
    );
    const live = stored(cm({}));
    assert.throws(
      () => serverSideApply(live, { ...cm({}), apiVersion: "v2" }, { manager: "m", force: false, now: T0 }),
      (e: unknown) => e instanceof StatusError && e.code === 400,
    );
  });
});
