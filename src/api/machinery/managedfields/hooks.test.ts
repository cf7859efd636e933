// managedFields upkeep on ordinary writes, as kube-apiserver's FieldManager.UpdateNoErrors does it
// (k8s.io/apimachinery/pkg/util/managedfields: decodeLiveOrNew, managedFieldsUpdater, stripMeta).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JsonObject, KubeObject } from "../types.ts";
import { managedFieldsHooks } from "./hooks.ts";

const T0 = new Date("2024-05-01T10:00:00.000Z");
const T1 = new Date("2024-05-01T11:00:00.000Z");

function hooksAt(...times: Date[]) {
  let i = 0;
  return managedFieldsHooks(() => times[Math.min(i++, times.length - 1)]);
}

/** A Service as the create pipeline hands it to the hooks: defaulted, before IP allocation. */
function service(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "my-service",
      namespace: "default",
      uid: "u1",
      creationTimestamp: "2024-05-01T10:00:00Z",
    },
    spec: {
      selector: { app: "MyApp" },
      ports: [{ protocol: "TCP", port: 80, targetPort: 9376 }],
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
    },
  };
}

function entries(o: KubeObject): JsonObject[] {
  return (o.metadata.managedFields ?? []) as JsonObject[];
}

describe("managedFieldsHooks", () => {
  test("create records the writer's fields as an Update entry (kube's kubectl-create entry for a Service)", () => {
    const svc = service();
    hooksAt(T0).beforeCreate(svc, { fieldManager: "kubectl-create", operation: "Create" });
    // Captured from kube-apiserver 1.30 after `kubectl create -f service.yaml`.
    assert.deepEqual(svc.metadata.managedFields, [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "v1",
        time: "2024-05-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:internalTrafficPolicy": {},
            "f:ports": {
              ".": {},
              'k:{"port":80,"protocol":"TCP"}': {
                ".": {},
                "f:port": {},
                "f:protocol": {},
                "f:targetPort": {},
              },
            },
            "f:selector": {},
            "f:sessionAffinity": {},
            "f:type": {},
          },
        },
      },
    ]);
  });

  test("create of a Deployment: zero-valued parents are not members (kube's kubectl-create entry)", () => {
    const d: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nginx", namespace: "default", labels: { app: "nginx" }, generation: 1 },
      spec: {
        replicas: 1,
        progressDeadlineSeconds: 600,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app: "nginx" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        template: {
          metadata: { labels: { app: "nginx" } },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "nginx",
                imagePullPolicy: "Always",
                resources: {},
                terminationMessagePath: "/dev/termination-log",
                terminationMessagePolicy: "File",
              },
            ],
            dnsPolicy: "ClusterFirst",
            restartPolicy: "Always",
            schedulerName: "default-scheduler",
            securityContext: {},
            terminationGracePeriodSeconds: 30,
          },
        },
      },
      status: {},
    };
    hooksAt(T0).beforeCreate(d, { fieldManager: "kubectl-create", operation: "Create" });
    // Captured from `kubectl create deployment nginx --image=nginx` on kube 1.29; status is not owned.
    assert.deepEqual(entries(d)[0].fieldsV1, {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:progressDeadlineSeconds": {},
        "f:replicas": {},
        "f:revisionHistoryLimit": {},
        "f:selector": {},
        "f:strategy": {
          "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} },
          "f:type": {},
        },
        "f:template": {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:image": {},
                "f:imagePullPolicy": {},
                "f:name": {},
                "f:resources": {},
                "f:terminationMessagePath": {},
                "f:terminationMessagePolicy": {},
              },
            },
            "f:dnsPolicy": {},
            "f:restartPolicy": {},
            "f:schedulerName": {},
            "f:securityContext": {},
            "f:terminationGracePeriodSeconds": {},
          },
        },
      },
    });
  });

  test("an update moves the changed fields to its manager; an unchanged write keeps everything", () => {
    const h = hooksAt(T0, T1, T1);
    const old = service();
    h.beforeCreate(old, { fieldManager: "kubectl-create", operation: "Create" });
    const edited = structuredClone(old);
    edited.spec.ports[0].targetPort = 8080;
    edited.metadata.labels = { tier: "web" };
    h.beforeUpdate(edited, old, { fieldManager: "kubectl-edit", operation: "Update" });
    const [create, edit] = entries(edited);
    assert.equal(create.manager, "kubectl-create");
    assert.equal(create.time, "2024-05-01T10:00:00Z");
    assert.deepEqual((create.fieldsV1 as JsonObject)["f:spec"], {
      "f:internalTrafficPolicy": {},
      "f:ports": { ".": {}, 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:protocol": {} } },
      "f:selector": {},
      "f:sessionAffinity": {},
      "f:type": {},
    });
    assert.deepEqual(edit, {
      manager: "kubectl-edit",
      operation: "Update",
      apiVersion: "v1",
      time: "2024-05-01T11:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { ".": {}, "f:tier": {} } },
        "f:spec": { "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { "f:targetPort": {} } } },
      },
    });
    // Nothing changed: managedFields (and so the object) stay as they were.
    const again = structuredClone(edited);
    h.beforeUpdate(again, edited, { fieldManager: "kubectl-replace", operation: "Update" });
    assert.deepEqual(again.metadata.managedFields, edited.metadata.managedFields);
  });

  test("removing a field removes it from its owner; an entry left empty is dropped", () => {
    const h = hooksAt(T0, T1);
    const old = service();
    old.metadata.labels = { a: "1" };
    h.beforeCreate(old, { fieldManager: "kubectl-create", operation: "Create" });
    const lab = structuredClone(old);
    lab.metadata.labels = { a: "1", b: "2" };
    h.beforeUpdate(lab, old, { fieldManager: "kubectl-label", operation: "Update" });
    assert.equal(entries(lab).length, 2);
    const unlab = structuredClone(lab);
    unlab.metadata.labels = { a: "1" };
    h.beforeUpdate(unlab, lab, { fieldManager: "kubectl-label", operation: "Update" });
    assert.deepEqual(
      entries(unlab).map((e) => e.manager),
      ["kubectl-create"],
    );
  });

  test("managedFields sent by the writer: absent keeps, [] and [{}] reset, a valid list is honoured", () => {
    const h = hooksAt(T0, T1);
    const old = service();
    h.beforeCreate(old, { fieldManager: "kubectl-create", operation: "Create" });
    const keep = structuredClone(old);
    delete keep.metadata.managedFields;
    h.beforeUpdate(keep, old, { fieldManager: "x", operation: "Update" });
    assert.deepEqual(keep.metadata.managedFields, old.metadata.managedFields);
    for (const reset of [[], [{}]]) {
      const cleared = structuredClone(old);
      cleared.metadata.managedFields = reset;
      h.beforeUpdate(cleared, old, { fieldManager: "x", operation: "Update" });
      assert.equal(cleared.metadata.managedFields, undefined);
    }
    const own = structuredClone(old);
    own.metadata.managedFields = [
      {
        manager: "mine",
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:type": {} } },
      },
    ];
    h.beforeUpdate(own, old, { fieldManager: "x", operation: "Update" });
    assert.deepEqual(entries(own), [
      {
        manager: "mine",
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:type": {} } },
      },
    ]);
    // Undecodable entries fall back to the stored ones.
    const bad = structuredClone(old);
    bad.metadata.managedFields = [{ manager: "m", operation: "Bogus", fieldsType: "FieldsV1" }];
    h.beforeUpdate(bad, old, { fieldManager: "x", operation: "Update" });
    assert.deepEqual(bad.metadata.managedFields, old.metadata.managedFields);
  });

  test("status writes get a subresource entry, own status only, and ignore sent managedFields", () => {
    const h = hooksAt(T0, T1);
    const old = service();
    h.beforeCreate(old, { fieldManager: "kubectl-create", operation: "Create" });
    const st = structuredClone(old);
    st.status = { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } };
    st.metadata.managedFields = [];
    h.beforeUpdate(st, old, { fieldManager: "skiff-lb", operation: "Update", subresource: "status" });
    const e = entries(st).find((x) => x.manager === "skiff-lb");
    assert.deepEqual(e, {
      manager: "skiff-lb",
      operation: "Update",
      apiVersion: "v1",
      time: "2024-05-01T11:00:00Z",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:status": { "f:loadBalancer": { "f:ingress": {} } } },
      subresource: "status",
    });
    assert.equal(entries(st).length, 2);
  });

  test("applies are left to serverSideApply; unknown kinds are left alone", () => {
    const svc = service();
    hooksAt(T0).beforeCreate(svc, { fieldManager: "kubectl", operation: "Apply" });
    assert.equal(svc.metadata.managedFields, undefined);
    const odd: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: {},
    };
    hooksAt(T0).beforeCreate(odd, { fieldManager: "m", operation: "Create" });
    assert.equal(odd.metadata.managedFields, undefined);
  });
});

describe("update manager cap", () => {
  test("more than 10 Update managers: the oldest merge into ancient-changes (kube's capManagersManager)", () => {
    let cur: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "default" },
      data: {},
    };
    for (let i = 0; i < 12; i++) {
      const h = managedFieldsHooks(() => new Date(Date.UTC(2024, 0, 1, 0, i)));
      const next = structuredClone(cur);
      next.data[`k${i}`] = "v";
      if (i === 0) h.beforeCreate(next, { fieldManager: `m${i}`, operation: "Create" });
      else h.beforeUpdate(next, cur, { fieldManager: `m${i}`, operation: "Update" });
      cur = next;
    }
    const list = entries(cur);
    assert.equal(list.length, 10);
    const ancient = list.find((e) => e.manager === "ancient-changes");
    // m0 created data, so it (and now the bucket) owns the map itself too.
    assert.deepEqual(ancient?.fieldsV1, { "f:data": { ".": {}, "f:k0": {}, "f:k1": {}, "f:k2": {} } });
    assert.equal(ancient?.time, "2024-01-01T00:02:00Z");
    assert.ok(!list.some((e) => e.manager === "m0" || e.manager === "m2"));
  });
});
